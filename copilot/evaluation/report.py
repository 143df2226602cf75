"""The evaluation's output: a table for people and a JSON document for scripts."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from copilot.evaluation.scoring import TOLERANCE_S, ClipScore, SignalCounts

HEADER = ("signal", "expected", "found", "fired", "false", "unscored", "precision", "recall", "F1",
          "onset s")


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _row(name: str, counts: SignalCounts) -> tuple[str, ...]:
    delay = counts.onset_delay_s
    return (name, str(counts.expected), str(counts.found), str(counts.right + counts.false_alarms),
            str(counts.false_alarms), str(counts.unscored), _ratio(counts.precision), _ratio(counts.recall),
            _ratio(counts.f1), "-" if delay is None else f"{delay:+.1f}")


def overall(totals: dict[str, SignalCounts]) -> SignalCounts:
    """All signals pooled (a micro average), for a one-line summary."""
    pooled = SignalCounts()
    for counts in totals.values():
        pooled = pooled + counts
    return pooled


def table(totals: dict[str, SignalCounts], scores: list[ClipScore], skipped: list[str],
          tolerance_s: float = TOLERANCE_S) -> str:
    rows = [HEADER, *(_row(name, counts) for name, counts in totals.items()), _row("all", overall(totals))]
    widths = [max(len(row[k]) for row in rows) for k in range(len(HEADER))]
    lines = [f"Scored {len(scores)} clip(s), skipped {len(skipped)}; spans match within ±{tolerance_s:g} s."]
    lines += [f"  skipped: {reason}" for reason in skipped]
    for k, row in enumerate(rows):
        if k == len(rows) - 1:
            lines.append("  ".join("-" * w for w in widths))
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    lines.append("expected: labelled spans; found: of those, matched by an event; fired: events judged "
                 "(right + false); unscored: events where nothing was labelled; onset: median start delay.")
    return "\n".join(lines)


def _metrics(counts: SignalCounts) -> dict[str, Any]:
    return {"expected": counts.expected, "found": counts.found, "right": counts.right,
            "false_alarms": counts.false_alarms, "unscored": counts.unscored,
            "precision": counts.precision, "recall": counts.recall, "f1": counts.f1,
            "onset_delay_s": counts.onset_delay_s}


def as_json(totals: dict[str, SignalCounts], scores: list[ClipScore], skipped: list[str],
            tolerance_s: float = TOLERANCE_S) -> dict[str, Any]:
    return {
        "tolerance_s": tolerance_s,
        "signals": {name: _metrics(counts) for name, counts in totals.items()},
        "overall": _metrics(overall(totals)),
        "clips": [{"labels": str(score.labels.path), "clip": score.labels.clip,
                   "findings": [asdict(finding) for finding in score.findings]} for score in scores],
        "skipped": skipped,
    }
