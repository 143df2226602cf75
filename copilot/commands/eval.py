"""`copilot eval PATH...`: analyse labelled clips and score the signals against their labels.

Each clip is analysed in this process by the same code as `copilot analyze`, so the
score is of exactly what a user gets. Every labels file is read before any clip is
analysed, so a typo fails in a second rather than after minutes of analysis.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from copilot.errors import CopilotError
from copilot.evaluation.behaviours import TOLERANCE_S as BEHAVIOUR_TOLERANCE_S
from copilot.evaluation.diarization import RTTM_SUFFIX, evaluate, speakers_table
from copilot.evaluation.labels import (
    SHARED_DATA_ENV,
    SHARED_PREFIX,
    ClipLabels,
    clip_path,
    load_labels,
    signal_types,
)
from copilot.evaluation.report import as_json, table
from copilot.evaluation.scoring import TOLERANCE_S, ClipScore, predicted_events, score_clip, total


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval", help="score the signals against labelled clips",
        description="Analyse every clip named by the labels files (*.toml) and print per-signal precision, "
                    "recall, F1 and onset delay. Face behaviour labels files (those naming a `split`) are "
                    "scored per behaviour instead: recall, false alarms per minute and gaze, tuning and "
                    "checking halves side by side, and one row per cell of the rendered head-gesture "
                    "sweep. The label formats are described in tests/scenarios/README.md and "
                    "tests/scenarios/behaviours/README.md. Speaker turns (an RTTM file beside its "
                    "recording, or a recording named as is) are scored by diarization error rate and "
                    "turn changes found.")
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                        help="a labels file, an RTTM file or a recording, or a folder searched for "
                             "labels and RTTM files")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON instead of a table")
    parser.add_argument("--details", action="store_true",
                        help="also list, per clip, the missed spans, false alarms and unscored events")
    parser.add_argument("--out-dir", type=Path, help="keep each clip's result document here, for inspection")
    parser.add_argument("--results", type=Path, metavar="DIR",
                        help="score the result documents already in DIR (as written by --out-dir) "
                             "instead of analysing the clips again")
    parser.add_argument("--tolerance", type=float, default=TOLERANCE_S, metavar="SECONDS",
                        help="how far outside a span an event may lie and still match "
                             f"(default {TOLERANCE_S:g})")
    parser.add_argument("--tolerance-behaviours", type=float, default=BEHAVIOUR_TOLERANCE_S,
                        metavar="SECONDS",
                        help="the same for face behaviour labels (nods, shakes, smiles, laughter; "
                             f"default {BEHAVIOUR_TOLERANCE_S:g})")
    parser.set_defaults(run=run)


def labels_files(paths: list[Path]) -> list[Path]:
    """The labels files named, and in the folders named those that label a clip: a folder may
    also hold other data (tests/scenarios/fillers.toml labels words, not a clip)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += [p for p in sorted(path.rglob("*.toml")) if _labels_a_clip(p)]
            found += sorted(path.rglob(f"*{RTTM_SUFFIX}"))
        elif path.is_file():
            found.append(path)
        else:
            raise CopilotError(f"no such labels file or folder: {path}")
    if not found:
        raise CopilotError(f"no labels files (*.toml, *{RTTM_SUFFIX}) in {', '.join(map(str, paths))}")
    return found


def _labels_a_clip(path: Path) -> bool:
    """A TOML file with a top-level `clip`; one that does not parse is kept, so that it is named."""
    import tomllib

    try:
        return "clip" in tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True


def _speakers(paths: list[Path]) -> tuple[str, list[dict], list[str]]:
    """Diarizes each recording (an RTTM file's, or one named as is) and scores it: (table, JSON, errors)."""
    results, errors = [], []
    for path in paths:
        if sys.stderr.isatty():
            print(f"finding the voices in {path.name}", file=sys.stderr)
        try:
            results.append(evaluate(path))
        except CopilotError as exc:
            errors.append(str(exc))
    return speakers_table(results), [r.to_json() for r in results], errors


def _result_names(all_labels: list[ClipLabels]) -> list[str]:
    """A file name per clip for --out-dir and --results: the labels file's name, made unique."""
    names: list[str] = []
    for labels in all_labels:
        name, k = labels.name, 2
        while name in names:
            name, k = f"{labels.name}-{k}", k + 1
        names.append(name)
    return names


def _missing_clip(labels: ClipLabels, clip: Path) -> str:
    shared = labels.clip.startswith(SHARED_PREFIX)
    hint = f" (set {SHARED_DATA_ENV} to the shared recordings folder)" if shared else ""
    return f"{labels.path}: clip {clip} not found{hint}"


def _document(labels: ClipLabels, name: str, args: argparse.Namespace, skipped: list[str],
              errors: list[str]) -> dict | None:
    """The clip's result document, analysed now or read from --results; None when it is skipped."""
    from copilot.files.writing import write_json_atomically
    from copilot.result.recording import analyze_file

    if args.results is not None:
        saved = args.results / f"{name}.json"
        if not saved.is_file():
            skipped.append(f"{labels.path}: no result {saved}")
            return None
        return json.loads(saved.read_text(encoding="utf-8"))
    clip = clip_path(labels)
    if not clip.is_file():
        skipped.append(_missing_clip(labels, clip))
        return None
    if sys.stderr.isatty():
        print(f"analysing {clip.name} ({labels.path.name})", file=sys.stderr)
    try:
        document, problems = analyze_file(clip)
    except CopilotError as exc:
        errors.append(f"{labels.path}: {exc}")
        return None
    errors += [f"{clip}: {problem}" for problem in problems]
    if args.out_dir is not None:
        write_json_atomically(document, args.out_dir / f"{name}.json")
    return document


def _details(scores: list[ClipScore]) -> str:
    lines = []
    for score in scores:
        lines.append(f"{score.labels.path} ({score.labels.clip})")
        for f in score.findings:
            if f.outcome != "found":
                who = f" {f.participant}" if f.participant else ""
                lines.append(f"  {f.outcome:11s} {f.signal}{who} {f.start:.1f}-{f.end:.1f} s: {f.note}")
    return "\n".join(lines)


def _behaviours(paths: list[Path], args: argparse.Namespace) -> tuple[str, dict, list[str]]:
    """Scores the face behaviour labels files: (tables, JSON, errors)."""
    from copilot.evaluation import behaviours as b
    from copilot.files.writing import write_json_atomically

    all_labels = [b.load_behaviour_labels(path) for path in paths]
    scores, skipped, errors = [], [], []
    for labels, name in zip(all_labels, _result_names(all_labels), strict=True):
        saved = (args.results or args.out_dir or Path()) / f"{name}.behaviours.json"
        if args.results is not None:
            if not saved.is_file():
                skipped.append(f"{labels.path}: no result {saved}")
                continue
            observed = b.Observed.from_json(json.loads(saved.read_text(encoding="utf-8")))
        else:
            clip = clip_path(labels)
            if not clip.is_file():
                skipped.append(_missing_clip(labels, clip))
                continue
            if sys.stderr.isatty():
                print(f"analysing {clip.name} ({labels.path.name})", file=sys.stderr)
            try:
                observed, problems = b.observe(clip)
            except CopilotError as exc:
                errors.append(f"{labels.path}: {exc}")
                continue
            errors += [f"{clip}: {problem}" for problem in problems]
            if args.out_dir is not None:
                write_json_atomically(observed.to_json(), saved)
        scores.append(b.score_behaviours(labels, observed, args.tolerance_behaviours))
    parts = [b.details(scores)] if args.details else []
    parts += ["face behaviours (recall of labelled spans; false alarms per minute of fully labelled clips)",
              b.halves_table(scores)]
    sweep = b.sweep_table(scores)
    parts += [sweep] if sweep else []
    parts += [f"skipped: {line}" for line in skipped]
    if skipped and not scores:  # nothing to score is a failure, not an empty table
        errors.append(f"none of the {len(skipped)} labelled clips could be scored ({skipped[0]})")
    return "\n\n".join(p for p in parts if p), b.as_json(scores) | {"skipped": skipped}, errors


def run(args: argparse.Namespace) -> int:
    from copilot.evaluation.behaviours import is_behaviour_labels

    files = labels_files(args.paths)
    speaker_files = [path for path in files if path.suffix != ".toml"]  # RTTM files and recordings
    files = [path for path in files if path.suffix == ".toml"]
    behaviour_files = [path for path in files if is_behaviour_labels(path)]
    signal_files = [path for path in files if path not in behaviour_files]
    behaviour_report, behaviour_json, errors = (
        _behaviours(behaviour_files, args) if behaviour_files else ("", None, []))
    speaker_report, speaker_json, speaker_errors = (
        _speakers(speaker_files) if speaker_files else ("", None, []))
    errors += speaker_errors
    extra_reports = [r for r in (behaviour_report, speaker_report) if r]
    extra_json = {k: v for k, v in (("behaviours", behaviour_json), ("speakers", speaker_json))
                  if v is not None}
    if not signal_files:
        if args.json:
            json.dump(extra_json.get("behaviours") if list(extra_json) == ["behaviours"] else extra_json,
                      sys.stdout, indent=2)
            sys.stdout.write("\n")
        else:
            print("\n\n".join(extra_reports))
        for message in errors:
            print(f"copilot: error: {message}", file=sys.stderr)
        return 1 if errors else 0
    all_labels = [load_labels(path) for path in signal_files]
    signals = signal_types()
    scores: list[ClipScore] = []
    skipped: list[str] = []
    for labels, name in zip(all_labels, _result_names(all_labels), strict=True):
        document = _document(labels, name, args, skipped, errors)
        if document is not None:
            scores.append(score_clip(labels, predicted_events(document), signals, args.tolerance))
    totals = total(scores, signals)
    if args.json:
        document = as_json(totals, scores, skipped, args.tolerance) | extra_json
        json.dump(document, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        if args.details:
            print(_details(scores) + "\n")
        print(table(totals, scores, skipped, args.tolerance))
        for report in extra_reports:
            print("\n" + report)
    for message in errors:
        print(f"copilot: error: {message}", file=sys.stderr)
    return 1 if errors else 0
