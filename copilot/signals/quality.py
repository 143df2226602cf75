"""Conversation quality: clarity, authority, energy, rapport, learning and their mean.

Each value is 0-100 and 50 means no evidence either way. It is derived from the signal
scores, not measured separately:

1. A signal's *evidence* at a tick is how far its score stands above its resting value
   (the score the model gives when no behaviour at all is seen), never below zero.
2. Evidence is averaged over the people present at the tick (seen on camera, or speaking
   in the last few seconds), then over the ticks of the period.
3. Each dimension has signals that raise it and signals that lower it (weights.toml,
   [quality.*]): value = 50 + 50 * gain * (mean evidence of the raising signals - mean
   evidence of the lowering ones), clipped to 0-100.
   - clarity: confidence up; confusion, uncertainty, hesitation down (are things getting across?)
   - authority: confidence up; hesitation, uncertainty, stress down (does the speaker sound sure?)
   - energy: engagement, interest up; disengagement down (is the room awake?)
   - rapport: agreement, engagement up; disagreement, skepticism, frustration down
   - learning: interest, agreement up; confusion, disengagement down
4. quality_index is the mean of the five. A period with nobody present stays at 50.

Values are reported overall and per `period_s` (10 s) period of the session clock.
"""

from __future__ import annotations

import numpy as np

DIMENSIONS = ("clarity", "authority", "energy", "rapport", "learning")
NO_EVIDENCE = 50


class QualityMeter:
    def __init__(self, quality: dict, resting: np.ndarray) -> None:
        self.q, self.resting = quality, resting
        self.period_s = float(quality["period_s"])
        self.period_start = 0.0
        self.period_sum, self.period_ticks = np.zeros(len(resting)), 0
        self.total_sum, self.total_ticks = np.zeros(len(resting)), 0

    def values(self, evidence_sum: np.ndarray, ticks: int) -> dict[str, int]:
        if ticks == 0:
            out = dict.fromkeys(DIMENSIONS, NO_EVIDENCE)
        else:
            e = evidence_sum / ticks
            out = {}
            for dim in DIMENSIONS:
                plus, minus = self.q[f"{dim}.plus"], self.q[f"{dim}.minus"]
                up = float(e[list(plus)].mean()) if plus else 0.0
                down = float(e[list(minus)].mean()) if minus else 0.0
                out[dim] = round(float(np.clip(50 + 50 * self.q["gain"] * (up - down), 0, 100)))
        return {"quality_index": round(sum(out.values()) / len(out)), **out}

    def add(self, t: float, scores: list[np.ndarray]) -> list[dict]:
        """Feeds one tick (the scores of the people present); returns periods that closed before t."""
        closed = []
        while t > self.period_start + self.period_s + 1e-9:
            closed.append(self._close(self.period_start + self.period_s))
        if scores:
            evidence = np.maximum(np.mean(scores, axis=0) - self.resting, 0.0)
            self.period_sum += evidence
            self.period_ticks += 1
            self.total_sum += evidence
            self.total_ticks += 1
        return closed

    def _close(self, end: float) -> dict:
        period = {"start": round(self.period_start, 3), "end": round(end, 3),
                  "values": self.values(self.period_sum, self.period_ticks)}
        self.period_start = end
        self.period_sum[:], self.period_ticks = 0.0, 0
        return period

    def finish(self, t: float) -> list[dict]:
        """The last periods; a tail after the last period with no tick in it (the few ms between
        the last tick and the end) is no period: it would read "no evidence", 50 across the board."""
        closed = self.add(t, [])
        if t > self.period_start + 1e-9 and (self.period_ticks or self.period_start == 0):
            closed.append(self._close(t))
        return closed

    def overall(self) -> dict[str, int]:
        return self.values(self.total_sum, self.total_ticks)
