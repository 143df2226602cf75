"""One client's stream: its session config, its segments, its own engine, its envelopes.

Segments go through a SegmentFeed into one engine for the whole session, so faces,
voices and open events carry on from one segment to the next. Every step the engine
finishes is turned into envelopes at once (signal.detected the moment an event starts),
tagged with the segment it came from; when a segment is fully analysed, quality (if
asked for) and a session.updated follow. The client's reading is decoupled from the
analysis by a bounded outbox, its sending by a bounded number of pending segments.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import threading
import time
import uuid
from collections import deque
from typing import TYPE_CHECKING, Any

from copilot.capture.items import SourceError
from copilot.capture.media_file import SUPPORTED_SUFFIXES
from copilot.engine.analyzers import standard_analyzers
from copilot.engine.loop import Engine
from copilot.engine.step import Step
from copilot.serve.connection import Outbox, converse
from copilot.serve.errors import ApiError
from copilot.serve.feed import Placed, Segment, SegmentFeed
from copilot.serve.shapes import INCLUDE_OPTIONS, StepEvents, conversation_quality, envelope, session_include
from copilot.serve.worker import in_thread
from copilot.words.speech_process import SpeechInOwnProcess

if TYPE_CHECKING:
    from pathlib import Path

    from starlette.websockets import WebSocket

    from copilot.serve.limits import Limits

log = logging.getLogger(__name__)


class StreamSession:
    def __init__(self, websocket: WebSocket, number: int, limits: Limits, folder: Path,
                 base_url: str) -> None:
        """`folder`: this stream's own (made when it starts); `base_url`: for the errors' links."""
        self.websocket, self.number, self.base_url = websocket, number, base_url
        self.limits = limits
        self.correlation_id = str(uuid.uuid4())
        self.include: list[str] = []
        self.outbox = Outbox(self.limits.outbox_envelopes)
        self.slots = asyncio.Semaphore(self.limits.pending_segments)
        self.folder = folder
        self.feed: SegmentFeed | None = None
        self.worker: asyncio.Future | None = None
        self.events = StepEvents()
        self.starts: list[tuple[float, int]] = []  # (start on the timeline, segment number)
        self.placed: deque[Placed] = deque()  # handed to the engine, not yet fully analysed
        self.reached_t = -1.0  # the time of the engine's latest finished step
        self.progress = threading.Lock()  # over events, placed and reached_t: where the threads meet
        self.analysed: list[int] = []
        self.analysed_s = 0.0  # where the last fully analysed segment ends on the timeline
        self.received = 0  # binary messages so far: the last one's number
        self.queued = 0  # the number of the last segment handed to the feed
        self.settled: set[int] = set()  # segments analysed, or answered with an error

    # -- messages out ------------------------------------------------------------------
    def send(self, kind: str, data: dict[str, Any]) -> None:
        self.outbox.put(envelope(kind, data, self.correlation_id))

    def error(self, problem: ApiError) -> dict[str, Any]:
        return envelope("error", problem.to_json(self.base_url), self.correlation_id)

    def ready(self) -> dict[str, Any]:
        limits = self.limits
        return {"session_id": self.correlation_id, "idle_timeout_s": limits.idle_timeout_s,
                "max_duration_s": limits.max_session_s,
                "segment_limits": {"min_s": limits.segment_min_s, "max_bytes": limits.message_bytes},
                "include_options": list(INCLUDE_OPTIONS),
                "formats": [suffix.lstrip(".") for suffix in SUPPORTED_SUFFIXES]}

    def status(self, segment: int | None) -> dict[str, Any]:
        return {"include": self.include, "segment": segment, "segments_analysed": len(self.analysed),
                "analysed_s": round(self.analysed_s, 3)}

    # -- life --------------------------------------------------------------------------
    async def run(self) -> None:
        """Serves the client until it leaves or an error ends the stream; returns once the
        stream's worker thread has ended too."""
        self.send("session.ready", self.ready())
        try:
            await converse(self.websocket, self.outbox, self._receive(), self.error)
        finally:
            await self._stop_worker()

    async def _stop_worker(self) -> None:
        if self.feed is not None:
            self.feed.abandon()
        if self.worker is not None:  # it reports its own failures: it only has to end
            await asyncio.shield(self.worker)
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- messages in -------------------------------------------------------------------
    async def _receive(self) -> None:
        """Reads the client's messages until it leaves; raises ApiError for a limit it broke."""
        limits = self.limits
        deadline = asyncio.get_running_loop().time() + limits.max_session_s
        try:
            async with asyncio.timeout_at(deadline):
                while True:
                    try:
                        message = await asyncio.wait_for(self.websocket.receive(), limits.idle_timeout_s)
                    except TimeoutError:
                        if self.queued and self.queued not in self.settled:
                            continue  # not idle: waiting for its segments to be analysed
                        raise ApiError("idle_timeout", f"nothing came for {limits.idle_timeout_s:g} s") \
                            from None
                    if message["type"] == "websocket.disconnect":
                        return
                    if message.get("text") is not None:
                        self._configure(message["text"])
                    elif message.get("bytes") is not None:
                        await self._take(message["bytes"])
        except TimeoutError:
            raise ApiError("session_too_long", f"the session reached its longest, "
                                               f"{limits.max_session_s:g} s") from None

    def _configure(self, text: str) -> None:
        try:
            self.include = session_include(text)
        except ApiError as problem:
            self.outbox.put(self.error(problem))
            return
        self.send("session.updated", self.status(None))

    async def _take(self, data: bytes) -> None:
        self.received += 1
        number, received_at = self.received, time.monotonic()
        if len(data) > self.limits.message_bytes:
            self.outbox.put(self.error(ApiError(
                "too_large", f"segment {number} is {len(data)} bytes; a segment may have at most "
                             f"{self.limits.message_bytes}", number)))
            return
        await self.slots.acquire()  # waits while the analysis is behind: the client's sending slows
        if self.feed is None:
            self._start_worker()
        self.feed.add(Segment(number, data, received_at))
        self.queued = number

    # -- the analysis (worker and engine threads) --------------------------------------
    def _start_worker(self) -> None:
        self.folder.mkdir(mode=0o700)
        loop = asyncio.get_running_loop()
        self.feed = SegmentFeed(self.folder, self.limits.segment_min_s,
                                on_error=self._skipped,
                                on_taken=lambda: loop.call_soon_threadsafe(self.slots.release),
                                on_started=lambda number, start: self.starts.append((start, number)),
                                on_placed=self._placed)
        self.worker = asyncio.ensure_future(in_thread(f"stream {self.number}", self._analyse))

    def _skipped(self, problem: ApiError) -> None:
        """Capture thread: a segment could not be used (or not to its end)."""
        self.settled.add(problem.segment)
        self.outbox.put(self.error(problem))

    def _analyse(self) -> None:
        # speech in a process of its own, as for uploads: streams must not hear each other's history
        analyzers = standard_analyzers(speech=SpeechInOwnProcess)
        engine = Engine([self.feed], analyzers, [self._sink], lossless=True)
        try:
            engine.run()
        except SourceError:
            return  # the client left before sending a usable segment: each was answered already
        except Exception as exc:
            log.exception("stream %d: analysis failed", self.number)
            self.outbox.put(self.error(ApiError("internal_error", f"the analysis failed: {exc}")))

    def _sink(self, step: Step) -> None:
        """Analysis thread: a step's events go out at once, then any segment it completes."""
        number = self._segment_at(step.t)
        with self.progress:
            for kind, data in self.events(step):
                self.send(kind, {**data, "segment": number})
            self.reached_t = step.t
            self._complete()

    def _placed(self, placed: Placed) -> None:
        """Capture thread: a segment's last item went in; it may be analysed already (its last
        frame's step can finish while its trailing sound is still being handed on)."""
        with self.progress:
            self.placed.append(placed)
            self._complete()

    def _complete(self) -> None:
        while self.placed and self.reached_t >= self.placed[0].last_t - 1e-9:
            self._analysed(self.placed.popleft())

    def _segment_at(self, t: float) -> int | None:
        starts = self.starts
        return next((number for start, number in reversed(starts) if t >= start - 1e-9),
                    starts[0][1] if starts else None)

    def _analysed(self, placed: Placed) -> None:
        self.analysed.append(placed.number)
        self.settled.add(placed.number)
        self.analysed_s = placed.end_s
        quality = self.events.take_quality()
        shaped = conversation_quality(self.include, *quality) if quality is not None else None
        if shaped is not None:
            self.send("conversation_quality.updated", {**shaped, "segment": placed.number})
        self.send("session.updated", {**self.status(placed.number),
                                      "analysed_in_s": round(time.monotonic() - placed.received_at, 3)})
