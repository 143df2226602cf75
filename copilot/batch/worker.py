"""What a worker does with one recording, the same in this process and in a Ray actor.

It analyses and keeps the session's rows, but writes nothing: the result and the
session record are the driver's to write, so a worker can run on a machine that
sees the recordings but not the output folder or the database.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path

from copilot.errors import CopilotError


@dataclass
class Analysed:
    document: dict | None  # None: the recording could not be analysed at all
    rows: list = field(default_factory=list)  # the session's rows, for the driver's recorder
    errors: list[str] = field(default_factory=list)  # each one line naming the file and the reason
    seconds: float = 0.0  # wall time the analysis took
    cpu_seconds: float = 0.0  # CPU it cost: every thread of the worker, and its speech process
    worker: str = ""  # host:pid, to tell the workers apart in the figures


def load_models(cores: int | None = None) -> None:
    """Loads and checks every shipped model into this process's shared sessions, once, so the
    recordings that follow only open their own files.

    `cores`: the CPUs this worker may keep busy (None: the whole machine, as one analysis
    uses it). Workers that share a machine each size their thread pools to their share, so
    they do not wake threads that can only wait for a core: OpenCV's pool spins
    (sched_yield) while it waits for work, and a batch cut for two threads on one core
    only adds hand-overs. The results do not change.
    """
    from copilot.shipped.models import load_model, registry, use_cores

    if cores is not None:
        import cv2

        use_cores(cores)
        cv2.setNumThreads(cores)
    for name in registry():
        load_model(name)


def analyse(path: Path, *, words: bool = True) -> Analysed:
    from copilot.result.recording import analyze_file
    from copilot.session.rows import KeptRows

    started, rows = _Clocks(), KeptRows("file")
    try:
        document, errors = analyze_file(path, sinks=[rows], quiet=True, speech_in_own_process=True,
                                        words=words)
    except CopilotError as exc:
        return _failed(str(exc), started)
    except OSError as exc:
        return _failed(f"{exc.filename or path}: {exc.strerror or exc}", started)
    except Exception as exc:  # a bug must cost this recording only, and say which one
        return _failed(f"{path}: internal error: {type(exc).__name__}: {exc} (please report it)", started)
    return Analysed(document, rows.rows, errors, started.wall(), started.cpu(), _me())


class _Clocks:
    """Wall and CPU time since made. A worker analyses one recording at a time, so the process's
    CPU over that time is the recording's (with what Ray's own threads spent meanwhile), plus its
    speech process, which has ended and been waited for by the time it is read."""

    def __init__(self) -> None:
        self._wall, self._cpu = time.perf_counter(), _cpu_so_far()

    def wall(self) -> float:
        return time.perf_counter() - self._wall

    def cpu(self) -> float:
        return _cpu_so_far() - self._cpu


def _cpu_so_far() -> float:
    try:
        import resource
    except ImportError:  # Windows: the speech process is not counted there
        return time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _failed(reason: str, started: _Clocks) -> Analysed:
    return Analysed(None, errors=[reason], seconds=started.wall(), cpu_seconds=started.cpu(), worker=_me())


def _me() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"
