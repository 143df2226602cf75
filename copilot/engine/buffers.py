"""The two bounded buffers between capture threads and the analysis thread.

Live: the newest video frame wins (stale frames are dropped and counted) and audio
overwrites its oldest samples when nobody reads. Lossless (a file analysed as fast as
possible): writers wait for room instead, so every frame and sample is analysed.
"""

from __future__ import annotations

import threading
from collections import deque

import numpy as np

from copilot.capture.items import SAMPLE_RATE_HZ, AudioChunk, VideoFrame


class LatestFrame:
    """A one-slot mailbox for video frames."""

    def __init__(self, *, lossless: bool) -> None:
        self._lossless = lossless
        self._frame: VideoFrame | None = None
        self._cond = threading.Condition()
        self._closed = False
        self.received = 0
        self.dropped = 0

    def put(self, frame: VideoFrame) -> None:
        with self._cond:
            if self._lossless:
                self._cond.wait_for(lambda: self._frame is None or self._closed)
            elif self._frame is not None:
                self.dropped += 1
            self._frame = frame
            self.received += 1
            self._cond.notify_all()

    def take(self, timeout_s: float) -> VideoFrame | None:
        """The newest unseen frame, or None if none arrives within `timeout_s`."""
        with self._cond:
            if self._frame is None:
                self._cond.wait(timeout_s)
            frame, self._frame = self._frame, None
            self._cond.notify_all()
            return frame

    def close(self) -> None:
        """Releases a writer blocked in lossless mode (the session is stopping)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()


class AudioRing:
    """A preallocated ring of mono samples for one channel, read by time.

    Writers append gapless chunks; a jump in their timestamps is filled with silence
    so that the sample position keeps meaning session time.
    """

    def __init__(self, channel: str, capacity_s: float, *, lossless: bool) -> None:
        self.channel = channel
        self._lossless = lossless
        self._buf = np.zeros(round(capacity_s * SAMPLE_RATE_HZ), dtype=np.float32)
        self._cond = threading.Condition()
        self._closed = False
        self._origin_t: float | None = None  # session time of sample number 0
        self._written = 0  # samples written since origin (monotonic count)
        self._read = 0  # samples consumed since origin
        self.dropped_samples = 0

    @property
    def capacity(self) -> int:
        return len(self._buf)

    def write(self, chunk: AudioChunk) -> None:
        samples = chunk.samples
        with self._cond:
            if self._origin_t is None:
                self._origin_t = chunk.t
            gap = round((chunk.t - self._origin_t) * SAMPLE_RATE_HZ) - self._written
            if gap > self.capacity:  # a long stall: start the ring afresh at this chunk
                self.dropped_samples += self._written - self._read
                self._origin_t, self._written, self._read = chunk.t, 0, 0
            elif gap > 0:  # a short skip: keep the clock, fill with silence
                samples = np.concatenate([np.zeros(gap, np.float32), samples])
            for start in range(0, len(samples), self.capacity):
                self._write_block(samples[start:start + self.capacity])
            self._cond.notify_all()

    def _write_block(self, block: np.ndarray) -> None:
        n = len(block)
        if self._lossless:
            self._cond.wait_for(lambda: self.capacity - (self._written - self._read) >= n
                                or self._closed)
        overflow = (self._written + n - self._read) - self.capacity
        if overflow > 0:  # nobody read in time: the oldest samples go
            self._read += overflow
            self.dropped_samples += overflow
        pos = self._written % self.capacity
        first = min(n, self.capacity - pos)
        self._buf[pos:pos + first] = block[:first]
        self._buf[:n - first] = block[first:]
        self._written += n

    def written_until(self) -> float | None:
        """Session time just after the last written sample (None before any audio)."""
        with self._cond:
            if self._origin_t is None:
                return None
            return self._origin_t + self._written / SAMPLE_RATE_HZ

    def read_until(self, t: float) -> AudioChunk | None:
        """Every unread sample stamped before `t`, as one chunk (None if there are none)."""
        with self._cond:
            if self._origin_t is None:
                return None
            end = min(self._written, max(self._read, round((t - self._origin_t) * SAMPLE_RATE_HZ)))
            if end <= self._read:
                return None
            idx = np.arange(self._read, end) % self.capacity
            chunk = AudioChunk(t=self._origin_t + self._read / SAMPLE_RATE_HZ,
                               samples=self._buf[idx], channel=self.channel)
            self._read = end
            self._cond.notify_all()
            return chunk

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


class RecentAudio:
    """The last `keep_s` of one channel's samples, cut out again by session time.

    For the analysis thread only (no locking): the voice analyzer's speaker windows and the
    words analyzer's stretches read back audio they have already been handed.
    """

    def __init__(self, keep_s: float) -> None:
        self.keep_s = keep_s
        self.chunks: deque[tuple[float, np.ndarray]] = deque()

    def add(self, t: float, samples: np.ndarray) -> None:
        self.chunks.append((t, np.asarray(samples, np.float32)))
        end = t + len(samples) / SAMPLE_RATE_HZ
        while self.chunks and self.chunks[0][0] + len(self.chunks[0][1]) / SAMPLE_RATE_HZ < end - self.keep_s:
            self.chunks.popleft()

    def cut(self, start: float, end: float) -> tuple[float, np.ndarray]:
        """(time of the first sample returned, the samples held between start and end)."""
        parts, first = [], None
        for t, samples in self.chunks:
            a = max(round((start - t) * SAMPLE_RATE_HZ), 0)
            b = min(round((end - t) * SAMPLE_RATE_HZ), len(samples))
            if b > a:
                first = t + a / SAMPLE_RATE_HZ if first is None else first
                parts.append(samples[a:b])
        if not parts:
            return start, np.zeros(0, np.float32)
        return first, np.concatenate(parts)
