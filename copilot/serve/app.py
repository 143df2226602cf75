"""The local API's routes (Starlette): upload, stream, and what a client may ask about them."""

from __future__ import annotations

from dataclasses import asdict

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from copilot.serve.auth import authorised
from copilot.serve.connection import admit, say_and_close
from copilot.serve.errors import ERRORS_PATH, ApiError, catalogue
from copilot.serve.hub import Hub
from copilot.serve.shapes import STATUS_PATH, STREAM_PATH, UPLOAD_PATH, envelope
from copilot.serve.stream import StreamSession
from copilot.serve.upload import upload


async def stream(websocket: WebSocket) -> None:
    hub: Hub = websocket.app.state.hub
    if not await admit(websocket, hub.token, hub.base_url):
        return
    if len(hub.streams) >= hub.limits.max_streams:
        problem = ApiError("too_many_streams", f"{hub.limits.max_streams} streams are being analysed, "
                                               "as many as this server allows; try again when one ends")
        await say_and_close(websocket, envelope("error", problem.to_json(hub.base_url), ""),
                            problem.close_code)
        return
    number = hub.next_number()
    session = StreamSession(websocket, number, hub.limits, hub.folder / f"stream-{number}", hub.base_url)
    hub.streams.add(session)
    try:
        await session.run()
    finally:
        hub.streams.discard(session)


async def status(request: Request) -> JSONResponse:
    """What is under way: for a client deciding whether to start a stream, and for tests."""
    hub: Hub = request.app.state.hub
    if not authorised(request.headers, hub.token)[0]:
        problem = ApiError("unauthorized", "this server needs its key: 'Authorization: Bearer KEY'")
        return JSONResponse(problem.to_json(hub.base_url), problem.status)
    return JSONResponse({"streams": len(hub.streams), "uploads": hub.uploads, "limits": asdict(hub.limits)})


async def errors(request: Request) -> JSONResponse:
    """The error catalogue, which every error's `link` points into (no key needed: it holds no data)."""
    return JSONResponse(catalogue())


def create_app(hub: Hub) -> Starlette:
    app = Starlette(routes=[Route(UPLOAD_PATH, upload, methods=["POST"]),
                            WebSocketRoute(STREAM_PATH, stream),
                            Route(STATUS_PATH, status), Route(ERRORS_PATH, errors)])
    app.state.hub = hub
    return app
