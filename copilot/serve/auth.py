"""The key a client must present: made on first use, kept owner-only in the config folder.

Programs send it as `Authorization: Bearer KEY`. A browser's WebSocket cannot set headers,
so it may offer the key as a subprotocol instead (`new WebSocket(url, [KEY])`, or
`["access_token", KEY]` as some clients of the cloud API do); the handshake then has to
name one of the offered subprotocols back, or the browser drops the connection.
"""

from __future__ import annotations

import hmac
import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path

from copilot.errors import CopilotError
from copilot.files.config_folder import settings_dir
from copilot.files.writing import PRIVATE_FILE, make_private_folder

TOKEN_FILE = "serve-token"
# A key also travels as a subprotocol, so it must be an HTTP token (RFC 6455 4.1, RFC 7230 3.2.6);
# these characters are, and are what token_urlsafe makes. 16 or more: a short key is guessed.
KEY_PATTERN = re.compile(r"[A-Za-z0-9._~-]{16,}")


def token_path() -> Path:
    return settings_dir() / TOKEN_FILE


def stored_token() -> str:
    """The key kept in the config folder, made (and kept readable by the user alone) if missing."""
    path = token_path()
    if not path.exists():
        make_private_folder(path.parent)
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE)
        except FileExistsError:  # another process made it a moment ago: read theirs
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_urlsafe(32) + "\n")
    if path.stat().st_mode & 0o077:  # someone loosened it: the key is the only lock
        os.chmod(path, PRIVATE_FILE)
    token = path.read_text(encoding="utf-8").strip()
    return checked_token(token, where=str(path))


def checked_token(token: str, *, where: str = "--token") -> str:
    if not KEY_PATTERN.fullmatch(token):
        raise CopilotError(f"{where}: the key must be 16 or more letters, digits or . _ ~ - "
                           "(it also travels as a WebSocket subprotocol)")
    return token


def authorised(headers: Mapping[str, str], token: str) -> tuple[bool, str | None]:
    """Whether the request carries `token`, and the subprotocol to name back if it came as one."""
    scheme, _, given = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
        return True, None
    offered = [p.strip() for p in headers.get("sec-websocket-protocol", "").split(",") if p.strip()]
    if any(hmac.compare_digest(p.encode(), token.encode()) for p in offered):
        others = [p for p in offered if not hmac.compare_digest(p.encode(), token.encode())]
        return True, others[0] if others else token
    return False, None
