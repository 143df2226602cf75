"""Behaviours over time: events with a start, an end, a count and a strength.

Every detector is fed one frame at a time and answers with the events that ended
(and so were confirmed) at that frame: a nod run is reported once no further swing
has come for `max_gap_s`, a held tilt when the head comes back. Start and end are
on the session clock.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field


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
class Oscillation:
    """Fast alternating swings of one angle (pitch for nods, yaw for shakes).

    Turning points are found with a small reversal threshold (a zigzag); a swing
    counts when it is big enough, quick enough and larger than the other axis'
    movement over it, so slow looks and turns, and shakes seen as pitch noise, are
    left out. `min_swings` consecutive swings make an event. The event is known only
    when the run ends, but live consumers need the swings as they come: once a run
    has `min_swings`, `new_swings` hands out its swings at the update that confirms them.
    """

    kind: str
    min_swing_deg: float
    reversal_deg: float
    max_swing_s: float
    min_rise_s: float
    min_swings: int
    max_gap_s: float
    dominance: float
    _pivot: float | None = None
    _pivot_t: float = 0.0
    _direction: int = 0
    _extreme: float = 0.0
    _extreme_t: float = 0.0
    _history: deque = field(default_factory=lambda: deque(maxlen=90))  # recent (t, angle)
    _other_lo: float = math.inf
    _other_hi: float = -math.inf
    _swings: list[tuple[float, float, float]] = field(default_factory=list)  # start, end, size
    _reported: int = 0  # swings of the current run already handed out as `new_swings`
    new_swings: int = 0  # swings confirmed at the latest update: a run under way, counted live

    def update(self, angle: float, other: float, t: float, participant: str) -> list[BehaviourEvent]:
        events = []
        self.new_swings = 0
        self._history.append((t, angle))
        if self._pivot is None:
            self._pivot, self._pivot_t, self._extreme, self._extreme_t = angle, t, angle, t
        self._other_lo, self._other_hi = min(self._other_lo, other), max(self._other_hi, other)
        if self._direction == 0:
            if abs(angle - self._pivot) < self.reversal_deg / 2:
                self._pivot_t = t  # at rest: a swing starts when the head leaves
            elif abs(angle - self._pivot) >= self.reversal_deg:
                self._direction = 1 if angle > self._pivot else -1
                self._extreme, self._extreme_t = angle, t
        elif (angle - self._extreme) * self._direction > 0:
            self._extreme, self._extreme_t = angle, t
        elif (self._extreme - angle) * self._direction >= self.reversal_deg:
            events += self._swing_ended(participant)
            self._pivot, self._pivot_t = self._extreme, self._extreme_t
            self._direction = -self._direction
            self._extreme, self._extreme_t = angle, t
            self._other_lo = self._other_hi = other
        if len(self._swings) >= self.min_swings:  # a run: its swings count from now on, live
            self.new_swings += len(self._swings) - self._reported
            self._reported = len(self._swings)
        if self._swings and t - self._swings[-1][1] > self.max_gap_s + self.max_swing_s:
            events += self.flush(participant)
        return events

    def _swing_ended(self, participant: str) -> list[BehaviourEvent]:
        size = abs(self._extreme - self._pivot)
        # Quick, but not a jump: video that freezes and then leaps (a cut, a stutter) is no head.
        quick = self._extreme_t - self._pivot_t <= self.max_swing_s
        moved = self._middle_half_s() >= self.min_rise_s
        dominant = size >= self.dominance * (self._other_hi - self._other_lo)
        if size >= self.min_swing_deg and quick and moved and dominant:
            if self._swings and self._pivot_t - self._swings[-1][1] > self.max_gap_s:
                events = self.flush(participant)
            else:
                events = []
            self._swings.append((self._pivot_t, self._extreme_t, size))
            return events
        return self.flush(participant)

    def _middle_half_s(self) -> float:
        """How long the swing took from a quarter to three quarters of its way (interpolated)."""
        low = self._pivot + 0.25 * (self._extreme - self._pivot)
        high = self._pivot + 0.75 * (self._extreme - self._pivot)
        crossed: dict[float, float] = {}
        previous = None
        for t, angle in self._history:
            if self._pivot_t <= t <= self._extreme_t and previous is not None:
                for level in (low, high):
                    if level not in crossed and (previous[1] - level) * (angle - level) <= 0 \
                            and angle != previous[1]:
                        crossed[level] = previous[0] + (level - previous[1]) / (angle - previous[1]) * (
                            t - previous[0])
            previous = (t, angle)
        return crossed[high] - crossed[low] if len(crossed) == 2 else 0.0

    def flush(self, participant: str) -> list[BehaviourEvent]:
        """Ends the current run: an event if it had enough swings, else nothing."""
        swings, self._swings, self._reported = self._swings, [], 0
        if len(swings) < self.min_swings:
            return []
        strength = sum(size for _, _, size in swings) / len(swings)
        return [BehaviourEvent(self.kind, participant, swings[0][0], swings[-1][1],
                               (len(swings) + 1) // 2, strength)]


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
