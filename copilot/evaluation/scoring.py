"""Matching predicted signal events to labelled spans, and the counts behind the metrics.

The rule, per clip and signal:

- An expected span is *found* when a predicted event of that signal (and of its
  participant, when the label names one) overlaps the span widened by the tolerance
  on each side. Recall is found / expected. The onset delay of a found span is the
  start of the earliest matching event minus the span's start (negative: early).
- A predicted event that matches an expected span is *right*. One that matches none
  but overlaps an absent span of that signal (or of "*") is a *false alarm*; so is
  one anywhere else when the clip declares the signal `complete` (labelled over its
  whole length). Every other event is *unscored*: the labeller said nothing about
  that stretch, so neither reward nor blame. Precision is right / (right + false).

Precision counts events and recall counts spans, so several events inside one long
span do not inflate recall, and one event covering two spans finds both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median
from typing import Any

from copilot.evaluation.labels import ANY, ClipLabels, Span

TOLERANCE_S = 1.0  # how far outside a labelled span an event may lie and still match it


@dataclass(frozen=True)
class Predicted:
    signal: str
    start: float
    end: float
    participant: str | None = None

    @classmethod
    def from_result(cls, item: dict[str, Any]) -> Predicted:
        return cls(item["type"], float(item["start"]), float(item["end"]), item.get("participant"))


def predicted_events(document: dict[str, Any]) -> list[Predicted]:
    """The signal events of a result document (the `signals` list of DESIGN.md)."""
    return [Predicted.from_result(item) for item in document.get("signals", [])]


@dataclass
class SignalCounts:
    """Counts for one signal, summed over clips with `+`."""

    expected: int = 0
    found: int = 0
    right: int = 0
    false_alarms: int = 0
    unscored: int = 0
    onset_delays_s: list[float] = field(default_factory=list)

    def __add__(self, other: SignalCounts) -> SignalCounts:
        return SignalCounts(self.expected + other.expected, self.found + other.found,
                            self.right + other.right, self.false_alarms + other.false_alarms,
                            self.unscored + other.unscored, self.onset_delays_s + other.onset_delays_s)

    @property
    def precision(self) -> float | None:
        fired = self.right + self.false_alarms
        return self.right / fired if fired else None

    @property
    def recall(self) -> float | None:
        return self.found / self.expected if self.expected else None

    @property
    def f1(self) -> float | None:
        """None when nothing was expected; 0 when spans were expected and nothing right fired."""
        if self.recall is None:
            return None
        p, r = self.precision or 0.0, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def onset_delay_s(self) -> float | None:
        return median(self.onset_delays_s) if self.onset_delays_s else None


@dataclass
class Finding:
    """One line of the per-clip detail: what happened to a span or an event, and why."""

    signal: str
    outcome: str  # found | missed | false_alarm | unscored
    start: float
    end: float
    participant: str | None
    note: str


@dataclass
class ClipScore:
    labels: ClipLabels
    counts: dict[str, SignalCounts]
    findings: list[Finding]


def _belongs(span: Span, event: Predicted) -> bool:
    return span.participant is None or span.participant == event.participant


def _overlaps(event: Predicted, start: float, end: float) -> bool:
    return event.start < end and event.end > start


def score_clip(labels: ClipLabels, events: list[Predicted], signals: tuple[str, ...],
               tolerance_s: float = TOLERANCE_S) -> ClipScore:
    counts = {signal: SignalCounts() for signal in signals}
    findings: list[Finding] = []
    for span in labels.expect:
        counts[span.signal].expected += 1
        hits = [e for e in events if e.signal == span.signal and _belongs(span, e)
                and _overlaps(e, span.start - tolerance_s, span.end + tolerance_s)]
        if hits:
            delay = min(e.start for e in hits) - span.start
            counts[span.signal].found += 1
            counts[span.signal].onset_delays_s.append(delay)
            findings.append(Finding(span.signal, "found", span.start, span.end, span.participant,
                                    f"onset {delay:+.1f} s; {span.why}"))
        else:
            findings.append(Finding(span.signal, "missed", span.start, span.end, span.participant, span.why))
    for event in events:
        if event.signal not in counts:
            continue  # a signal type this evaluation does not score
        tally = counts[event.signal]
        outcome, note = _judge(labels, event, tolerance_s)
        if outcome == "right":
            tally.right += 1
            continue
        if outcome == "false_alarm":
            tally.false_alarms += 1
        else:
            tally.unscored += 1
        findings.append(Finding(event.signal, outcome, event.start, event.end, event.participant, note))
    return ClipScore(labels, counts, findings)


def _judge(labels: ClipLabels, event: Predicted, tolerance_s: float) -> tuple[str, str]:
    for span in labels.expect:
        if span.signal == event.signal and _belongs(span, event) \
                and _overlaps(event, span.start - tolerance_s, span.end + tolerance_s):
            return "right", span.why
    for span in labels.absent:
        if span.signal in (event.signal, ANY) and _belongs(span, event) \
                and _overlaps(event, span.start, span.end):
            return "false_alarm", f"fired where it must not: {span.why}"
    if labels.is_complete(event.signal):
        return "false_alarm", "fired outside every expected span of a fully labelled signal"
    return "unscored", "nobody labelled this stretch for this signal"


def total(scores: list[ClipScore], signals: tuple[str, ...]) -> dict[str, SignalCounts]:
    """Per-signal counts summed over every clip."""
    summed = {signal: SignalCounts() for signal in signals}
    for score in scores:
        for signal, tally in score.counts.items():
            summed[signal] = summed[signal] + tally
    return summed
