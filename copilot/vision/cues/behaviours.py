"""Behaviours over time: events with a start, an end, a count and a strength.

Every detector is fed one frame at a time and answers with the events that ended
(and so were confirmed) at that frame: a nod run is reported once no further swing
has come for `max_gap_s`, a held tilt when the head comes back. Start and end are
on the session clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(slots=True)
class BehaviourEvent:
    kind: str  # nod, head_shake, head_tilt, gaze_aversion, blink, eye_closure, yawn, smile, laughter
    participant: str
    start: float
    end: float
    count: int  # nods or shakes in the run (a down-and-up is one); 1 for held behaviours
    strength: float  # nods/shakes: mean swing in degrees; tilt: mean roll; others: see each

    def to_json(self) -> dict[str, object]:
        return {"type": self.kind, "participant": self.participant, "start": round(self.start, 3),
                "end": round(self.end, 3), "count": self.count, "strength": round(self.strength, 3)}


@dataclass
class Held:
    """A state that switches on and off with hysteresis and counts when held long enough.

    Lasting longer than `max_s` makes it `long_kind` instead (a blink that lasts
    becomes an eye closure); shorter than `min_s` it is dropped. A break shorter than
    `bridge_s` does not end it: one frame of the gaze flicking back to the screen
    does not cut a look away in two. The event ends where the break began.
    """

    kind: str
    min_s: float = 0.0
    max_s: float = math.inf
    long_kind: str = ""
    bridge_s: float = 0.0
    _start: float | None = None
    _last_t: float = 0.0
    _total: float = 0.0
    _frames: int = 0
    _off_since: float | None = None

    @property
    def since(self) -> float | None:
        """When the state under way switched on (None when off)."""
        return self._start

    def holding(self, t: float) -> bool:
        """On now and on for at least `min_s`: the event is under way, for live consumers."""
        return self._start is not None and self._off_since is None and t - self._start >= self.min_s

    def update(self, on: bool, off: bool, value: float, t: float, participant: str) -> list[BehaviourEvent]:
        if self._start is None:
            if on:
                self._start, self._total, self._frames = t, value, 1
            self._last_t = t
            return []
        if not off:
            self._total += value
            self._frames += 1
            self._last_t, self._off_since = t, None
            return []
        self._off_since = t if self._off_since is None else self._off_since
        if t - self._off_since < self.bridge_s:
            return []
        return self.flush(participant, self._off_since)

    def flush(self, participant: str, t: float | None = None) -> list[BehaviourEvent]:
        if self._start is None:
            return []
        start, end = self._start, self._last_t if t is None else t
        self._start, self._off_since = None, None
        duration = end - start
        if duration < self.min_s:
            return []
        kind = self.long_kind if duration > self.max_s and self.long_kind else self.kind
        if duration > self.max_s and not self.long_kind:
            return []
        return [BehaviourEvent(kind, participant, start, end, 1, self._total / max(1, self._frames))]
