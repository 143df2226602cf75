"""The recorder's writer thread: drains a bounded queue and commits about twice a second.

Batching keeps SQLite's per-transaction cost (an fsync-free WAL append with
synchronous=NORMAL) off the analysis and UI threads; committing every `COMMIT_EVERY_S`
bounds what a killed process loses to that much plus what waited in the queue.
Participants and the session's progress are overwritten in place, so only the latest
of each goes into a batch.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time

from copilot.session.schema import COLUMNS

log = logging.getLogger(__name__)

COMMIT_EVERY_S = 0.5
QUEUE_ITEMS = 4096  # steps (one list of rows each) waiting; about two minutes at 30 steps a second
_STOP = object()

INSERT = {table: f"INSERT INTO {table} (session_id, {', '.join(cols)}) VALUES (?{', ?' * len(cols)})"
          for table, cols in COLUMNS.items()}
UPSERT_PARTICIPANT = (
    "INSERT INTO participants (session_id, participant, seen_by, first_seen, last_seen) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (session_id, participant, seen_by) "
    "DO UPDATE SET last_seen = excluded.last_seen")
UPDATE_PROGRESS = ("UPDATE sessions SET last_t = ?, steps = ?, frames = ?, "
                   "quality = coalesce(?, quality) WHERE id = ?")


def latest_progress(before: tuple | None, now: tuple) -> tuple:
    """Of two progress rows, the later one, keeping the earlier quality if the later has none."""
    return now if now[3] is not None or before is None else (*now[:3], before[3])


class Writer:
    def __init__(self, connection: sqlite3.Connection, session_id: int) -> None:
        self.connection, self.session_id = connection, session_id
        self.queue: queue.Queue = queue.Queue(QUEUE_ITEMS)
        self.dropped = 0  # batches lost because the queue stayed full (the disk stalled)
        self.failure: Exception | None = None
        self.recorded_t = 0.0  # session time up to which rows are committed
        self.thread = threading.Thread(target=self._run, name="session writer", daemon=True)
        self.thread.start()

    def put(self, rows: list, *, wait_s: float = 2.0) -> None:
        try:
            self.queue.put(rows, timeout=wait_s)
        except queue.Full:
            self.dropped += 1

    def stop(self, timeout_s: float = 10.0) -> None:
        self.queue.put(_STOP)  # unbounded wait: the last rows matter most
        self.thread.join(timeout_s)

    def _run(self) -> None:
        pending: list = []
        deadline = time.monotonic() + COMMIT_EVERY_S
        while True:
            try:
                item = self.queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                item = None
            if item is _STOP:
                self._commit(pending)
                return
            if item is not None:
                pending.extend(item)
            if time.monotonic() >= deadline:
                if pending:
                    self._commit(pending)
                pending, deadline = [], time.monotonic() + COMMIT_EVERY_S

    def _commit(self, rows: list) -> None:
        if self.failure is not None or not rows:
            return
        inserts: dict[str, list] = {}
        people: dict[tuple, tuple] = {}
        progress = None
        sid = self.session_id
        for table, values in rows:
            if table == "participants":
                people[values[:2]] = values
            elif table == "progress":
                progress = latest_progress(progress, values)
            else:
                inserts.setdefault(table, []).append((sid, *values))
        try:
            with _transaction(self.connection):
                for table, batch in inserts.items():
                    self.connection.executemany(INSERT[table], batch)
                self.connection.executemany(UPSERT_PARTICIPANT, [(sid, *v) for v in people.values()])
                if progress is not None:
                    self.connection.execute(UPDATE_PROGRESS, (*progress, sid))
        except sqlite3.Error as exc:  # a full disk must not take the analysis down; said by the recorder
            log.info("recording session %d stopped at %.1f s: %s", sid, self.recorded_t, exc)
            self.failure = exc
            return
        if progress is not None:
            self.recorded_t = float(progress[0])


class _transaction:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def __enter__(self) -> None:
        self.connection.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, exc, tb) -> None:
        self.connection.execute("COMMIT" if kind is None else "ROLLBACK")
