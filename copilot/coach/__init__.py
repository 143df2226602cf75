"""Coaching nudges: rules over signals and practice measures, per mode, with cooldowns.

Light to import: the rules and the analyzer live in `copilot.coach.rules` and
`copilot.coach.coach`; this module only names what they produce.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Nudge:
    """One nudge fired at session time `t`: which rule, about whom, and the value that drove it."""

    t: float
    rule: str  # the rule's id
    participant: str
    message: str
    signal: str  # the signal or practice measure the rule watches
    value: float

    def to_json(self) -> dict[str, object]:
        return {"t": round(self.t, 3), "rule": self.rule, "participant": self.participant,
                "message": self.message, "signal": self.signal, "value": round(self.value, 3)}
