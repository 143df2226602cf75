"""Engagement state per participant: engaged, neutral or disengaged, piecewise constant.

The state follows the engagement and disengagement scores, but a new state must hold
for `dwell_s` before it replaces the old one, so a glance away does not flip it; the
switch is then dated back to when the new state began.
"""

from __future__ import annotations

from dataclasses import dataclass

from copilot.signals.bands import EDGES, has_score, percent

ENTER = EDGES["medium"]  # a state is entered where the score's band turns medium (bands.toml)


def state_of(engagement: float | None, disengagement: float | None, enter: float = ENTER) -> str:
    """The state the two scores say at one moment: what the app's header shows, and what the
    result's spans hold once it lasts; "" while either score has no evidence yet.

    Compared on the numbers shown (0-100), like the bands, so "engagement 60 · medium" never
    sits beside "neutral"."""
    if not (has_score(engagement) and has_score(disengagement)):
        return ""
    floor, engaged, disengaged = percent(enter), percent(engagement), percent(disengagement)
    if disengaged >= floor and disengaged >= engaged:
        return "disengaged"
    return "engaged" if engaged >= floor else "neutral"


@dataclass(slots=True)
class StateSegment:
    participant: str
    state: str
    start: float
    end: float

    def to_json(self) -> dict[str, object]:
        return {"state": self.state, "start": round(self.start, 3), "end": round(self.end, 3),
                "participant": self.participant}


class EngagementState:
    def __init__(self, participant: str, enter: float, dwell_s: float, t: float) -> None:
        self.participant, self.enter, self.dwell_s = participant, enter, dwell_s
        self.state, self.start = "neutral", t
        self.candidate, self.candidate_since = "neutral", t

    def update(self, t: float, engagement: float, disengagement: float) -> StateSegment | None:
        """Feeds one tick; returns the segment that just closed, if the state changed."""
        now = state_of(engagement, disengagement, self.enter)
        if now != self.candidate:
            self.candidate, self.candidate_since = now, t
        if self.candidate != self.state and t - self.candidate_since >= self.dwell_s - 1e-9:
            closed = StateSegment(self.participant, self.state, self.start, self.candidate_since)
            self.state, self.start = self.candidate, self.candidate_since
            return closed if closed.end > closed.start else None
        return None

    def finish(self, t: float) -> StateSegment | None:
        return StateSegment(self.participant, self.state, self.start, t) if t > self.start else None
