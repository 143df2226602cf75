"""`copilot ...`: the engine's command line. Errors become one line and a non-zero exit."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from copilot.commands import analyze, bench, cues, devices, report, serve, sessions
from copilot.commands import eval as evaluate
from copilot.errors import CopilotError
from copilot.result.document import version

COMMANDS = (analyze, evaluate, cues, devices, bench, sessions, report, serve)
EXIT_USER_ERROR = 2  # bad input: a file, device, model or setting the user can fix
EXIT_BUG = 70  # EX_SOFTWARE: something we got wrong


AddCommand = Callable[[argparse._SubParsersAction], None]


def build_parser(add_commands: Sequence[AddCommand] = ()) -> argparse.ArgumentParser:
    """`add_commands`: commands that live outside the engine (the desktop app's `app`), so that
    `copilot --help` lists them too."""
    parser = argparse.ArgumentParser(
        prog="copilot",
        description="Meeting Copilot reads the social signals of the people in a conversation, "
                    "live and on this machine. Without a command it starts the desktop app.",
        epilog="Start the desktop app with `copilot` or `copilot app [--source FILE|camera:N|screen:N]`; "
               "`copilot COMMAND --help` says more about each command.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="log progress and show full tracebacks on errors")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for add in add_commands:
        add(subparsers)
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None, add_commands: Sequence[AddCommand] = ()) -> int:
    parser = build_parser(add_commands)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not hasattr(args, "run"):
        parser.print_help()
        return 0
    try:
        return args.run(args)
    except CopilotError as exc:
        if args.verbose:
            logging.exception("details")
        print(f"copilot: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("copilot: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        if exc.filename is None:
            return _internal_error(exc, args.verbose)
        # A file or folder that could not be read or written: the user can fix that.
        if args.verbose:
            logging.exception("details")
        print(f"copilot: error: {exc.filename}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except Exception as exc:
        return _internal_error(exc, args.verbose)


def _internal_error(exc: Exception, verbose: bool) -> int:
    if verbose:
        raise exc
    print(f"copilot: internal error: {type(exc).__name__}: {exc} (run again with --verbose "
          "for the traceback, and please report it)", file=sys.stderr)
    return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
