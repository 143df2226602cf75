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
    worker: str = ""  # host:pid, to tell the workers apart in the figures


def load_models() -> None:
    """Loads and checks every shipped model into this process's shared sessions, once, so the
    recordings that follow only open their own files."""
    from copilot.shipped.models import load_model, registry

    for name in registry():
        load_model(name)


def analyse(path: Path) -> Analysed:
    from copilot.result.recording import analyze_file
    from copilot.session.rows import KeptRows

    started, rows = time.perf_counter(), KeptRows("file")
    try:
        document, errors = analyze_file(path, sinks=[rows], quiet=True, speech_in_own_process=True)
    except CopilotError as exc:
        return _failed(str(exc), started)
    except OSError as exc:
        return _failed(f"{exc.filename or path}: {exc.strerror or exc}", started)
    except Exception as exc:  # a bug must cost this recording only, and say which one
        return _failed(f"{path}: internal error: {type(exc).__name__}: {exc} (please report it)", started)
    return Analysed(document, rows.rows, errors, time.perf_counter() - started, _me())


def _failed(reason: str, started: float) -> Analysed:
    return Analysed(None, errors=[reason], seconds=time.perf_counter() - started, worker=_me())


def _me() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"
