"""What a worker does with one recording, the same in this process and in a Ray actor.

It analyses and keeps the session's rows, but writes nothing: the result and the
session record are the driver's to write, so a worker can run on a machine that
sees the recordings but not the output folder or the database.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from copilot.errors import CopilotError
from copilot.words.speech_to_text import Line, SpeechToText

_speech: SpeechToText | None = None  # this worker's speech model, once a recording needed it


@dataclass
class Analysed:
    document: dict | None  # None: the recording could not be analysed at all
    rows: list = field(default_factory=list)  # the session's rows, for the driver's recorder
    errors: list[str] = field(default_factory=list)  # each one line naming the file and the reason
    seconds: float = 0.0  # wall time the analysis took
    cpu_seconds: float = 0.0  # CPU it cost: every thread of the worker
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
        speech = kept_speech() if words else None
        document, errors = analyze_file(path, sinks=[rows], quiet=True, speech=speech, words=words)
    except CopilotError as exc:
        return _failed(str(exc), started)
    except OSError as exc:
        return _failed(f"{exc.filename or path}: {exc.strerror or exc}", started)
    except Exception as exc:  # a bug must cost this recording only, and say which one
        return _failed(f"{path}: internal error: {type(exc).__name__}: {exc} (please report it)", started)
    return Analysed(document, rows.rows, errors, started.wall(), started.cpu(), _me())


def kept_speech() -> Callable[[], SpeechToText] | None:
    """The speech model this worker keeps for all its recordings, loaded by the first that needs
    it, as each analysis asks for one: lent, so closing it after one recording leaves it loaded.
    A model loaded once reads the same words as one loaded afresh, since its reads leave nothing
    behind (copilot/words/speech_process.py; tests/test_batch_ray.py runs a recording that once
    changed the next one's words before it). None when it will not load: each analysis then
    tries for itself and says why its words are off."""
    global _speech
    if _speech is None:
        try:
            _speech = SpeechToText()
        except Exception:  # whatever it is, each analysis meets it again and says it in one line
            return None
    return lambda: _Lent(_speech)


class _Lent:
    """The worker's speech model, lent to one analysis."""

    def __init__(self, model: SpeechToText) -> None:
        self._model = model

    def lines(self, samples: np.ndarray) -> list[Line]:
        return self._model.lines(samples)

    def close(self) -> None:
        """Kept loaded for the worker's next recording."""


class _Clocks:
    """Wall and CPU time since made. A worker analyses one recording at a time, so the process's
    CPU over that time (every thread of it, the speech model's included) is the recording's, with
    what Ray's own threads spent meanwhile."""

    def __init__(self) -> None:
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def wall(self) -> float:
        return time.perf_counter() - self._wall

    def cpu(self) -> float:
        return time.process_time() - self._cpu


def _failed(reason: str, started: _Clocks) -> Analysed:
    return Analysed(None, errors=[reason], seconds=started.wall(), cpu_seconds=started.cpu(), worker=_me())


def _me() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"
