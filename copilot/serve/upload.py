"""POST /v1/upload/analyze: a whole recording in a multipart form, its signals in the response.

The file passes through the server's private scratch folder and is analysed exactly as
`copilot analyze` would (the same function); the response is cut from that result. It is
not kept in the session database: it is another program's recording, not the user's session.
"""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from copilot.capture.items import SourceError
from copilot.capture.media_file import MediaFile
from copilot.result.recording import analyze_file
from copilot.serve.auth import authorised
from copilot.serve.errors import ApiError
from copilot.serve.shapes import checked_include, upload_response
from copilot.serve.worker import in_thread
from copilot.words.speech_process import SpeechInOwnProcess

if TYPE_CHECKING:
    from copilot.serve.hub import Hub


class _TooLarge(Exception):
    pass


async def upload(request: Request) -> JSONResponse:
    hub: Hub = request.app.state.hub
    try:
        return JSONResponse(await _answer(request, hub))
    except ApiError as problem:
        return JSONResponse(problem.to_json(hub.base_url), problem.status)


async def _answer(request: Request, hub: Hub) -> dict[str, Any]:
    if not authorised(request.headers, hub.token)[0]:
        raise ApiError("unauthorized", "this server needs its key: 'Authorization: Bearer KEY'")
    limit = hub.limits.max_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(int(declared), limit)
    capped = Request(request.scope, _capped(request.receive, limit))
    try:
        async with capped.form(max_files=1, max_fields=16) as form:
            file = form.get("file")
            if not isinstance(file, UploadFile):
                raise ApiError("bad_request", "the form needs the recording in a field named 'file'")
            asked = (*form.getlist("include[]"), *request.query_params.getlist("include[]"))
            include = checked_include(str(option) for option in asked)
            name = Path(file.filename or "upload").name
            async with hub.analysing():
                path = hub.folder / f"upload-{hub.next_number()}"  # its content says its format
                return await in_thread(path.name, lambda: analyse_upload(file.file, path, name, include))
    except _TooLarge:
        raise _too_large(None, limit) from None
    except HTTPException as exc:  # the multipart parser's complaint about the form itself
        raise ApiError("bad_request", f"the form cannot be read: {exc.detail}") from None


def analyse_upload(data: BinaryIO, path: Path, name: str, include: list[str]) -> dict[str, Any]:
    """The upload response for the recording in `data`, called `name` by the client."""
    try:
        with path.open("wb") as out:
            shutil.copyfileobj(data, out)
        try:
            MediaFile(path).open()
        except SourceError as exc:
            raise ApiError("unsupported_format", str(exc).replace(str(path), name, 1)) from None
        try:
            # a server reads many recordings in one process: each one's speech is read in a fresh
            # process, so its words do not depend on the uploads before it (speech_process.py)
            document, errors = analyze_file(path, quiet=True, speech=SpeechInOwnProcess)
        except SourceError as exc:
            raise ApiError("unreadable_media", str(exc).replace(str(path), name, 1)) from None
        if errors:
            raise ApiError("unreadable_media", errors[0].replace(str(path), name, 1))
        return upload_response(document, include)
    finally:
        path.unlink(missing_ok=True)


def _too_large(size: int | None, limit: int) -> ApiError:
    said = f"{size} bytes" if size is not None else "more than that"
    return ApiError("too_large", f"the upload may have at most {limit} bytes; this one has {said}")


def _capped(receive: Callable[[], Awaitable[dict]], limit: int) -> Callable[[], Awaitable[dict]]:
    """The request's body as it comes, stopped once it passes `limit` (a body without a
    Content-Length, sent in chunks, is not read to its end to find out it is too big)."""
    seen = 0

    async def capped() -> dict:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > limit:
            raise _TooLarge
        return message

    return capped
