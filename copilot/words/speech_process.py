"""The speech model in a process of its own, for analyses that must not depend on what came before.

Moonshine's library keeps state inside a process from one model to the next, which a
freshly loaded model does not clear: 3.mp4 of video_retalking read "Everyone here today
..." in a new process, but "Three one here today, ..." after laugh1.mp3 had been read
in the same process. So each recording's speech was read in a new process of its own, at
a process start (about 0.3 s) and a model load per analysis.

Since `SpeechToText.lines` clears the library's one voice detector before every read (the
state meant above), and the detector is now off altogether (reading.toml), reads in one
process no longer depend on each other. A batch worker therefore keeps one model for all
its recordings (copilot/batch/worker.py; tests/test_batch_ray.py still reads laugh1.mp3
before 3.mp4 and compares the words with another worker's). `copilot serve` still reads
each upload and stream here.

The child speaks through its standard input and output, one pickled value at a time;
its file descriptor 1 is pointed at its standard error, so anything the library prints
cannot mix into the replies.
"""

from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

import numpy as np

from copilot.words.speech_to_text import Line, SpeechModelError, SpeechToText

_SIZE = struct.Struct("<Q")
CLOSE_WAIT_S = 5.0


def _send(stream: IO[bytes], value: Any) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_SIZE.pack(len(data)) + data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    head = stream.read(_SIZE.size)
    if len(head) < _SIZE.size:
        raise EOFError
    return pickle.loads(stream.read(_SIZE.unpack(head)[0]))


class SpeechInOwnProcess:
    """A `SpeechToText` in a child process: the same `lines` and `close`."""

    def __init__(self) -> None:
        package_root = str(Path(__file__).resolve().parents[2])  # finds this copilot from any working folder
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [package_root, *filter(None, [os.environ.get("PYTHONPATH")])])}
        self._child = subprocess.Popen([sys.executable, "-m", "copilot.words.speech_process"],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        try:
            failure = _receive(self._child.stdout)
        except EOFError:
            failure = f"the speech model's own process ended as it started (exit code {self._child.wait()})"
        if failure is not None:
            self.close()
            raise SpeechModelError(failure)

    def lines(self, samples: np.ndarray) -> list[Line]:
        try:
            _send(self._child.stdin, np.ascontiguousarray(samples, dtype=np.float32))
            return _receive(self._child.stdout)
        except (EOFError, OSError) as exc:
            raise SpeechModelError(f"the speech model's own process stopped ({exc or 'no reply'})") from exc

    def close(self) -> None:
        try:
            _send(self._child.stdin, None)
            self._child.stdin.close()
            self._child.wait(CLOSE_WAIT_S)
        except (OSError, subprocess.TimeoutExpired):
            self._child.kill()
            self._child.wait()
        finally:
            self._child.stdout.close()


def serve() -> None:
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    requests = sys.stdin.buffer
    try:
        model = SpeechToText()
    except SpeechModelError as exc:
        _send(replies, str(exc))
        return
    _send(replies, None)
    try:
        while (samples := _receive(requests)) is not None:
            _send(replies, model.lines(samples))
    except EOFError:
        pass  # the analysis ended without saying so (it was stopped)
    finally:
        model.close()


if __name__ == "__main__":
    serve()
