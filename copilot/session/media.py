"""Keeps the raw video and audio of a live session, only when the user asked for it.

Encoding runs on its own thread behind a bounded queue, so the analysis thread only
hands over references; when the disk or the encoder cannot keep up, frames are
dropped and counted rather than queued without end. Video goes to an H.264 MP4 stamped
with session time (variable frame rate, so it lines up with the recorded signals) and
fragmented, so a killed app leaves it readable; each audio channel to a 16 kHz WAV file
whose samples sit at their session time (silence where none arrived).
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import wave
from pathlib import Path

import numpy as np

from copilot.capture.items import SAMPLE_RATE_HZ
from copilot.engine.step import Step
from copilot.files.writing import PRIVATE_FILE, make_private_folder

log = logging.getLogger(__name__)

QUEUE_STEPS = 90  # about three seconds of frames waiting for the encoder
VIDEO_NAME = "video.mp4"
_STOP = object()


class MediaKeeper:
    """A sink: call it with every step, then `close()`; files appear in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        make_private_folder(folder)
        self.dropped = 0
        self.failure: Exception | None = None  # what stopped the files being written, if anything
        self._queue: queue.Queue = queue.Queue(QUEUE_STEPS)
        self._thread = threading.Thread(target=self._write, name="media keeper", daemon=True)
        self._thread.start()

    @property
    def video_path(self) -> Path:
        return self.folder / VIDEO_NAME

    def __call__(self, step: Step) -> None:
        try:
            self._queue.put_nowait((step.t, step.frame, dict(step.audio)))
        except queue.Full:
            self.dropped += 1

    def close(self) -> None:
        self._queue.put(_STOP)
        self._thread.join(10)

    def _write(self) -> None:
        from copilot.vision.frames import PreviewVideo

        video = PreviewVideo(self.video_path, survives_a_crash=True)
        waves: dict[str, wave.Wave_write] = {}
        written: dict[str, int] = {}  # samples per channel so far, from session time 0
        written_video = False
        try:
            while (item := self._queue.get()) is not _STOP:
                t, frame, audio = item
                if frame is not None:
                    if not written_video:  # made private before the encoder opens it
                        written_video = bool(_private(video.path))
                    video.write(frame.image, t)
                for channel, chunk in audio.items():
                    if channel not in waves:
                        waves[channel] = _open_wave(_private(self.folder / f"audio-{channel}.wav"))
                        written[channel] = 0
                    # Each sample where the session clock puts it: silence before the first chunk
                    # (a stream takes a moment to open) and for chunks dropped on the way, and
                    # an overlap trimmed, so the track stays in step with the video and signals.
                    start = round(chunk.t * SAMPLE_RATE_HZ)
                    samples = chunk.samples[max(0, written[channel] - start):]
                    gap = max(0, start - written[channel])
                    pcm = np.clip(np.concatenate([np.zeros(gap, np.float32), samples]) * 32767,
                                  -32768, 32767).astype("<i2")
                    waves[channel].writeframes(pcm.tobytes())
                    written[channel] += len(pcm)
        except Exception as exc:  # the session and its analysis go on without the media
            log.exception("keeping the session's media failed in %s", self.folder)
            self.failure = exc
        finally:
            video.close()
            for handle in waves.values():
                handle.close()


def _private(path: Path) -> Path:
    """Makes `path` an empty file only its owner may read, so the encoder's write keeps that mode
    (it is a recording of people)."""
    os.close(os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, PRIVATE_FILE))
    return path


def _open_wave(path: Path) -> wave.Wave_write:
    handle = wave.open(str(path), "wb")  # noqa: SIM115 (kept open for the session, closed in _write)
    handle.setnchannels(1)
    handle.setsampwidth(2)
    handle.setframerate(SAMPLE_RATE_HZ)
    return handle
