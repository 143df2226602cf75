"""One WebSocket client's connection: admitted by its key, fed from a bounded queue, closed
with a last word.

Envelopes are put from any thread and sent in order by one task. The queue is bounded: a
client that reads slower than its envelopes come fills it; then nothing more is queued,
`overflowed` is set, and whoever runs the connection drops the client with a `slow_client`
error. The server never buffers without limit for anyone.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any

from starlette.responses import JSONResponse
from starlette.websockets import WebSocket

from copilot.serve.auth import authorised
from copilot.serve.errors import ApiError

log = logging.getLogger(__name__)

LAST_WORDS_S = 2.0  # how long a closing error and the close frame may take to go out


class Outbox:
    def __init__(self, limit: int) -> None:
        self.loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(limit)
        self.overflowed = asyncio.Event()
        self.closed = False  # read from other threads: put() becomes a no-op

    def put(self, message: dict[str, Any]) -> None:
        """Queues `message`; callable from any thread, never blocks."""
        if self.closed:
            return
        if threading.get_ident() == self._loop_thread:  # in order, and queued before this returns
            self._put(message)
            return
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is listening
            self.loop.call_soon_threadsafe(self._put, message)

    def _put(self, message: dict[str, Any]) -> None:
        if self.closed or self.overflowed.is_set():
            return
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.overflowed.set()

    async def pump(self, websocket: WebSocket) -> None:
        """Sends queued envelopes in order until cancelled."""
        while True:
            message = await self.queue.get()
            await websocket.send_text(json.dumps(message))
            self.queue.task_done()

    async def drain(self, timeout_s: float = LAST_WORDS_S) -> None:
        """Waits (a while at most) until what is queued has gone out."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.queue.join(), timeout_s)

    def close(self) -> None:
        self.closed = True


async def converse(websocket: WebSocket, outbox: Outbox, receiving: Coroutine[Any, Any, None],
                   error: Callable[[ApiError], dict[str, Any]]) -> None:
    """Runs one admitted client: sends what `outbox` holds while `receiving` reads what the
    client sends. Returns when the client leaves; when `receiving` raises an ApiError, that
    error is sent after what is queued and the connection closes with the error's code; a
    client that reads too slowly is sent `slow_client` ahead of its full queue and dropped.
    `error` makes an ApiError into the envelope this connection sends."""
    pump = asyncio.create_task(outbox.pump(websocket))
    overflow = asyncio.create_task(outbox.overflowed.wait())
    reader = asyncio.create_task(receiving)
    try:
        await asyncio.wait({pump, overflow, reader}, return_when=asyncio.FIRST_COMPLETED)
        if overflow.done():
            pump.cancel()
            problem = ApiError("slow_client", f"{outbox.queue.maxsize} events waited for this client "
                                              "to read them")
            await say_and_close(websocket, error(problem), problem.close_code or 1008)
            return
        if not reader.done() or reader.cancelled() or reader.exception() is None:
            return  # the client left, or its connection broke
        problem = reader.exception()
        if not isinstance(problem, ApiError):
            log.error("a connection failed", exc_info=problem)
            problem = ApiError("internal_error", f"the connection failed: {problem}")
        outbox.put(error(problem))
        await outbox.drain()
        pump.cancel()
        await say_and_close(websocket, None, problem.close_code or 1000)
    finally:
        for task in (pump, overflow, reader):
            task.cancel()
        outbox.close()


async def say_and_close(websocket: WebSocket, message: dict[str, Any] | None, code: int) -> None:
    """Sends a last envelope and closes with `code`, giving up after LAST_WORDS_S (a stalled
    client cannot hold the server); a client already gone is no error."""
    with contextlib.suppress(Exception):
        async with asyncio.timeout(LAST_WORDS_S):
            if message is not None:
                await websocket.send_text(json.dumps(message))
            await websocket.close(code)


async def admit(websocket: WebSocket, token: str, base_url: str) -> bool:
    """Accepts a client that presents `token` (naming back its subprotocol if it came as one);
    refuses any other at the handshake with HTTP 401 and the error as JSON, so no socket is
    opened for it. A server without that refusal (the ASGI denial extension) closes with 1008."""
    allowed, subprotocol = authorised(websocket.headers, token)
    if allowed:
        await websocket.accept(subprotocol=subprotocol)
        return True
    problem = ApiError("unauthorized", "this server needs its key: 'Authorization: Bearer KEY', or the "
                                       "key as a WebSocket subprotocol")
    try:
        await websocket.send_denial_response(JSONResponse(problem.to_json(base_url), problem.status))
    except RuntimeError:
        await websocket.close(1008)
    return False
