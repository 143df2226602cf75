"""What every source looks like to the engine: a blocking stream of timestamped items.

A source is opened, iterated on its own capture thread, and closed from another
thread; `close()` must make a blocked `items()` return promptly. Live devices stamp
items with the shared `SessionClock`; files stamp them with presentation time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from copilot.capture.items import AudioChunk, VideoFrame


class SessionClock:
    """Seconds since the session started, shared by every live source of a session."""

    def __init__(self) -> None:
        self._start = time.monotonic()

    def now(self) -> float:
        return time.monotonic() - self._start

    def at(self, monotonic_time: float) -> float:
        """Session time of a `time.monotonic()` reading (e.g. a capture timestamp)."""
        return monotonic_time - self._start


@runtime_checkable
class Source(Protocol):
    name: str  # what the user calls it: "camera 0", "screen 1", "microphone: USB Audio", a file name
    live: bool  # True for devices; files are not live even when paced
    has_video: bool  # known after open(): a media file may hold only audio

    def open(self, clock: SessionClock) -> None:
        """Acquire the device or file; raise SourceError naming it and the reason."""

    def items(self) -> Iterator[VideoFrame | AudioChunk]:
        """Yield items in time order until the source ends or close() is called."""

    def close(self) -> None:
        """Release the device; safe to call twice and from another thread."""

    def describe(self) -> dict[str, object]:
        """Facts worth reporting: requested and actual resolution, fps, sample rate, device."""
