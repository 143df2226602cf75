"""A recorded session as CSV: one table per file, plain columns a spreadsheet opens.

JSON export is the result document itself (`library.result_document`); CSV is for the
time series and lists that the document does not carry (scores at 5 Hz, cue events,
nudges, markers) and for the document's own lists (signal events, engagement).
"""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

from copilot.session.schema import COLUMNS
from copilot.signals.csv_out import COLUMNS as SCORES_CSV

TABLES = {name: cols for name, cols in COLUMNS.items() if name != "cue_summaries"}
ORDER = {"scores": "rowid", "cue_events": "start, rowid"}


def write_csv(db: sqlite3.Connection, session_id: int, table: str, out: Path) -> int:
    """Writes one table of one session; returns the number of rows."""
    columns = TABLES[table]
    header = [c.strip('"') for c in columns]
    if table == "scores":  # the columns of `analyze --csv`, in its order, so one reader reads both
        header = list(SCORES_CSV)
        columns = tuple("state" if name == "engagement_state" else name for name in header)
    if table == "quality_periods":  # spread the JSON values into columns
        header = ["start", "end", "quality_index", "clarity", "authority", "energy", "rapport", "learning"]
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        query = (f"SELECT {', '.join(columns)} FROM {table} WHERE session_id = ? "
                 f"ORDER BY {ORDER.get(table, 'rowid')}")
        for row in db.execute(query, (session_id,)):
            if table == "quality_periods":
                values = json.loads(row[2])
                row = (row[0], row[1], *(values.get(name) for name in header[2:]))
            writer.writerow(row)
            count += 1
    return count
