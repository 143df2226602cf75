"""The numbers of one call that a team summary adds up: counted by the report's own measures.

Each is kept with its base (seconds, not only shares), so calls of any length add up to a
person's or a week's figure by plain sums: a two-hour call weighs as much as two hours.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

from copilot.session.library import SessionData
from copilot.session.summaries import speaking_metrics

WATCHED = "disagreement", "confusion"  # the calls a trainer listens to first


@dataclass
class Figures:
    duration_s: float = 0.0
    people: int = 0
    state_s: float = 0.0  # seconds of engagement state, over all the people in the call
    engaged_s: float = 0.0  # of which engaged
    speaking_s: float = 0.0  # seconds with speech heard (the report's "speaking", all voices)
    syllables: float = 0.0
    fillers: int = 0  # filled pauses, heard or said (the report's count)
    events: dict[str, int] = field(default_factory=dict)  # signal events by signal
    calls: int = 1

    def __add__(self, other: Figures) -> Figures:
        return Figures(**{name: getattr(self, name) + getattr(other, name) for name in _SUMS},
                       events=dict(Counter(self.events) + Counter(other.events)))

    @property
    def engaged(self) -> float | None:
        """Share of the people's time in the engaged state."""
        return self.engaged_s / self.state_s if self.state_s > 0 else None

    @property
    def talk_ratio(self) -> float | None:
        """Share of the call with someone speaking: how much of it was talk, not whose (each voice's
        own share is in the result's `conversation` list)."""
        return min(1.0, self.speaking_s / self.duration_s) if self.duration_s > 0 else None

    @property
    def pace_syl_s(self) -> float | None:
        return self.syllables / self.speaking_s if self.speaking_s > 0 else None

    @property
    def fillers_per_min(self) -> float | None:
        """Per minute of speech, as in the report."""
        return self.fillers / (self.speaking_s / 60) if self.speaking_s > 0 else None

    @property
    def watched(self) -> int:
        return sum(self.events.get(name, 0) for name in WATCHED)

    def frequent(self, top: int = 3) -> list[tuple[str, int]]:
        return sorted(self.events.items(), key=lambda kv: (-kv[1], kv[0]))[:top]

    def to_json(self) -> dict:
        return asdict(self)


_SUMS = ("duration_s", "people", "state_s", "engaged_s", "speaking_s", "syllables", "fillers", "calls")


def call_figures(data: SessionData) -> Figures:
    doc = data.document
    spans = doc["engagement_state"]
    speaking = speaking_metrics(data)
    return Figures(
        duration_s=float(doc["meta"]["duration"]), people=len(doc["participants"]),
        state_s=round(sum(s["end"] - s["start"] for s in spans), 3),
        engaged_s=round(sum(s["end"] - s["start"] for s in spans if s["state"] == "engaged"), 3),
        speaking_s=round(sum(m.speaking_s for m in speaking), 3),
        syllables=round(sum((m.pace_syl_s or 0.0) * m.speaking_s for m in speaking), 1),
        fillers=sum(m.fillers for m in speaking),
        events=dict(Counter(e["type"] for e in doc["signals"])))
