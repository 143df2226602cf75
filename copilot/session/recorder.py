"""SessionRecorder: a sink that records a live or file session into the session database.

Give it to the Engine with the other sinks. Per step it only turns the Step into rows
(on the analysis thread, no I/O) and queues them; a writer thread commits about twice
a second, so a killed app loses at most about a second and the file stays consistent
(SQLite WAL). `add_marker` may be called from any thread (the UI's "mark this moment").

Raw video and audio are not stored unless the user opts in: with `record_media=True`
a live session's frames and audio go to files in a folder beside the database
(copilot/session/media.py) and `media_path` points at its video. For a file source
the file's own path is stored either way, as a reference that lets the review window
show the frame at a moment; nothing is copied.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from copilot.engine.step import Step
from copilot.result.document import version
from copilot.session.media import MediaKeeper
from copilot.session.rows import Row, StepRows, dumps
from copilot.session.store import DatabaseError, open_database, resolve, why
from copilot.session.writer import Writer

log = logging.getLogger(__name__)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class SessionRecorder:
    def __init__(self, database: Path | str | None = None, *, source_name: str, source_kind: str,
                 mode: str, record_media: bool = False, media_path: str | Path | None = None) -> None:
        """Opens (or creates) the database and starts a session row; raises DatabaseError."""
        self.database = resolve(database)
        self.source_name, self.source_kind, self.mode = source_name, source_kind, mode
        self._connection = open_database(self.database)
        self.media: MediaKeeper | None = None
        try:
            cursor = self._connection.execute(
                "INSERT INTO sessions (started_at, source_name, source_kind, mode, record_media, media_path) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (now_iso(), source_name, source_kind, mode, int(record_media),
                 str(media_path) if media_path is not None else None))
            self.session_id: int = int(cursor.lastrowid)
            if record_media and source_kind != "file":
                self.media = MediaKeeper(self.database.parent / "media" / f"session-{self.session_id}")
                self._connection.execute("UPDATE sessions SET media_path = ? WHERE id = ?",
                                         (str(self.media.video_path), self.session_id))
        except (sqlite3.Error, OSError) as exc:  # a read-only file, a full disk: the run goes on unrecorded
            if self.media is not None:
                self.media.close()
            self._connection.close()
            if isinstance(exc, OSError):  # the media folder
                raise DatabaseError(f"{exc.filename}: cannot keep the session's media "
                                    f"({exc.strerror})") from exc
            raise DatabaseError(f"{self.database}: cannot start a session in it "
                                f"({why(self.database, exc)})") from exc
        self._rows = StepRows(source_kind)
        self._writer = Writer(self._connection, self.session_id)
        self._lock = threading.Lock()
        self._closed = False

    def __call__(self, step: Step) -> None:
        if self.media is not None:
            self.media(step)
        self.put(self._rows.rows(step))

    def put(self, rows: list[Row]) -> None:
        """Records rows made from the steps elsewhere (a batch worker's `KeptRows`), so that one
        process writes the database however many analyse."""
        with self._lock:
            if not self._closed:
                self._writer.put(rows)

    def add_marker(self, t: float, label: str = "") -> None:
        """Marks a moment of the session (session time `t`); safe from any thread."""
        with self._lock:
            if not self._closed:
                self._writer.put([("markers", (round(float(t), 3), str(label)))])

    @property
    def dropped(self) -> int:
        """Batches of rows lost because the disk could not keep up (0 in normal use)."""
        return self._writer.dropped

    @property
    def failure(self) -> Exception | None:
        """The database error that stopped recording, if any (the analysis goes on)."""
        return self._writer.failure

    @property
    def problem(self) -> str | None:
        """One line for the user when the record of this run is not whole: names the file and
        the reason, and says how much of the session was kept; None while all is well."""
        said = []
        if self.failure is not None:
            said.append(f"{self.database}: recording stopped at {self._writer.recorded_t:.1f} s of the "
                        f"session ({why(self.database, self.failure)}); the rest is not recorded")
        elif self.dropped:
            said.append(f"{self.database}: {self.dropped} moments of the session were not recorded "
                        "(the disk could not keep up)")
        if self.media is not None and self.media.failure is not None:
            said.append(f"{self.media.folder}: keeping the video and sound stopped ({self.media.failure})")
        return " · ".join(said) or None

    def close(self, meta: dict[str, Any] | None = None) -> None:
        """Writes what is queued and ends the session; `meta` is the result document's meta
        when the caller has one (`copilot analyze`), else one is made from what was seen.
        Safe to call twice."""
        if not self._stop():
            return
        if meta is None:
            meta = self._meta()
        if self.failure is not None:  # listed and exported as the part it is, if the file still takes it
            meta = {**meta, "complete": False, "recorded_until": round(self._writer.recorded_t, 3)}
        try:
            self._connection.execute("UPDATE sessions SET ended_at = ?, meta = ? WHERE id = ?",
                                     (now_iso(), dumps(meta), self.session_id))
        except sqlite3.Error as exc:  # the disk filled at the very end: said like any other stop
            if self._writer.failure is None:
                self._writer.failure = exc
        finally:
            self._connection.close()

    def discard(self) -> None:
        """Ends and deletes the session: for a run that failed before it analysed anything."""
        if not self._stop():
            return
        if self.media is not None:
            shutil.rmtree(self.media.folder, ignore_errors=True)
        try:
            self._connection.execute("DELETE FROM sessions WHERE id = ?", (self.session_id,))
        except sqlite3.Error as exc:  # nothing to lose: the run had not analysed anything
            log.warning("%s: cannot delete the empty session %d (%s)", self.database, self.session_id, exc)
        finally:
            self._connection.close()

    def _stop(self) -> bool:
        """Stops taking steps and flushes the queues; False if the session was already ended."""
        with self._lock:
            if self._closed:
                return False
            self._closed = True
        self._writer.stop()
        if self.media is not None:
            self.media.close()
        return True

    def _meta(self) -> dict[str, Any]:
        c = self._rows.collector
        duration = c.last_t
        return {"duration": round(duration, 3),
                "fps": round(self._rows.frames / duration, 3) if duration > 0 else 0.0,
                "version": version(), "models": {},
                "source": {"name": self.source_name, "kind": self.source_kind, "mode": self.mode},
                "steps": c.steps}

    def __repr__(self) -> str:
        return f"SessionRecorder(session {self.session_id} in {self.database})"


def load_meta(text: str | None) -> dict[str, Any] | None:
    return json.loads(text) if text else None
