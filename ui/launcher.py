"""`copilot`: the desktop app with no command (or `copilot app`), the engine's CLI otherwise.

Qt is imported only when the app starts, so `copilot analyze` and friends work on a
machine without a display or without the GUI libraries.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

APP_COMMAND = "app"


def build_app_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="copilot app", description="Start the Meeting Copilot desktop app.")
    parser.add_argument("--source", metavar="SOURCE",
                        help="what to watch: a recording's path, camera:N or screen[:N] "
                             "(default: the first camera)")
    parser.add_argument("--screenshot", type=Path, metavar="PNG",
                        help="save a picture of the window after --after seconds, then quit")
    parser.add_argument("--after", type=float, default=3.0, metavar="SECONDS",
                        help="seconds of analysis before the screenshot (default: 3)")
    return parser


def parse_app_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = build_app_parser()
    options = parser.parse_args(list(argv))
    if options.after < 0:
        parser.error("--after must be zero or more seconds")
    return options


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] == APP_COMMAND:
        options = parse_app_args(args[1:])
        from ui.app import run_app  # Qt starts here, and only here

        return run_app(options)
    from copilot.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
