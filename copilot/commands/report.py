"""`copilot report SESSION_OR_RESULT_JSON --out report.html`: the offline HTML report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from copilot.commands.options import add_database_option


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report", help="write a self-contained HTML report of a session or a result JSON",
        description="Write one HTML file: a written summary, key moments with a picture of each, a card "
                    "per person, what each conversation-quality score means, charts of the signals "
                    "over time, and in practice mode the speaking metrics. "
                    "It opens offline in any browser.")
    parser.add_argument("what", metavar="SESSION_OR_RESULT_JSON",
                        help="a session number (see `copilot sessions list`), `last`, or a result JSON file")
    parser.add_argument("--out", "-o", type=Path, required=True, help="the HTML file to write")
    parser.add_argument("--speaking", action=argparse.BooleanOptionalAction, default=None,
                        help="include the speaking metrics (default: for practice sessions)")
    add_database_option(parser)
    parser.set_defaults(run=run)


def load(what: str, database: Path | None):
    """A session by number or `last`, else a result JSON file."""
    from copilot.session.library import load_session
    from copilot.session.report import session_from_result
    from copilot.session.store import open_database

    if what == "last" or what.isdigit():
        return load_session(open_database(database, create=False), what)
    return session_from_result(Path(what))


def run(args: argparse.Namespace) -> int:
    from copilot.session.report import Review, write_report

    size = write_report(load(args.what, args.database), args.out, speaking=args.speaking,
                        review=Review(args.database))
    print(f"wrote {args.out} ({size / 1e6:.1f} MB)", file=sys.stderr)
    return 0
