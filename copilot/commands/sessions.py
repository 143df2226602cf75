"""`copilot sessions list | show | export | delete`: the recorded sessions in the session database."""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path

from copilot.commands.options import add_database_option
from copilot.errors import CopilotError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sessions", help="list, show, search, export or delete recorded sessions",
        description="Every live session and every `copilot analyze` run is recorded (signals, events, "
                    "nudges, markers; no video or sound). These commands read that record.")
    add_database_option(parser)
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="one line per session: number, start, source, length, people")
    listing.set_defaults(run=run_list)
    show = actions.add_parser("show", help="a session's summary: participants, events, quality")
    show.add_argument("session", help="session number, or `last`")
    show.add_argument("--transcript", action="store_true", help="also print what was said, line by line")
    show.set_defaults(run=run_show)
    search = actions.add_parser("search", help="find what was said: sessions and moments whose transcript "
                                               "contains TEXT")
    search.add_argument("text", help="words to look for (case ignored)")
    search.set_defaults(run=run_search)
    export = actions.add_parser("export", help="write a session as the JSON result document or as CSV")
    export.add_argument("session", help="session number, or `last`")
    export.add_argument("--out", "-o", type=Path, help="where to write (default: standard output for JSON)")
    export.add_argument("--format", choices=("json", "csv"), help="default: from --out's suffix, else json")
    from copilot.session.export import TABLES

    export.add_argument("--table", choices=tuple(TABLES),
                        help="for CSV: which table (default: scores, 5 a second per participant)")
    export.set_defaults(run=run_export)
    delete = actions.add_parser("delete", help="delete sessions for good")
    delete.add_argument("session", nargs="+", help="session numbers, or `last`")
    delete.set_defaults(run=run_delete)
    for action in (listing, show, search, export, delete):
        add_database_option(action, after_action=True)


def _database(args: argparse.Namespace):
    from copilot.session.store import open_database

    return open_database(args.database, create=False)


def _names_the_database(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    @functools.wraps(run)
    def named(args: argparse.Namespace) -> int:
        from copilot.session.store import said_as_database_errors

        with said_as_database_errors(args.database):
            return run(args)
    return named


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


def session_kind(mode: str, source_kind: str) -> str:
    """"analysis of a file", "live sales, camera": how the session came about, in the user's words."""
    if mode == "analyze":
        return f"analysis of a {source_kind}"
    return f"live {mode}, {source_kind}"


@_names_the_database
def run_list(args: argparse.Namespace) -> int:
    from copilot.session.library import list_sessions

    db = _database(args)
    sessions = list_sessions(db)
    if not sessions:
        print("no sessions recorded yet")
        return 0
    # Issue 19: a header row says what each column is, and KIND what each session was.
    print(f"{'#':>4}  {'started':<19}  {'length':>8}  {'kind':<22}  source  [people]")
    for s in sessions:
        people = ", ".join(s.participants) or "nobody"
        flag = "" if s.complete else "  (not closed: the app ended, or the disk filled, during it)"
        if s.recorded_until is not None:
            flag = f"  (recording stopped at {_minutes(s.recorded_until)}: the rest is not recorded)"
        print(f"{s.id:>4}  {s.started_at[:19].replace('T', ' ')}  {_minutes(s.duration_s):>8}  "
              f"{session_kind(s.mode, s.source_kind):<22}  {s.source_name}  [{people}]{flag}")
    return 0


@_names_the_database
def run_show(args: argparse.Namespace) -> int:
    from copilot.session.library import load_session
    from copilot.session.summaries import quality_line

    data = load_session(_database(args), args.session)
    info, doc = data.info, data.document
    print(f"session {info.id}: {info.source_name} ({info.source_kind}, {info.mode} mode)")
    print(f"started {info.started_at}, ended {info.ended_at or 'never (the app was stopped hard)'}, "
          f"{_minutes(info.duration_s)} long")
    for p in doc["participants"]:
        seen = "heard" if p["by"] == "voice" else "seen"
        when = (f"at {p['first_seen']:.1f} s only" if p["last_seen"] - p["first_seen"] < 0.05
                else f"from {p['first_seen']:.1f} s to {p['last_seen']:.1f} s")
        print(f"  {p['id']}: {seen} {when}")
    quality = doc["conversation_quality"]["overall"]
    print("conversation quality: " + quality_line(quality))
    print(f"{len(doc['signals'])} signal events, {len(data.nudges)} nudges, {len(data.markers)} markers")
    for event in doc["signals"]:
        print(f"  {event['start']:7.1f}-{event['end']:7.1f} s  {event['participant']}  {event['type']:<13} "
              f"{event['probability']:<6} {event['rationale']}")
    for nudge in data.nudges:
        print(f"  nudge   {nudge['t']:7.1f} s  {nudge['participant'] or '':<4} {nudge['message']}")
    for marker in data.markers:
        print(f"  marker  {marker['t']:7.1f} s  {marker['label']}")
    if getattr(args, "transcript", False):
        said = doc.get("transcript", [])
        print(f"transcript: {len(said)} lines" if said else "transcript: nothing was transcribed")
        for line in said:
            print(f"  {_minutes(line['start']):>8}  {line['participant']}: {line['text']}")
    return 0


def run_search(args: argparse.Namespace) -> int:
    from copilot.session.library import search_transcripts

    if not args.text.strip():
        raise CopilotError("sessions search: give some words to look for")
    found = search_transcripts(_database(args), args.text.strip())
    if not found:
        print(f"nothing said matches {args.text.strip()!r}")
        return 1
    for line in found:
        print(f"session {line.session_id:>4}  {_minutes(line.start):>8}  {line.source_name}  "
              f"{line.participant}: {line.text}")
    return 0


@_names_the_database
def run_export(args: argparse.Namespace) -> int:
    from copilot.files.writing import write_json_atomically
    from copilot.session.export import write_csv
    from copilot.session.library import find_session, result_document

    db = _database(args)
    info = find_session(db, args.session)
    kind = args.format or ("csv" if args.out is not None and args.out.suffix.lower() == ".csv" else "json")
    if kind == "csv":
        if args.out is None:
            raise CopilotError("sessions export: CSV needs --out FILE (one table per file)")
        table = args.table or "scores"
        count = write_csv(db, info.id, table, args.out)
        print(f"wrote {count} rows of {table} to {args.out}", file=sys.stderr)
        return 0
    if args.table is not None:
        raise CopilotError(f"sessions export: --table is for CSV; the JSON document holds every table "
                           f"(write to a .csv file or add --format csv to get {args.table} alone)")
    document = result_document(db, info)
    if args.out is None:
        json.dump(document, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        write_json_atomically(document, args.out)
        print(f"wrote session {info.id} as JSON to {args.out}", file=sys.stderr)
    return 0


@_names_the_database
def run_delete(args: argparse.Namespace) -> int:
    from copilot.session.library import delete_session, find_session

    db = _database(args)
    found = [find_session(db, ref) for ref in args.session]  # all found, or none deleted
    chosen = list({info.id: info for info in found}.values())
    for info in chosen:
        delete_session(db, info.id)
        print(f"deleted session {info.id} ({info.source_name}, {info.started_at[:19]})")
    return 0
