"""A stream's segments as one source for one engine, on one timeline.

Each segment is a whole media file. It is written to the stream's private scratch folder,
measured from its packets, checked, then decoded by the same MediaFile code as any file,
its times shifted to follow the segments before it: the engine (and every analyzer's
state: faces, voices, open events) runs on as if it were one recording. A segment that
cannot be used is reported with its number and skipped; the stream goes on.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from copilot.capture.items import AudioChunk, SourceError, VideoFrame
from copilot.capture.media_file import MediaFile, packet_span_s
from copilot.capture.source import SessionClock
from copilot.engine.loop import AUDIO_HOP_S
from copilot.serve.errors import ApiError

# A recorder's timeslice may end a frame or two before the minimum it was set to.
SHORT_SLACK_S = 0.1


@dataclass(slots=True)
class Segment:
    number: int  # the client's count: its first binary message is 1
    data: bytes
    received_at: float  # time.monotonic() when its last byte arrived


@dataclass(slots=True)
class Placed:
    """A segment that was analysed: where it sits on the stream's timeline."""

    number: int
    start_s: float
    end_s: float
    last_t: float  # once a step reaches this time, all of the segment is analysed
    received_at: float


class SegmentFeed:
    name = "stream"
    live = False

    def __init__(self, folder: Path, min_s: float, on_error: Callable[[ApiError], None],
                 on_taken: Callable[[], None], on_started: Callable[[int, float], None],
                 on_placed: Callable[[Placed], None]) -> None:
        """Called on the engine's capture thread: `on_error`, a segment was skipped (or failed
        part way); `on_taken`, a segment left the queue (its slot is free); `on_started`, a
        segment's items begin at this time; `on_placed`, a segment's items were all handed on."""
        self.folder, self.min_s = folder, min_s
        self._on_error, self._on_taken = on_error, on_taken
        self._on_started, self._on_placed = on_started, on_placed
        self._queue: queue.Queue[Segment | None] = queue.Queue()  # bounded by the caller's slots
        self._abandoned = threading.Event()
        self._first: tuple[Segment, MediaFile, float] | None = None
        self.offset_s = 0.0
        self.has_video = False

    def add(self, segment: Segment) -> None:
        self._queue.put(segment)

    def close(self) -> None:
        """No more segments: the source ends once those queued are done."""
        self._queue.put(None)

    def abandon(self) -> None:
        """The client has gone: stop at once, mid-segment, leaving what is queued."""
        self._abandoned.set()
        self._queue.put(None)

    def open(self, clock: SessionClock | None = None) -> None:
        """Waits for the first usable segment: it decides whether the stream has a picture."""
        while self._first is None:
            segment = self._queue.get()
            if segment is None:
                raise SourceError("the stream ended before any usable segment")
            self._first = self._prepare(segment, first=True)
        self.has_video = self._first[1].has_video

    def describe(self) -> dict[str, object]:
        return {"path": "stream", "has_video": self.has_video, "duration_s": round(self.offset_s, 3)}

    def items(self) -> Iterator[VideoFrame | AudioChunk]:
        prepared, self._first = self._first, None
        while prepared is not None:
            yield from self._shifted(*prepared)
            prepared = None
            while prepared is None and not self._abandoned.is_set():
                segment = self._queue.get()
                if segment is None:
                    return
                prepared = self._prepare(segment, first=False)

    def _prepare(self, segment: Segment, *, first: bool) -> tuple[Segment, MediaFile, float] | None:
        """The segment written out, measured and opened; None (said through on_error) if unusable."""
        path = self.folder / f"segment-{segment.number}"
        try:
            try:
                path.write_bytes(segment.data)
            except OSError as exc:
                raise ApiError("internal_error", f"segment {segment.number} cannot be kept for "
                                                 f"decoding: {exc.strerror or exc}") from None
            finally:
                segment.data = b""
                self._on_taken()
            try:
                length_s = packet_span_s(path)
                media = MediaFile(path)
                media.open()
            except SourceError as exc:
                raise ApiError("unsupported_format", _without_path(exc, path, segment.number)) from None
            if length_s < self.min_s - SHORT_SLACK_S:
                raise ApiError("segment_too_short", f"segment {segment.number} lasts {length_s:.2f} s; "
                                                    f"each must last at least {self.min_s:g} s")
            if not first and media.has_video != self.has_video:
                raise ApiError("unsupported_format", f"segment {segment.number} "
                               f"{'has' if media.has_video else 'lacks'} a picture, unlike the first: "
                               "the segments of one stream are all video, or all sound only")
        except ApiError as exc:
            exc.segment = segment.number
            path.unlink(missing_ok=True)
            self._on_error(exc)
            return None
        return segment, media, length_s

    def _shifted(self, segment: Segment, media: MediaFile, length_s: float) -> Iterator:
        start, last_t = self.offset_s, self.offset_s
        self._on_started(segment.number, start)
        try:
            for item in media.items():
                if self._abandoned.is_set():
                    return
                shifted = replace(item, t=item.t + start)
                if isinstance(item, VideoFrame) or not media.has_video:
                    last_t = _last_step_t(shifted)
                yield shifted
        except SourceError as exc:
            self._on_error(ApiError("unreadable_media", _without_path(exc, media.path, segment.number),
                                    segment.number))
        finally:
            media.path.unlink(missing_ok=True)
        self.offset_s = start + length_s
        self._on_placed(Placed(segment.number, start, self.offset_s, last_t, segment.received_at))


def _last_step_t(item: VideoFrame | AudioChunk) -> float:
    """The time of the engine's step that has analysed `item`: a frame's own, or for sound
    alone the last audio hop the chunk completes (the engine steps every AUDIO_HOP_S)."""
    if isinstance(item, VideoFrame):
        return item.t
    return item.end - AUDIO_HOP_S + 1e-6


def _without_path(exc: SourceError, path: Path, number: int) -> str:
    """The decoder's reason, naming the client's segment rather than the server's scratch file."""
    return str(exc).replace(str(path), f"segment {number}", 1)
