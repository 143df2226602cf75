"""Keeps the raw video and audio of a live session, only when the user asked for it.

Encoding runs on its own thread behind a bounded queue, so the analysis thread only
hands over references; when the disk or the encoder cannot keep up, frames are
dropped and counted rather than queued without end. Video goes to an H.264 MP4 stamped
with session time (variable frame rate, so it lines up with the recorded signals), each
audio channel to a 16 kHz WAV file.
"""

from __future__ import annotations

import logging
import queue
import threading
import wave
from fractions import Fraction
from pathlib import Path

import numpy as np

from copilot.capture.items import SAMPLE_RATE_HZ
from copilot.step import Step

log = logging.getLogger(__name__)

MILLISECOND = Fraction(1, 1000)  # video timestamps are session time in milliseconds
QUEUE_STEPS = 90  # about three seconds of frames waiting for the encoder
VIDEO_NAME = "video.mp4"
_STOP = object()


class MediaKeeper:
    """A sink: call it with every step, then `close()`; files appear in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.dropped = 0
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
        import av

        container = stream = None
        waves: dict[str, wave.Wave_write] = {}
        last_pts = -1
        try:
            while (item := self._queue.get()) is not _STOP:
                t, frame, audio = item
                if frame is not None:
                    if container is None:
                        container = av.open(str(self.video_path), "w")
                        stream = container.add_stream("libx264", rate=30)
                        height, width = frame.image.shape[:2]
                        stream.width, stream.height = width // 2 * 2, height // 2 * 2
                        stream.pix_fmt, stream.time_base = "yuv420p", MILLISECOND
                        stream.codec_context.time_base = MILLISECOND  # variable frame rate
                    pts = round(t * 1000)
                    if pts > last_pts:  # milliseconds of session time, always increasing
                        image = np.ascontiguousarray(frame.image[: stream.height, : stream.width])
                        video = av.VideoFrame.from_ndarray(image, format="bgr24")
                        # MILLISECOND, not stream.time_base: the MP4 muxer picks its own on start
                        video.pts, video.time_base, last_pts = pts, MILLISECOND, pts
                        container.mux(stream.encode(video))
                for channel, chunk in audio.items():
                    if channel not in waves:
                        waves[channel] = _open_wave(self.folder / f"audio-{channel}.wav")
                    pcm = np.clip(chunk.samples * 32767, -32768, 32767).astype("<i2")
                    waves[channel].writeframes(pcm.tobytes())
        except Exception:  # the session and its analysis go on without the media
            log.exception("keeping the session's media failed in %s", self.folder)
        finally:
            if container is not None:
                container.mux(stream.encode(None))
                container.close()
            for handle in waves.values():
                handle.close()


def _open_wave(path: Path) -> wave.Wave_write:
    handle = wave.open(str(path), "wb")  # noqa: SIM115 (kept open for the session, closed in _write)
    handle.setnchannels(1)
    handle.setsampwidth(2)
    handle.setframerate(SAMPLE_RATE_HZ)
    return handle
