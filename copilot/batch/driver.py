"""The batch's driver: the one process that records the sessions and writes the results.

Workers (here or on Ray) only analyse. Each result comes back to this process, which
records its session through one writer (SQLite takes one at a time, and a cluster's
workers may not see the database's disk at all), loads it back for the call's figures
by the report's own code, and then writes the result file atomically: a result file is
the mark that a recording is done, so it is written last. Ctrl+C waits for the result
being written, then stops; every file finished by then stays finished.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from copilot.batch.figures import Figures, call_figures
from copilot.batch.plan import Call
from copilot.batch.worker import Analysed
from copilot.session.library import SessionData

Say = Callable[[str], None]


@dataclass
class Outcome:
    """What became of one recording in this run."""

    call: Call
    status: str  # analysed | partial (a result, with errors) | done before | failed | not analysed
    batch: dict | None = None  # the `batch` part of its result
    reason: str = ""

    @property
    def figures(self) -> Figures | None:
        return Figures(**self.batch["figures"]) if self.batch is not None else None


def outcome_before(call: Call) -> Outcome:
    if call.problem is not None:
        return Outcome(call, "failed", reason=call.problem)
    if call.done is not None:
        return Outcome(call, "done before", call.done, "; ".join(call.done.get("errors", [])))
    return Outcome(call, "not analysed")


class Records:
    """Records each call's session, from the rows its worker kept, and loads it back.

    Without recording (--no-record), or once the database cannot be used, the sessions go to a
    scratch database instead: the figures need one, the user's record does not.
    """

    def __init__(self, database: Path | None, *, record: bool, scratch: Callable[[], Path], say: Say) -> None:
        self.database, self.recording, self._make_scratch, self.say = database, record, scratch, say
        self._scratch: Path | None = None

    def keep(self, call: Call, analysed: Analysed) -> tuple[int | None, SessionData, list[str]]:
        """The session's number in the user's database (None when not recorded there), its data, and
        one line for each thing that kept it from being recorded whole."""
        from copilot.session.library import load_session
        from copilot.session.store import open_database, said_as_database_errors

        recorder, problems = self._recorder(call)
        recorder.put(analysed.rows)
        recorder.close(analysed.document["meta"])
        if recorder.problem is not None:
            problems.append(f"this analysis is only partly recorded: {recorder.problem}")
        with said_as_database_errors(recorder.database), \
                contextlib.closing(open_database(recorder.database, create=False)) as db:
            data = load_session(db, recorder.session_id)
        kept = recorder.session_id if recorder.database != self._scratch else None
        return kept, data, problems

    def _recorder(self, call: Call):
        from copilot.session.recorder import SessionRecorder
        from copilot.session.store import DatabaseError

        def recorder_in(database: Path | None) -> SessionRecorder:
            return SessionRecorder(database, source_name=call.path.name, source_kind="file", mode="analyze",
                                   media_path=call.path.resolve())
        problems = []
        if self.recording:
            try:
                return recorder_in(self.database), problems
            except DatabaseError as exc:
                problems.append(f"this analysis is not recorded: {exc}")
                self.say(f"copilot: warning: the calls from here on are not recorded: {exc}")
                self.recording = False
        if self._scratch is None:
            self._scratch = self._make_scratch()
        return recorder_in(self._scratch), problems


@contextlib.contextmanager
def interrupt_deferred() -> Iterator[None]:
    """Ctrl+C waits until the block is over (a result being recorded and written), then stops."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    before = signal.signal(signal.SIGINT, lambda number, frame: caught.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)
    if caught:
        raise KeyboardInterrupt


class Bar:
    """One progress bar for the whole batch, in media-hours, with the files counted beside it;
    lines about single files print above it (on stderr, where the bar is)."""

    def __init__(self, calls: list[Call], outcomes: dict[str, Outcome]) -> None:
        from tqdm import tqdm

        class Quiet(tqdm):
            monitor_interval = 0  # no helper thread: the bar moves only when a file is done

        done = [c for c in calls if outcomes[c.name].status != "not analysed"]
        self.files, self.files_done = len(calls), len(done)
        self._bar = Quiet(total=sum(c.duration_s for c in calls) / 3600,
                          initial=sum(c.duration_s for c in done) / 3600, unit="h",
                          desc="analysing", disable=None, file=sys.stderr, dynamic_ncols=True,
                          bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.2f}/{total:.2f} media-hours"
                                     "{postfix} [{elapsed}<{remaining}]")
        self._count()

    def advance(self, call: Call) -> None:
        self.files_done += 1
        self._bar.update(min(call.duration_s / 3600, self._bar.total - self._bar.n))  # sums may round over
        self._count()

    def say(self, line: str) -> None:
        self._bar.write(line, file=sys.stderr)

    def close(self) -> None:
        self._bar.close()

    def _count(self) -> None:
        self._bar.set_postfix_str(f"{self.files_done}/{self.files} files", refresh=True)


class Finisher:
    """Takes each worker's result: records it, writes it, and says what went wrong with it."""

    def __init__(self, out_dir: Path, settings: str, records: Records, outcomes: dict[str, Outcome],
                 bar: Bar) -> None:
        self.out_dir, self.settings, self.records, self.outcomes, self.bar = (
            out_dir, settings, records, outcomes, bar)

    def __call__(self, call: Call, analysed: Analysed) -> None:
        with interrupt_deferred():
            self.outcomes[call.name] = self._finish(call, analysed)
            self.bar.advance(call)

    def _finish(self, call: Call, analysed: Analysed) -> Outcome:
        from copilot.files.writing import write_json_atomically

        for line in analysed.errors:
            self.bar.say(f"copilot: error: {line}")
        document = analysed.document
        if document is None:
            return Outcome(call, "failed", reason="; ".join(analysed.errors))
        for line in document["meta"].get("warnings", []):
            self.bar.say(f"copilot: warning: {line}")
        session, data, problems = self.records.keep(call, analysed)
        if problems:
            document["meta"]["warnings"] = [*document["meta"].get("warnings", []), *problems]
        # session, worker, seconds and cpu_seconds belong to this run (another run records another
        # session, on another worker, in another time); the rest is the same whoever analyses it
        document["batch"] = {"input": call.name, "sha256": call.sha256, "settings": self.settings,
                             "recorded": call.recorded, "figures": call_figures(data).to_json(),
                             "session": session, "worker": analysed.worker,
                             "seconds": round(analysed.seconds, 2),
                             "cpu_seconds": round(analysed.cpu_seconds, 2)}
        write_json_atomically(document, call.result(self.out_dir))
        status = "partial" if analysed.errors else "analysed"
        return Outcome(call, status, document["batch"], "; ".join(analysed.errors))
