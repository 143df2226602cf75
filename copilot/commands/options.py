"""Command-line options that several commands share, so that each reads and says the same everywhere."""

from __future__ import annotations

import argparse
from pathlib import Path

from copilot.session.store import DATABASE_ENV


def add_database_option(parser: argparse.ArgumentParser, *, after_action: bool = False) -> None:
    """`after_action`: the option repeated on an action, so that it may also follow it (it must not
    then reset the value given before the action, hence no default of its own)."""
    parser.add_argument("--database", type=Path, metavar="FILE",
                        default=argparse.SUPPRESS if after_action else None,
                        help=f"the session database (default: ${DATABASE_ENV}, else sessions.sqlite3 "
                             "in your data folder)")
