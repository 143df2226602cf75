"""`copilot serve`: the Interhuman Signals API's upload and stream, served on this machine."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from copilot.errors import CopilotError

DEFAULT_PORT = 8765
SCRATCH_PREFIX = "copilot-serve-"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve", help="serve the Signals API (upload and stream) on this machine",
        description="Answer the Interhuman Signals API's upload (POST /v1/upload/analyze) and stream "
                    "(WebSocket /v1/stream/analyze) on this machine, so that a program written for the "
                    "cloud API works offline and privately by pointing it at the printed address. "
                    "Clients present a key, printed at start.")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"the port to listen on (default {DEFAULT_PORT}; 0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="the address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--allow-remote", action="store_true",
                        help="allow a --host that other machines can reach")
    parser.add_argument("--token", metavar="KEY",
                        help="the key clients must present (default: one made on first use and kept, "
                             "readable by you alone, in the config folder)")
    parser.add_argument("--limits", type=Path, metavar="FILE",
                        help="a TOML file changing some resource limits (copilot/serve/limits.toml "
                             "lists them all, each explained)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from copilot.files.scratch import scratch_folder
    from copilot.serve.app import create_app
    from copilot.serve.auth import checked_token, stored_token, token_path
    from copilot.serve.hub import Hub
    from copilot.serve.limits import load_limits
    from copilot.serve.server import Server, is_loopback
    from copilot.serve.shapes import STREAM_PATH, UPLOAD_PATH

    if not is_loopback(args.host):
        if not args.allow_remote:
            raise CopilotError(f"--host {args.host} can be reached from other machines; add "
                               "--allow-remote if that is what you want")
        print(f"copilot: warning: serving on {args.host}: anyone who can reach it and has the key can "
              "send recordings and read their signals, over a connection that is not encrypted",
              file=sys.stderr)
    token = checked_token(args.token) if args.token else stored_token()
    limits = load_limits(args.limits)
    with scratch_folder(SCRATCH_PREFIX) as folder:
        hub = Hub(limits, token, Path(folder))
        server = Server(create_app(hub), args.host, args.port, ws_max_size=limits.read_bytes)
        hub.base_url = server.base_url
        _load_models()
        try:
            signal.signal(signal.SIGTERM, _stopped)  # stopped by a service manager: as by Ctrl+C
            where = "given with --token" if args.token else f"kept in {token_path()}"
            print(f"Serving the Signals API (Ctrl+C stops it)\n"
                  f"  upload  POST {server.base_url}{UPLOAD_PATH}\n"
                  f"  stream  {server.base_url.replace('http', 'ws', 1)}{STREAM_PATH}\n"
                  f"  key     {token}  ({where}; send it as 'Authorization: Bearer KEY')", flush=True)
            server.run()
        except KeyboardInterrupt:  # the normal way to stop a server: it closed its streams first
            print("stopped", file=sys.stderr)
    return 0


def _stopped(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _load_models() -> None:
    """Loads the models before the address is printed, so that the first request does not wait
    for them (ONNX Runtime's sessions are kept for the process; copilot/shipped/models.py)."""
    from copilot.engine.analyzers import standard_analyzers

    for analyzer in standard_analyzers(words=False):
        analyzer.close()
