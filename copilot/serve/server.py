"""Runs an ASGI app on uvicorn, on a socket bound here so that port 0 gives a known port.

The CLI runs it in the foreground; the app's publisher and the tests run it on a thread
of its own and stop it from outside.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import threading

from copilot.errors import CopilotError

LOOPBACK = "127.0.0.1"
STOP_TIMEOUT_S = 5.0
GRACEFUL_S = 2  # open streams get this long to close when the server stops


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class Server:
    def __init__(self, app, host: str, port: int, *, ws_max_size: int) -> None:
        import uvicorn

        try:
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            self.socket = socket.create_server((host, port), family=family)
        except OSError as exc:  # said plainly: the socket module adds the address it tried again
            reason = os.strerror(exc.errno) if exc.errno else str(exc)
            raise CopilotError(f"cannot listen on {host}:{port}: {reason}") from None
        self.host, self.port = host, self.socket.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="off", ws_max_size=ws_max_size,
                                timeout_graceful_shutdown=GRACEFUL_S)
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def run(self) -> None:
        """Serves until interrupted (Ctrl+C), in this thread."""
        try:
            self._server.run(sockets=[self.socket])
        finally:
            self.socket.close()

    def start(self, name: str) -> None:
        """Serves on a thread named `name`; returns once the server is accepting connections."""
        self._thread = threading.Thread(target=self.run, name=name, daemon=True)
        self._thread.start()
        while not self._server.started and self._thread.is_alive():
            self._thread.join(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT_S + GRACEFUL_S)
