"""The app's live session, published on the stream protocol for programs on this machine to follow.

Subscribe-only: a follower connects to /v1/stream/analyze with the same key as `copilot
serve`, may send a session config (its include options), and receives the same envelopes
a stream client would, as the live engine finds them. It sends no segments. The publisher
is an engine sink: what it does on the analysis thread is turn the step into envelopes
once and queue them for each follower, never waiting for any of them.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from copilot.engine.step import Step
from copilot.serve.connection import Outbox, admit, converse, say_and_close
from copilot.serve.errors import ApiError
from copilot.serve.limits import Limits
from copilot.serve.server import LOOPBACK, Server
from copilot.serve.shapes import (
    INCLUDE_OPTIONS,
    STREAM_PATH,
    StepEvents,
    conversation_quality,
    envelope,
    session_include,
)

CONFIG_BYTES = 64 * 1024  # a follower sends only its session config


@dataclass(eq=False)
class Follower:
    outbox: Outbox
    include: list[str]


class Publisher:
    def __init__(self, port: int, token: str, limits: Limits) -> None:
        self.token, self.limits, self.wanted_port = token, limits, port
        self.followers: set[Follower] = set()
        self.lock = threading.Lock()  # followers and the run's state: GUI, analysis and server threads
        self.correlation_id = str(uuid.uuid4())
        self.source: str | None = None  # what the app watches, while it does
        self.events = StepEvents()
        app = Starlette(routes=[WebSocketRoute(STREAM_PATH, self._follow)])
        self.server = Server(app, LOOPBACK, port, ws_max_size=CONFIG_BYTES)

    @property
    def url(self) -> str:
        return self.server.base_url.replace("http", "ws", 1) + STREAM_PATH

    def start(self) -> None:
        self.server.start("publisher")

    def stop(self) -> None:
        self.server.stop()

    # -- the app's side (GUI and analysis threads) -------------------------------------
    def begin(self, source: str) -> None:
        """A run of the app starts: a session of its own for the followers."""
        with self.lock:
            self.correlation_id, self.source, self.events = str(uuid.uuid4()), source, StepEvents()
        self._to_all("session.updated", lambda follower: self._status())

    def end(self) -> None:
        with self.lock:
            self.source = None
        self._to_all("session.updated", lambda follower: self._status())

    def sink(self, step: Step) -> None:
        """Engine sink: the step's events, and quality when a period of it closed."""
        with self.lock:
            found = self.events(step)
            closed = bool(self.events.periods)
            quality = self.events.take_quality() if closed or step.final else None
        for kind, data in found:
            self._to_all(kind, lambda follower, data=data: data)
        if quality is not None:
            self._to_all("conversation_quality.updated",
                         lambda follower: conversation_quality(follower.include, *quality))

    def _to_all(self, kind: str, data_for) -> None:
        with self.lock:
            followers, correlation_id = list(self.followers), self.correlation_id
        for follower in followers:
            data = data_for(follower)
            if data is not None:
                follower.outbox.put(envelope(kind, data, correlation_id))

    def _status(self) -> dict[str, Any]:
        return {"subscribe_only": True, "running": self.source is not None, "source": self.source}

    # -- the followers' side (the server's thread) -------------------------------------
    async def _follow(self, websocket: WebSocket) -> None:
        base_url = self.server.base_url
        if not await admit(websocket, self.token, base_url):
            return
        if len(self.followers) >= self.limits.max_subscribers:
            problem = ApiError("too_many_streams", f"{self.limits.max_subscribers} programs follow the "
                                                   "live session, as many as allowed")
            await say_and_close(websocket, envelope("error", problem.to_json(base_url), ""),
                                problem.close_code or 1013)
            return
        follower = Follower(Outbox(self.limits.outbox_envelopes), [])
        with self.lock:
            self.followers.add(follower)
            hello = [("session.ready", {**self._status(), "include_options": list(INCLUDE_OPTIONS)}),
                     *(("engagement.updated", dict(state)) for state in self.events.states.values())]
            correlation_id = self.correlation_id
        for kind, data in hello:
            follower.outbox.put(envelope(kind, data, correlation_id))

        def error(problem: ApiError) -> dict[str, Any]:
            return envelope("error", problem.to_json(base_url), self.correlation_id)

        async def receive() -> None:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    return
                if message.get("bytes") is not None:
                    follower.outbox.put(error(ApiError("subscribe_only", "this is the app's live "
                                                       "session: it can be followed, not sent segments")))
                    continue
                try:
                    follower.include = session_include(message.get("text") or "")
                except ApiError as problem:
                    follower.outbox.put(error(problem))
                    continue
                follower.outbox.put(envelope("session.updated", {**self._status(),
                                                                 "include": follower.include},
                                             self.correlation_id))
        try:
            await converse(websocket, follower.outbox, receive(), error)
        finally:
            with self.lock:
                self.followers.discard(follower)
