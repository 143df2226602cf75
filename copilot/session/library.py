"""Reading recorded sessions back: the list, one session's data, the result document, deletion.

The result document is rebuilt by the same `ResultCollector` that `copilot analyze`
uses, filled from the stored parts in the order they were recorded, so an export is
the document the analysis itself wrote. A session the app never closed (it was killed)
still reads: its meta is made from what was stored and says `"complete": false`.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from copilot.errors import CopilotError
from copilot.result.document import ResultCollector, _Seen, version
from copilot.session.schema import SCORE_COLUMNS


class SessionNotFound(CopilotError):
    """No session with that number in the database."""


@dataclass(frozen=True, slots=True)
class SessionInfo:
    id: int
    started_at: str
    ended_at: str | None
    source_name: str
    source_kind: str
    mode: str
    duration_s: float
    participants: tuple[str, ...]
    record_media: bool
    media_path: str | None
    recorded_until: float | None = None  # session time where recording stopped (a full disk)

    @property
    def complete(self) -> bool:
        """False when the app ended without closing the session (a crash or a kill), or when
        recording stopped before the session did."""
        return self.ended_at is not None and self.recorded_until is None


@dataclass
class ParticipantScores:
    t: np.ndarray  # float64 seconds, 5 a second
    scores: np.ndarray  # (len(t), 12) in SCORE_COLUMNS order
    states: list[str]


@dataclass
class SessionData:
    """Everything the review window and the report show about one session."""

    info: SessionInfo
    document: dict[str, Any]
    scores: dict[str, ParticipantScores] = field(default_factory=dict)
    cue_events: list[dict] = field(default_factory=list)
    cue_summaries: dict[str, list[tuple[float, dict]]] = field(default_factory=dict)
    nudges: list[dict] = field(default_factory=list)
    markers: list[dict] = field(default_factory=list)


_INFO = ("SELECT id, started_at, ended_at, source_name, source_kind, mode, last_t, "
         "(SELECT group_concat(participant, ' ') FROM (SELECT DISTINCT participant FROM participants p "
         "WHERE p.session_id = s.id ORDER BY rowid)), record_media, media_path, "
         "json_extract(meta, '$.recorded_until') FROM sessions s")


def _info(row: tuple) -> SessionInfo:
    return SessionInfo(row[0], row[1], row[2], row[3], row[4], row[5], float(row[6]),
                       tuple((row[7] or "").split()), bool(row[8]), row[9], row[10])


def list_sessions(db: sqlite3.Connection) -> list[SessionInfo]:
    return [_info(row) for row in db.execute(_INFO + " ORDER BY id")]


def find_session(db: sqlite3.Connection, ref: int | str) -> SessionInfo:
    """A session by number, or "last" for the newest."""
    if str(ref) == "last":
        row = db.execute(_INFO + " ORDER BY id DESC LIMIT 1").fetchone()
    else:
        try:
            number = int(ref)
        except ValueError:
            raise SessionNotFound(f"{ref!r} is not a session number (see `copilot sessions list`)") from None
        row = db.execute(_INFO + " WHERE id = ?", (number,)).fetchone()
    if row is None:
        raise SessionNotFound(f"no session {ref} in the database (see `copilot sessions list`)")
    return _info(row)


def delete_session(db: sqlite3.Connection, session_id: int) -> None:
    db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))  # the rest goes by ON DELETE CASCADE


def result_document(db: sqlite3.Connection, info: SessionInfo) -> dict[str, Any]:
    sid = (info.id,)
    collector = ResultCollector(source_kind=info.source_kind)
    for pid, seen_by, first, last in db.execute(
            "SELECT participant, seen_by, first_seen, last_seen FROM participants WHERE session_id = ? "
            "ORDER BY rowid", sid):
        (collector.participants if seen_by == "face" else collector.voices)[pid] = _Seen(first, last)
    collector.events = [
        {"type": r[0], "start": r[1], "end": r[2], "probability": r[3], "rationale": r[4],
         "modality": json.loads(r[5]), "participant": r[6], "peak": r[7]}
        for r in db.execute('SELECT type, start, "end", probability, rationale, modality, participant, peak '
                            "FROM signal_events WHERE session_id = ? ORDER BY rowid", sid)]
    collector.segments = [
        {"state": r[0], "start": r[1], "end": r[2], "participant": r[3]} for r in db.execute(
            'SELECT state, start, "end", participant FROM engagement WHERE session_id = ? ORDER BY rowid',
            sid)]
    collector.periods = [{"start": r[0], "end": r[1], "values": json.loads(r[2])} for r in db.execute(
        'SELECT start, "end", "values" FROM quality_periods WHERE session_id = ? ORDER BY rowid', sid)]
    steps, frames, quality, meta = db.execute(
        "SELECT steps, frames, quality, meta FROM sessions WHERE id = ?", sid).fetchone()
    collector.quality = json.loads(quality) if quality else None
    collector.steps = steps
    collector.nudges = [{"t": round(r[0], 3), "rule": r[1], "participant": r[2], "message": r[3],
                         "signal": r[4], "value": None if r[5] is None else round(r[5], 3)}
                        for r in db.execute("SELECT t, rule, participant, message, signal, value FROM nudges "
                                            "WHERE session_id = ? ORDER BY t", sid)]
    collector.transcript = [
        {"participant": r[0], "start": r[1], "end": r[2], "text": r[3], "words": json.loads(r[4]),
         "channel": r[5], "timing": "estimated",
         **({"words_per_minute": r[7]} if r[7] is not None else {}), "cues": json.loads(r[6])}
        for r in db.execute('SELECT participant, start, "end", text, words, channel, cues, words_per_minute '
                            "FROM transcript WHERE session_id = ? ORDER BY start", sid)]
    collector.transcribing = bool(collector.transcript)
    collector.conversation = [json.loads(r[0]) for r in db.execute(
        "SELECT measures FROM talk WHERE session_id = ? ORDER BY rowid", sid)]
    if meta:
        meta = json.loads(meta)
    else:  # never closed: what we know from the rows that made it to disk
        meta = {"duration": round(info.duration_s, 3),
                "fps": round(frames / info.duration_s, 3) if info.duration_s > 0 else 0.0,
                "version": version(), "models": {},
                "source": {"name": info.source_name, "kind": info.source_kind, "mode": info.mode},
                "steps": steps, "complete": False}
    document = collector.document(duration_s=meta["duration"], fps=meta["fps"], source=meta["source"],
                                  models=meta["models"])
    document["meta"] = meta
    # What a live session has beyond an analysis, as additive fields (an analysis exports as it
    # was written): its mode and the user's marks.
    if info.mode != "analyze":
        meta["source"] = {**meta.get("source", {}), "mode": info.mode}
    markers = [{"t": r[0], "label": r[1]} for r in db.execute(
        "SELECT t, label FROM markers WHERE session_id = ? ORDER BY t", sid)]
    if markers:
        document["markers"] = markers
    return document


@dataclass(frozen=True, slots=True)
class SaidLine:
    session_id: int
    source_name: str
    participant: str
    start: float
    text: str


def search_transcripts(db: sqlite3.Connection, text: str) -> list[SaidLine]:
    """Every transcribed stretch, in any session, that contains `text` (case ignored)."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return [SaidLine(*row) for row in db.execute(
        "SELECT t.session_id, s.source_name, t.participant, t.start, t.text FROM transcript t "
        "JOIN sessions s ON s.id = t.session_id WHERE t.text LIKE ? ESCAPE '\\' "
        "ORDER BY t.session_id, t.start", (pattern,))]


def load_session(db: sqlite3.Connection, ref: int | str) -> SessionData:
    info = find_session(db, ref)
    sid = (info.id,)
    data = SessionData(info, result_document(db, info))
    columns = ", ".join(SCORE_COLUMNS)
    rows: dict[str, list] = {}
    for row in db.execute(f"SELECT participant, t, {columns}, state FROM scores WHERE session_id = ? "
                          "ORDER BY rowid", sid):
        rows.setdefault(row[0], []).append(row[1:])
    for pid, items in rows.items():
        data.scores[pid] = ParticipantScores(np.array([r[0] for r in items], np.float64),
                                             np.array([r[1:-1] for r in items], np.float64),
                                             [r[-1] for r in items])
    data.cue_events = [{"kind": r[0], "who": r[1], "start": r[2], "end": r[3], **json.loads(r[4])}
                       for r in db.execute('SELECT kind, who, start, "end", details FROM cue_events '
                                           "WHERE session_id = ? ORDER BY start", sid)]
    for t, who, values in db.execute('SELECT t, who, "values" FROM cue_summaries WHERE session_id = ? '
                                     "ORDER BY t", sid):
        data.cue_summaries.setdefault(who, []).append((t, json.loads(values)))
    data.nudges, data.markers = data.document.get("nudges", []), data.document.get("markers", [])
    return data
