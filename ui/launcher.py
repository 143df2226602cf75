"""`copilot`: the desktop app with no command (or `copilot app`), the engine's CLI otherwise.

Qt is imported only when the app starts, so `copilot analyze` and friends work on a
machine without a display or without the GUI libraries.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from copilot.errors import CopilotError

APP_COMMAND = "app"


APP_HELP = "start the desktop app (what `copilot` does without a command)"


def add_app_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", metavar="SOURCE",
                        help="what to watch: a recording's path, camera:N or screen[:N] "
                             "(default: the first camera)")
    parser.add_argument("--screenshot", type=Path, metavar="PNG",
                        help="save a picture of the window after --after seconds, then quit")
    parser.add_argument("--after", type=float, default=3.0, metavar="SECONDS",
                        help="seconds of analysis before the screenshot (default: 3)")
    parser.add_argument("--review", type=int, metavar="SESSION",
                        help="open the review window on a recorded session (see `copilot sessions list`) "
                             "instead of watching anything")
    parser.add_argument("--at", type=float, default=0.0, metavar="SECONDS",
                        help="with --review: the moment to show (default: the start)")
    parser.add_argument("--database", type=Path, metavar="FILE",
                        help="with --review: the session database (default: $COPILOT_DATABASE or the "
                             "per-user one)")


def build_app_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="copilot app", description="Start the Meeting Copilot desktop app.")
    add_app_arguments(parser)
    return parser


def add_app_command(subparsers: argparse._SubParsersAction) -> None:
    """`app` in `copilot --help` (issue 19: it was missing); the engine's parser cannot add it
    itself, since copilot/ never imports ui/. Running it is dispatched by `main` below."""
    add_app_arguments(subparsers.add_parser("app", help=APP_HELP, description=APP_HELP))


def parse_app_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = build_app_parser()
    options = parser.parse_args(list(argv))
    if options.after < 0:
        parser.error("--after must be zero or more seconds")
    if options.at < 0:
        parser.error("--at must be zero or more seconds")
    return options


def review_link_args(argv: list[str]) -> list[str] | None:
    """`copilot copilot://review/N?at=T`, as the desktop entry passes a clicked report link, as the
    app's own options; None when the arguments are not such a link."""
    from copilot.session.links import SCHEME, parse_review_url

    if len(argv) != 1 or not argv[0].startswith(f"{SCHEME}://"):
        return None
    moment = parse_review_url(argv[0])
    return [APP_COMMAND, "--review", str(moment.session), "--at", str(moment.at),
            *(["--database", str(moment.database)] if moment.database is not None else [])]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        args = review_link_args(args) or args
    except CopilotError as exc:
        print(f"copilot: error: {exc}", file=sys.stderr)
        return EXIT_BAD_LINK
    if not args or args[0] == APP_COMMAND or args[0].split("=")[0] in APP_OPTIONS:
        options = parse_app_args(args[1:] if args and args[0] == APP_COMMAND else args)
        problem = why_no_display(options)
        if problem is not None:
            print(f"copilot: error: {problem}", file=sys.stderr)
            return EXIT_NO_DISPLAY
        from ui.app import run_app  # Qt starts here, and only here

        return run_app(options)
    from copilot.cli import main as cli_main

    return cli_main(args, add_commands=[add_app_command])


APP_OPTIONS = ("--source", "--screenshot", "--after", "--review")  # `copilot --source clip.mp4`: the app
EXIT_NO_DISPLAY = EXIT_BAD_LINK = 2  # as the CLI's user errors: the user can fix it


def why_no_display(options: argparse.Namespace, environ: dict[str, str] | None = None) -> str | None:
    """Why Qt would find no screen to open a window on, said before Qt aborts the process.

    Issue 19: without a display Qt's xcb plugin aborts (exit 134) and blames libxcb-cursor0,
    even when it is installed. Only Linux and the BSDs pick a display from the environment; a
    screenshot needs no screen, so it is taken offscreen instead of failing.
    """
    env = os.environ if environ is None else environ
    if not sys.platform.startswith(("linux", "freebsd", "openbsd")) or env.get("QT_QPA_PLATFORM"):
        return None
    wayland = env.get("WAYLAND_DISPLAY")
    if wayland and Path(env.get("XDG_RUNTIME_DIR", "/nonexistent"), wayland).exists():
        return None
    display = env.get("DISPLAY", "")
    if display and _x_display_reachable(display):
        return None
    if options.screenshot is not None:
        env["QT_QPA_PLATFORM"] = "offscreen"
        return None
    said = f"DISPLAY={display} cannot be reached" if display else "neither DISPLAY nor WAYLAND_DISPLAY is set"
    return (f"no screen to show the window on ({said}). Start it from a desktop session, or use "
            "`copilot app --screenshot FILE` (which needs no screen) or the other commands "
            "(`copilot --help`).")


def _x_display_reachable(display: str) -> bool:
    """A local X display (":0", "unix:1.0") has a socket in /tmp/.X11-unix; a remote one
    ("host:10", as ssh -X sets) cannot be checked without connecting, so it is trusted."""
    host, _, number = display.rpartition(":")
    if host not in ("", "unix"):
        return True
    number = number.split(".")[0]
    return not number.isdigit() or Path(f"/tmp/.X11-unix/X{number}").exists()


if __name__ == "__main__":
    sys.exit(main())
