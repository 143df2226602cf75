"""`copilot analyze FILE`: analyse a recording and write the result document."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from copilot.commands.options import add_database_option
from copilot.files.scratch import scratch_folder, sweep
from copilot.files.writing import check_distinct, check_writable, write_json_atomically
from copilot.result.recording import analyze_file


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "analyze", help="analyse a recording and write its signals as JSON",
        description="Analyse a video or audio file (mp4, mkv, webm, mov, avi, wav, flac, ...) "
                    "and write its result as JSON: each person's signal events with the evidence for "
                    "them, engagement states and conversation quality (a superset of the Interhuman "
                    "Signals API's upload response; the exact layout is copilot/result/schema.json).")
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE",
                        help="the recording to analyse; with --out-dir, any number of recordings and folders")
    parser.add_argument("--out", "-o", type=Path, help="where to write the JSON (default: standard output)")
    parser.add_argument("--csv", type=Path, metavar="FILE",
                        help="also write the signal scores per tick (10 a second) and participant as CSV")
    parser.add_argument("--paced", action="store_true",
                        help="analyse at playback speed, exactly as a live session would")
    parser.add_argument("--report", type=Path, metavar="FILE",
                        help="also write the HTML report of this analysis (see `copilot report`)")
    parser.add_argument("--no-record", action="store_true",
                        help="do not keep this analysis in the session database")
    parser.add_argument("--no-words", action="store_true",
                        help="do not transcribe what is said: no transcript and no word cues (the speech "
                             "model reads English only; other languages come out as English-sounding "
                             "nonsense). Faces and voices are analysed as before")
    add_database_option(parser)
    team = parser.add_argument_group(
        "a library of calls", "With --out-dir, every recording named or found in the folders named (and "
        "their subfolders) is analysed, on Ray workers when Ray is installed (pip install -e '.[team]'). "
        "Each gets a result beside the others, with summary.csv and team.html; a recording already "
        "analysed, known by its content and the settings, is skipped, so a stopped batch goes on "
        "where it stopped.")
    team.add_argument("--out-dir", type=Path, metavar="OUT", help="where the results and the summary go")
    team.add_argument("--workers", type=_count, metavar="N",
                      help="Ray workers on this machine (default: one per core)")
    team.add_argument("--ray-address", metavar="ADDR",
                      help="join the running Ray cluster at ADDR (e.g. head-node:6379) instead")
    team.add_argument("--team", type=Path, metavar="FILE",
                      help="whose each recording is, for the summary (TOML; see docs/team.md)")
    parser.set_defaults(run=run)


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of workers (1 or more)")
    return int(text)


ONE_FILE = {"--out": "out", "--csv": "csv", "--report": "report", "--paced": "paced"}
BATCH_ONLY = {"--workers": "workers", "--ray-address": "ray_address", "--team": "team"}


def _one_or_batch(args: argparse.Namespace) -> None:
    """Options that belong to one recording, or to a batch, used with the other: one line, before work."""
    from copilot.errors import CopilotError

    if args.out_dir is not None:
        given = [option for option, name in ONE_FILE.items() if getattr(args, name)]
        if given:
            raise CopilotError(f"{', '.join(given)}: for one recording; a batch (--out-dir) writes a result "
                               "per recording and its summary into OUT")
        return
    given = [option for option, name in BATCH_ONLY.items() if getattr(args, name) is not None]
    if given:
        raise CopilotError(f"{', '.join(given)}: for a batch; add --out-dir OUT")
    if len(args.files) > 1 or args.files[0].is_dir():
        raise CopilotError(f"{' '.join(str(f) for f in args.files)}: several recordings or a folder need "
                           "--out-dir OUT (a result per recording, and their summary)")
    args.file = args.files[0]


def done_line(document: dict, written: Sequence[Path]) -> str:
    meta = document["meta"]
    people, events = len(document["participants"]), len(document["signals"])
    talk = "".join(f", {row['participant']} talked {row['talk_s']:.1f} s ({row['talk_share']:.0%})"
                   for row in document.get("conversation", ()))
    return (f"analysed {meta['duration']:.1f} s of {Path(meta['source']['path']).name}: {people} "
            f"{'person' if people == 1 else 'people'}, {events} signal event{'' if events == 1 else 's'}"
            f"{talk}; wrote {', '.join(str(path) for path in written)}")


SCRATCH_PREFIX = "copilot-analyze-"


def run(args: argparse.Namespace) -> int:
    _one_or_batch(args)
    sweep(SCRATCH_PREFIX)
    with contextlib.ExitStack() as stack:
        def scratch() -> Path:
            """A private folder for a database that is not the user's (a report's or a batch's figures),
            made only when one is needed."""
            return Path(stack.enter_context(scratch_folder(SCRATCH_PREFIX))) / "report.sqlite3"
        if args.out_dir is not None:
            from copilot.batch.run import run_batch

            return run_batch(args.files, args.out_dir, workers=args.workers, address=args.ray_address,
                             database=args.database, record=not args.no_record, team_file=args.team,
                             scratch=scratch, verbose=args.verbose, words=not args.no_words)
        return _run(args, scratch)


def _run(args: argparse.Namespace, scratch: Callable[[], Path]) -> int:
    """Records the analysis as a session (in a scratch database with --no-record, only for --report).

    A session database that cannot be used, at the start or part way, does not cost the
    analysis: it is said in one line naming the file and the reason, on stderr and in the
    result's warnings, and the result (and the report, from a scratch database if need be)
    is written all the same.
    """
    from copilot.session.recorder import SessionRecorder
    from copilot.session.store import DatabaseError

    check_distinct({"--out": args.out, "--csv": args.csv, "--report": args.report})
    for target in (args.out, args.report):
        if target is not None:
            check_writable(target)
    recorder, database, not_recorded = None, args.database, []

    def recorder_in(path: Path | None) -> SessionRecorder:
        return SessionRecorder(path, source_name=args.file.name, source_kind="file", mode="analyze",
                               media_path=args.file.resolve())
    if args.no_record:
        if args.report is not None:
            database = scratch()
            recorder = recorder_in(database)
    else:
        try:
            recorder = recorder_in(database)
        except DatabaseError as exc:
            not_recorded.append(f"this analysis is not recorded: {exc}")
            print(f"copilot: warning: {not_recorded[-1]}", file=sys.stderr)
            if args.report is not None:
                database = scratch()
                recorder = recorder_in(database)
    try:
        document, errors = analyze_file(args.file, paced=args.paced, csv_path=args.csv,
                                        sinks=[recorder] if recorder is not None else [],
                                        words=not args.no_words)
    except BaseException:
        if recorder is not None:
            recorder.discard()
        raise
    if recorder is not None:
        recorder.close(document["meta"])
        if recorder.problem is not None:
            not_recorded.append(f"this analysis is only partly recorded: {recorder.problem}")
            print(f"copilot: warning: {not_recorded[-1]}", file=sys.stderr)
    if not_recorded:
        document["meta"]["warnings"] = [*document["meta"].get("warnings", []), *not_recorded]
    if args.out is None:
        json.dump(document, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        write_json_atomically(document, args.out)
    written = [path for path in (args.out, args.csv, args.report) if path is not None]
    if args.report is not None:
        from copilot.session.library import load_session
        from copilot.session.report import Review, write_report
        from copilot.session.store import open_database, said_as_database_errors

        with said_as_database_errors(database):
            data = load_session(open_database(database, create=False), recorder.session_id)
        # a session kept in a scratch database (not recorded) has nothing to open later
        write_report(data, args.report, review=Review(database) if database is args.database else None)
    if written:
        # Issue 19: with every output in files and no terminal (no progress bar), the run said
        # nothing at all; standard output is free then, and one line says what came of it.
        print(done_line(document, written))
    for message in errors:
        print(f"copilot: error: {message}", file=sys.stderr)
    return 1 if errors else 0
