"""The session database's tables, and the migrations that bring an older file up to date.

Each migration is applied once, in its own transaction, and recorded both in the
`schema_version` table (when, for people reading the file) and in `PRAGMA user_version`
(cheap to read before touching anything). A file newer than this code is refused, never
"downgraded".
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

APPLICATION_ID = 0x4D436F70  # "MCop" in the SQLite header: tells our files from other apps' files

# The twelve signals as score columns. Fixed here (not read from definitions.toml) because a
# table's columns are part of the file format; tests check it still matches copilot.signals.
SCORE_COLUMNS = ("agreement", "confidence", "confusion", "disagreement", "disengagement",
                 "engagement", "frustration", "hesitation", "interest", "skepticism", "stress",
                 "uncertainty")

# The columns the recorder writes and the export reads, per table.
COLUMNS = {
    "scores": ("t", "participant", *SCORE_COLUMNS, "state"),
    "signal_events": ("type", "participant", "start", '"end"', "probability", "peak", "rationale",
                      "modality"),
    "engagement": ("participant", "state", "start", '"end"'),
    "quality_periods": ("start", '"end"', '"values"'),
    "cue_events": ("kind", "who", "start", '"end"', "details"),
    "cue_summaries": ("t", "who", '"values"'),
    "nudges": ("t", "rule", "participant", "message", "signal", "value"),
    "markers": ("t", "label"),
    "transcript": ("participant", "channel", "start", '"end"', "text", "words", "cues", "words_per_minute"),
    "talk": ("participant", "measures"),
}

_V1 = f"""
CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,          -- wall clock, ISO 8601 UTC
    ended_at TEXT,                     -- NULL while recording, or when the app was killed
    source_name TEXT NOT NULL,
    source_kind TEXT NOT NULL,         -- camera | screen | file
    mode TEXT NOT NULL,                -- presenter | sales | practice | analyze
    record_media INTEGER NOT NULL DEFAULT 0,  -- the user asked to keep the raw media
    media_path TEXT,                   -- the source file (files) or the kept media, if any
    last_t REAL NOT NULL DEFAULT 0,    -- session time of the latest step written
    steps INTEGER NOT NULL DEFAULT 0,
    frames INTEGER NOT NULL DEFAULT 0,
    quality TEXT,                      -- overall conversation quality so far, JSON
    meta TEXT                          -- the result document's "meta", JSON, written at the end
);
CREATE TABLE participants (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    participant TEXT NOT NULL,
    seen_by TEXT NOT NULL,             -- face | voice (as the result document counts them)
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL,
    PRIMARY KEY (session_id, participant, seen_by)
);
CREATE TABLE scores (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    t REAL NOT NULL,
    participant TEXT NOT NULL,
    {", ".join(f"{name} REAL NOT NULL" for name in SCORE_COLUMNS)},
    state TEXT NOT NULL                -- engagement state at t; "" for the room
);
CREATE INDEX scores_by_session ON scores (session_id, t);
CREATE TABLE signal_events (           -- finished events, as in the result document
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    type TEXT NOT NULL, participant TEXT NOT NULL, start REAL NOT NULL, "end" REAL NOT NULL,
    probability TEXT NOT NULL, peak REAL NOT NULL, rationale TEXT NOT NULL, modality TEXT NOT NULL
);
CREATE TABLE engagement (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    participant TEXT NOT NULL, state TEXT NOT NULL, start REAL NOT NULL, "end" REAL NOT NULL
);
CREATE TABLE quality_periods (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    start REAL NOT NULL, "end" REAL NOT NULL, "values" TEXT NOT NULL
);
CREATE TABLE cue_events (              -- behaviours (nod, head_shake, ...) and voice events
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    kind TEXT NOT NULL, who TEXT NOT NULL, start REAL NOT NULL, "end" REAL NOT NULL,
    details TEXT NOT NULL
);
CREATE TABLE cue_summaries (           -- one row per second and participant or voice channel
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    t REAL NOT NULL, who TEXT NOT NULL, "values" TEXT NOT NULL
);
CREATE TABLE nudges (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    t REAL NOT NULL, rule TEXT NOT NULL, participant TEXT, message TEXT NOT NULL,
    signal TEXT, value REAL
);
CREATE TABLE markers (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    t REAL NOT NULL, label TEXT NOT NULL
);
"""

# Version 1 files hold every score under another signal's name: the recorder wrote each tick's
# scores in the order the signals are displayed, into columns listed alphabetically. This is
# the display order that code wrote in (it never changed while version 1 was current); the
# migration moves each value to its own column. SQLite reads every right-hand side from the
# row as it was, so the moves do not disturb one another.
_V1_WRITE_ORDER = ("engagement", "interest", "agreement", "confidence", "disengagement", "confusion",
                   "hesitation", "uncertainty", "disagreement", "skepticism", "frustration", "stress")
_V2 = "UPDATE scores SET " + ", ".join(
    f"{name} = {SCORE_COLUMNS[_V1_WRITE_ORDER.index(name)]}" for name in SCORE_COLUMNS) + ";"

# Version 3: what was said (copilot/words), one row per transcribed stretch of speech.
_V3 = """
CREATE TABLE transcript (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    participant TEXT NOT NULL, channel TEXT NOT NULL, start REAL NOT NULL, "end" REAL NOT NULL,
    text TEXT NOT NULL,
    words TEXT NOT NULL,               -- JSON [{word, start, end}], times estimated
    cues TEXT NOT NULL,                -- JSON [{kind, quote, start}], the lexical cues found
    words_per_minute REAL              -- NULL for under a second of speech
);
CREATE INDEX transcript_by_session ON transcript (session_id, start);
"""

# Version 4: per-person conversation measures (issue 18), one row per person who talked, written
# when the session ends: the result document's "conversation".
_V4 = """
CREATE TABLE talk (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    participant TEXT NOT NULL,
    measures TEXT NOT NULL             -- JSON: the result document's row for this participant
);
"""

MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3, _V4)  # MIGRATIONS[k] takes a file from version k to k + 1
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(connection: sqlite3.Connection, current: int) -> None:
    """Applies the migrations after `current`, each atomically."""
    for version in range(current + 1, SCHEMA_VERSION + 1):
        now = datetime.now(UTC).isoformat(timespec="seconds")
        connection.executescript(
            f"BEGIN;\n{MIGRATIONS[version - 1]}\n"
            f"INSERT INTO schema_version VALUES ({version}, '{now}');\n"
            f"PRAGMA application_id = {APPLICATION_ID};\nPRAGMA user_version = {version};\nCOMMIT;")
