"""`copilot analyze FILE`: analyse a recording and write the result document."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from copilot.capture.items import nothing_to_analyse
from copilot.capture.media_file import MediaFile
from copilot.commands.sessions import add_database_option
from copilot.engine import Engine, Sink
from copilot.output import check_distinct, check_writable, write_atomically
from copilot.pipeline import model_checksums, standard_analyzers
from copilot.result import ResultCollector
from copilot.signals.csv_out import ScoresCsv
from copilot.step import Step


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "analyze", help="analyse a recording and write its signals as JSON",
        description="Analyse a video or audio file (mp4, mkv, webm, mov, avi, wav, flac, ...) "
                    "and write the result document described in DESIGN.md.")
    parser.add_argument("file", type=Path, help="the recording to analyse")
    parser.add_argument("--out", "-o", type=Path, help="where to write the JSON (default: standard output)")
    parser.add_argument("--csv", type=Path, metavar="FILE",
                        help="also write the signal scores per tick (10 a second) and participant as CSV")
    parser.add_argument("--paced", action="store_true",
                        help="analyse at playback speed, exactly as a live session would")
    parser.add_argument("--report", type=Path, metavar="FILE",
                        help="also write the HTML report of this analysis (see `copilot report`)")
    parser.add_argument("--no-record", action="store_true",
                        help="do not keep this analysis in the session database")
    add_database_option(parser)
    parser.set_defaults(run=run)


class _Progress:
    """A sink that advances a terminal progress bar by media time (silent when not a terminal)."""

    def __init__(self, duration_s: float, label: str) -> None:
        from tqdm import tqdm

        self._bar = tqdm(total=round(duration_s, 1), unit="s", desc=label, disable=None,
                         bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.1f}/{total:.1f} s "
                                    "[{elapsed}<{remaining}]")
        self._done = 0.0

    def __call__(self, step: Step) -> None:
        ahead = round(step.t, 1) - self._done
        if ahead > 0:
            self._bar.update(ahead)
            self._done += ahead

    def close(self) -> None:
        self._bar.close()


def write_json_atomically(document: dict, path: Path) -> None:
    write_atomically(path, json.dumps(document, indent=2) + "\n")


def analyze_file(path: Path, *, paced: bool = False, csv_path: Path | None = None,
                 sinks: Sequence[Sink] = ()) -> tuple[dict, list[str]]:
    """The result document of one recording and the errors met on the way (`copilot eval` reuses it)."""
    source = MediaFile(path, pace=paced)
    source.open()
    collector = ResultCollector(source_kind="file")
    progress = _Progress(source.duration_s, source.name)
    scores = ScoresCsv(csv_path) if csv_path is not None else None
    every = [collector, progress, *([scores] if scores else []), *sinks]
    engine = Engine([source], standard_analyzers(), every, lossless=not paced)
    try:
        engine.run()
    finally:
        progress.close()
        if scores is not None:
            scores.close()
    if not collector.heard_or_seen and not engine.errors:
        raise nothing_to_analyse(source.name)
    document = collector.document(duration_s=source.duration_s, fps=source.fps,
                                  source=source.describe(), models=model_checksums())
    if engine.errors:
        document["meta"]["errors"] = engine.errors
    for analyzer in engine.analyzers:  # a part that switched itself off (the speech model would not load)
        if getattr(analyzer, "error", None):
            engine.warnings.append(analyzer.error)
    if engine.warnings:
        document["meta"]["warnings"] = engine.warnings
    for message in engine.warnings:
        print(f"copilot: warning: {message}", file=sys.stderr)
    return document, engine.errors


def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="copilot-analyze-") as scratch:
        return _run(args, Path(scratch) / "sessions.sqlite3" if args.no_record else args.database,
                    Path(scratch) / "report.sqlite3")


def _run(args: argparse.Namespace, database: Path | None, scratch: Path) -> int:
    """Records the analysis as a session (a scratch database with --no-record, only for --report).

    A session database that cannot be used does not cost the analysis: it is named on
    stderr, and the result (and the report, from a scratch database) is written all the same.
    """
    from copilot.session.recorder import SessionRecorder
    from copilot.session.store import DatabaseError

    check_distinct({"--out": args.out, "--csv": args.csv, "--report": args.report})
    for target in (args.out, args.report):
        if target is not None:
            check_writable(target)
    recorder = None
    if not args.no_record or args.report is not None:
        def recorder_in(path: Path | None) -> SessionRecorder:
            return SessionRecorder(path, source_name=args.file.name, source_kind="file", mode="analyze",
                                   media_path=args.file.resolve())
        try:
            recorder = recorder_in(database)
        except DatabaseError as exc:
            print(f"copilot: warning: this analysis is not recorded: {exc}", file=sys.stderr)
            database = scratch
            recorder = recorder_in(scratch) if args.report is not None else None
    try:
        document, errors = analyze_file(args.file, paced=args.paced, csv_path=args.csv,
                                        sinks=[recorder] if recorder is not None else [])
    except BaseException:
        if recorder is not None:
            recorder.discard()
        raise
    if recorder is not None:
        recorder.close(document["meta"])
    if args.out is None:
        json.dump(document, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        write_json_atomically(document, args.out)
    if args.report is not None:
        from copilot.session.library import load_session
        from copilot.session.report import write_report
        from copilot.session.store import open_database

        write_report(load_session(open_database(database, create=False), recorder.session_id), args.report)
    for message in errors:
        print(f"copilot: error: {message}", file=sys.stderr)
    return 1 if errors else 0
