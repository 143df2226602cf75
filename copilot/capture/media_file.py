"""A recorded file as a source: its video frames and its audio track, on media time.

Items come out in time order across both streams (a frame at `t` follows every audio
chunk that starts before `t`), so the analysis thread always has all the audio that
precedes a frame by the time it takes that frame. That ordering is what makes a fast run and a paced
run of the same file see identical inputs.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np

from copilot.capture.items import SAMPLE_RATE_HZ, AudioChunk, SourceError, VideoFrame
from copilot.capture.source import SessionClock

SUPPORTED_SUFFIXES = (
    ".mp4",
    ".mkv",
    ".webm",
    ".mov",
    ".avi",
    ".wmv",
    ".mpg",
    ".mpeg",
    ".m4v",
    ".wav",
    ".flac",
    ".mp3",
    ".m4a",
    ".ogg",
    ".opus",
    ".aac",
)
MAX_HOLD_S = 3.0  # longest a decoded item may wait for the other stream to catch up
AUDIO_CHUNK_S = 0.032  # re-cut decoded audio into chunks this long, whatever the codec's frame size


def _file_error(path: Path, reason: str) -> SourceError:
    return SourceError(f"{path}: {reason}")


class MediaFile:
    """Decodes a media file with PyAV; `pace=True` releases items at their real-time moment."""

    live = False

    def __init__(
        self, path: str | Path, *, pace: bool = False, with_audio: bool = True, with_video: bool = True
    ) -> None:
        self.path = Path(path)
        self.name = self.path.name
        self.pace = pace
        self._with_audio = with_audio
        self._with_video = with_video
        self._stop = threading.Event()
        self._container = None
        self.duration_s = 0.0
        self.fps = 0.0
        self.width = 0
        self.height = 0
        self.has_video = False
        self.has_audio = False

    def open(self, clock: SessionClock | None = None) -> None:
        import av

        if not self.path.exists():
            raise _file_error(self.path, "no such file")
        if self.path.is_dir():
            raise _file_error(self.path, "is a folder, not a media file")
        try:
            container = av.open(str(self.path))
        except av.error.FFmpegError as exc:
            raise _file_error(self.path, f"not a readable media file ({exc.strerror or exc})") from exc
        video = container.streams.video[0] if container.streams.video and self._with_video else None
        audio = container.streams.audio[0] if container.streams.audio and self._with_audio else None
        if video is None and audio is None:
            container.close()
            raise _file_error(self.path, "has neither a video nor an audio stream")
        self._container = container
        self.has_video, self.has_audio = video is not None, audio is not None
        if video is not None:
            video.thread_type = "AUTO"
            rate = video.average_rate or video.guessed_rate
            self.fps = float(rate) if rate else 0.0
            self.width, self.height = video.codec_context.width, video.codec_context.height
        self.duration_s = _duration_s(container)

    def describe(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "duration_s": round(self.duration_s, 3),
            "fps": round(self.fps, 3),
            "width": self.width,
            "height": self.height,
            "has_video": self.has_video,
            "has_audio": self.has_audio,
            "paced": self.pace,
        }

    def close(self) -> None:
        self._stop.set()

    def items(self) -> Iterator[VideoFrame | AudioChunk]:
        if self._container is None:
            self.open()
        try:
            started: float | None = None  # wall time of media time 0, fixed at the first item
            for item in _in_time_order(self._decode(), self.has_video + self.has_audio):
                if self._stop.is_set():
                    return
                if self.pace:
                    if started is None:
                        started = time.monotonic() - item.t
                    delay = started + item.t - time.monotonic()
                    if delay > 0 and self._stop.wait(delay):
                        return
                    item = replace(item, captured_at=time.monotonic())
                yield item
        finally:
            self._container.close()

    def _decode(self) -> Iterator[VideoFrame | AudioChunk]:
        import av

        container = self._container
        streams = [
            s
            for s in (
                _first(container.streams.video) if self.has_video else None,
                _first(container.streams.audio) if self.has_audio else None,
            )
            if s
        ]
        origin = _start_time_s(container)
        audio_out = _AudioCutter(origin)
        index = 0
        try:
            for packet in container.demux(*streams):
                for frame in packet.decode():
                    if isinstance(frame, av.VideoFrame):
                        t = frame.time if frame.time is not None else index / (self.fps or 30.0)
                        image = frame.to_ndarray(format="bgr24")
                        yield VideoFrame(
                            t=max(0.0, t - origin), image=image, index=index, captured_at=time.monotonic()
                        )
                        index += 1
                    else:
                        yield from audio_out.add(frame)
                if self._stop.is_set():
                    return
            yield from audio_out.flush()
        except av.error.FFmpegError as exc:
            raise _file_error(self.path, f"decoding failed after {index} frames ({exc})") from exc


class _AudioCutter:
    """Resamples to 16 kHz mono and cuts gapless fixed-length chunks stamped by sample count."""

    def __init__(self, origin_s: float) -> None:
        import av

        self._resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE_HZ)
        self._origin = origin_s
        self._start_t: float | None = None
        self._emitted = 0
        self._pending: list[np.ndarray] = []
        self._chunk = round(AUDIO_CHUNK_S * SAMPLE_RATE_HZ)

    def add(self, frame) -> Iterator[AudioChunk]:
        if self._start_t is None:
            self._start_t = max(0.0, (frame.time or 0.0) - self._origin)
        for out in self._resampler.resample(frame):
            self._pending.append(out.to_ndarray().reshape(-1).astype(np.float32, copy=False))
        yield from self._cut(final=False)

    def flush(self) -> Iterator[AudioChunk]:
        if self._start_t is None:
            return
        for out in self._resampler.resample(None):
            self._pending.append(out.to_ndarray().reshape(-1).astype(np.float32, copy=False))
        yield from self._cut(final=True)

    def _cut(self, *, final: bool) -> Iterator[AudioChunk]:
        if not self._pending:
            return
        buffer = np.concatenate(self._pending)
        usable = len(buffer) if final else len(buffer) - len(buffer) % self._chunk
        for start in range(0, usable, self._chunk):
            samples = buffer[start : start + self._chunk].copy()
            t = self._start_t + self._emitted / SAMPLE_RATE_HZ
            self._emitted += len(samples)
            yield AudioChunk(t=t, samples=samples, channel="file", captured_at=time.monotonic())
        self._pending = [buffer[usable:]] if usable < len(buffer) else []


def _in_time_order(
    items: Iterator[VideoFrame | AudioChunk], streams: int
) -> Iterator[VideoFrame | AudioChunk]:
    """Merges the demuxer's interleaved video and audio so that items leave strictly by time.

    Each stream is already in order; an item may leave once every stream has delivered
    something at or after it, so memory holds only as much as the file's interleaving
    distance (audio is often muxed a second ahead of video).
    """
    heap: list[tuple[float, int, int, VideoFrame | AudioChunk]] = []
    latest = {VideoFrame: -1.0, AudioChunk: -1.0}
    for seq, item in enumerate(items):
        latest[type(item)] = item.t
        heapq.heappush(heap, (item.t, 0 if isinstance(item, AudioChunk) else 1, seq, item))
        # A stream that stops early (audio shorter than video) must not hold the other back.
        safe = max(min(latest.values()), item.t - MAX_HOLD_S) if streams > 1 else item.t
        while heap and heap[0][0] <= safe:
            yield heapq.heappop(heap)[3]
    while heap:
        yield heapq.heappop(heap)[3]


def _first(streams):
    return streams[0] if streams else None


def _start_time_s(container) -> float:
    import av

    return container.start_time / av.time_base if container.start_time not in (None, 0) else 0.0


def _duration_s(container) -> float:
    import av

    if container.duration:
        return container.duration / av.time_base
    longest = 0.0
    for stream in container.streams:
        if stream.duration and stream.time_base:
            longest = max(longest, float(stream.duration * stream.time_base))
    return longest
