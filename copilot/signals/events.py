"""Signal events: a score that stays high becomes an event with a start, an end and a reason.

Hysteresis keeps events from flickering: an event starts when the score has been at or
above `on` for `min_on_s` (its start is when it first got there) and ends once the
score has stayed below `off` for `min_off_s` (its end is when it dropped). Live, the
"started" announcement comes `min_on_s` after the start; the result file only has
finished events. No event starts before its rationale can rest on `min_evidence_s` of the
person (weights.toml [events.min_evidence_s]).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from copilot.signals.bands import band_of, percent
from copilot.signals.features import FEATURE_NAMES, FEATURES
from copilot.signals.rationale import MENTION_SHARE, Evidence, sentence

VISUAL = np.array([FEATURES[n][0] == "visual" for n in FEATURE_NAMES])


@dataclass(slots=True)
class SignalEvent:
    type: str
    participant: str
    start: float
    end: float | None  # None while it runs
    peak: float
    probability: str  # low | medium | high
    rationale: str
    modality: list[str] = field(default_factory=list)
    evidence_s: float = 0.0  # seconds of ticks the rationale rests on (run-up included); not in the JSON

    def to_json(self) -> dict[str, object]:
        return {"type": self.type, "start": round(self.start, 3),
                "end": round(self.end if self.end is not None else self.start, 3),
                "probability": self.probability, "rationale": self.rationale,
                "modality": list(self.modality), "participant": self.participant,
                "peak": round(float(self.peak), 3)}


def reaches(score: float, on: float) -> bool:
    """At or above the start threshold as the score is shown (0-100): an event starts exactly
    where the app's word for the score turns "medium" (bands.band_of), not a rounding earlier."""
    return percent(score) >= percent(on)


class EventTrack:
    """One participant's one signal: off -> pending -> on -> ending -> off."""

    def __init__(self, signal: str, participant: str, settings: dict[str, float], phrases: dict,
                 tick_s: float) -> None:
        self.signal, self.participant = signal, participant
        self.cfg, self.phrases, self.tick_s = settings, phrases, tick_s
        self.state = "off"
        self.start = 0.0
        self.since = 0.0  # when the score crossed the threshold that put it in this state
        self.last_sent = 0.0
        self.peak = 0.0
        self.evidence: Evidence | None = None

    @property
    def open(self) -> bool:
        return self.state != "off"

    def update(self, t: float, score: float, row: np.ndarray, contribution: np.ndarray,
               recent_rows, quotes: dict[str, str] | None = None, *,
               evidence_s: float) -> list[tuple[str, SignalEvent]]:
        """Feeds one tick; returns ("started" | "updated" | "ended", event) announcements.
        `quotes`: words said in the long window that lexical features counted, by feature.
        `evidence_s`: how long the person has been seen or heard so far; no event starts on less
        than `min_evidence_s` of it. Its run-up (`recent_rows`, the short window) then holds at
        least that much too, so the rationale never rests on less."""
        cfg, eps = self.cfg, 1e-9
        if self.evidence is not None and quotes:
            self.evidence.quotes.update(quotes)
        if self.state == "off":
            if reaches(score, cfg["on"]):
                if evidence_s < cfg.get("min_evidence_s", 0.0) - eps:
                    return []  # evidence first: too little seen and heard of this person yet
                seed = recent_rows()
                self.state, self.since, self.peak = "pending", t, score
                self.evidence = Evidence(seed, self.tick_s)
                self.evidence.quotes.update(quotes or {})
                self.evidence.add(row, contribution)
                if cfg["min_on_s"] <= eps:  # no wait asked for: announce at the crossing
                    self.state, self.start, self.last_sent = "on", t, t
                    return [("started", self.event(None))]
            return []
        if self.state == "pending":
            if not reaches(score, cfg["on"]):
                self.state, self.evidence = "off", None
                return []
            self._gather(score, row, contribution)
            if t - self.since >= cfg["min_on_s"] - eps:
                self.state, self.start, self.last_sent = "on", self.since, t
                return [("started", self.event(None))]
            return []
        if self.state == "on":
            self._gather(score, row, contribution)
            if score < cfg["off"]:
                self.state, self.since = "ending", t
            elif t - self.last_sent >= cfg["update_every_s"] - eps:
                self.last_sent = t
                return [("updated", self.event(None))]
            return []
        if score >= cfg["off"]:  # ending, but it came back
            self.state = "on"
            self._gather(score, row, contribution)
            return []
        if t - self.since >= cfg["min_off_s"] - eps:
            return [("ended", self.close(self.since))]
        return []

    def _gather(self, score: float, row: np.ndarray, contribution: np.ndarray) -> None:
        self.peak = max(self.peak, score)
        self.evidence.add(row, contribution)

    def close(self, end: float) -> SignalEvent:
        event = self.event(end)
        self.state, self.evidence = "off", None
        return event

    def finish(self, t: float) -> list[tuple[str, SignalEvent]]:
        """The session ended: an event under way ends now (or when its score dropped)."""
        if self.state in ("on", "ending"):
            return [("ended", self.close(self.since if self.state == "ending" else t))]
        self.state, self.evidence = "off", None
        return []

    def event(self, end: float | None) -> SignalEvent:
        # A modality is named when one of its behaviours drove enough to be named in the
        # rationale (MENTION_SHARE of the main one), so the two never disagree.
        drive = self.evidence.drive
        named = (drive > 0) & (drive >= MENTION_SHARE * drive.max())
        modality = [m for m, seen in (("visual", named[VISUAL]), ("audio", named[~VISUAL])) if seen.any()]
        return SignalEvent(self.signal, self.participant, self.start, end, self.peak,
                           band_of(self.peak), sentence(self.evidence, self.phrases),
                           modality or ["visual"], round(self.evidence.ticks * self.tick_s, 3))
