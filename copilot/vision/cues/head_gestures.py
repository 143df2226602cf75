"""Nods and head shakes: runs of symmetrical, back-and-forth swings of one angle.

People say "yes" and "no" with the head in cyclic movements: the head swings one way
and straight back, again and again, at a steady tempo, round a steady middle (Hadar,
Steiner & Clifford Rose 1985). Everything else the head does moves it too: a turn to
look at something goes out, stays, and comes back once; a slow turn has no return;
speech and expressions move it in small, irregular jolts. So a swing counts towards a
nod or shake only when it is

- big enough and quick enough (face_cues.toml [nod]: sizes and durations from the
  published range, not from any clip),
- a movement and not a stay: the time it took is about what its own pace (how fast
  it crossed its middle half) says a swing takes, so a head that rests at one side
  before coming back is a look, not a swing; and a smooth movement, not a drift that
  creeps through its middle between quick jolts, as a talking head does,
- mostly along its own axis (pitch for nods, yaw for shakes),
- a turn of the head on the neck, not the body carrying it: a nod moves the head up and
  down and a shake from side to side, but neither carries it far across that (a person
  sliding their chair or leaning over, whose head also tips as it goes),
- while the person talks, wider than the movements the head makes with the speech
  itself (Hadar et al. 1983, 1984),

and a run of them counts only when each swing is like the one before: a similar
tempo and size (the later swings of a nod may shrink, so sizes are allowed to fall by
a bounded ratio) and back across the previous swing's middle, not stepping away in a
staircase. `min_swings` such swings make a nod or a shake.

The detector is fed one frame at a time. A run's event is known when the run ends,
but live consumers need its swings as they come: once a run has `min_swings`,
`new_swings` hands out its swings at the update that confirms them.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

from copilot.vision.cues.behaviours import BehaviourEvent


@dataclass(frozen=True, slots=True)
class SwingRules:
    """What makes a swing, and a run of them, a nod or a shake (face_cues.toml [nod])."""

    min_swing_deg: float
    reversal_deg: float
    reversal_share: float
    min_swing_s: float
    max_swing_s: float
    min_rise_s: float
    max_stay_ratio: float
    timing_allowance_s: float
    max_creep_ratio: float
    dominance: float
    max_tempo_ratio: float
    max_size_ratio: float
    min_swings: int
    max_gap_s: float
    speech_swing_max_deg: float
    max_travel_across: float

    @classmethod
    def from_settings(cls, section: dict) -> SwingRules:
        return cls(**{name: section[name] for name in cls.__slots__})


@dataclass(slots=True)
class Swing:
    start: float  # when the head left the turning point (s)
    end: float  # when it reached the next one
    origin: float  # the angle it left from (degrees)
    target: float  # the angle it reached
    pace_s: float  # the swing's duration as its middle half's speed says: 3 x the middle half's time

    @property
    def size(self) -> float:
        return abs(self.target - self.origin)

    @property
    def middle(self) -> float:
        return (self.origin + self.target) / 2


@dataclass
class HeadGesture:
    """Nods (fed pitch, with yaw as the other axis) or shakes (fed yaw, with pitch)."""

    kind: str  # nod | head_shake
    rules: SwingRules
    _pivot: float | None = None
    _pivot_t: float = 0.0
    _direction: int = 0
    _extreme: float = 0.0
    _extreme_t: float = 0.0
    _history: deque = field(default_factory=deque)  # (t, angle) over the longest swing and then some
    _other_lo: float = math.inf
    _other_hi: float = -math.inf
    _across_lo: float = math.inf  # where the head is, across the swing's own direction
    _across_hi: float = -math.inf
    _spoke: bool = False  # the mouth moved with speech during the swing under way
    _run: list[Swing] = field(default_factory=list)
    _reported: int = 0  # swings of the current run already handed out as `new_swings`
    new_swings: int = 0  # swings confirmed at the latest update: a run under way, counted live

    def update(self, angle: float, other: float, t: float, participant: str,
               speaking: bool = False, across: float = 0.0) -> list[BehaviourEvent]:
        """Takes one frame's angle (and the other axis'); `speaking`: the mouth moves with speech;
        `across`: where the head is across the swing's direction, in face sizes (sideways for a
        nod, up and down for a shake)."""
        rules, events = self.rules, []
        self.new_swings = 0
        self._history.append((t, angle))
        while t - self._history[0][0] > 2 * rules.max_swing_s + 1.0:
            self._history.popleft()
        if self._pivot is None:
            self._pivot, self._pivot_t, self._extreme, self._extreme_t = angle, t, angle, t
        self._other_lo, self._other_hi = min(self._other_lo, other), max(self._other_hi, other)
        self._across_lo, self._across_hi = min(self._across_lo, across), max(self._across_hi, across)
        self._spoke |= speaking
        if self._direction == 0:
            if abs(angle - self._pivot) < rules.reversal_deg:
                self._pivot_t = t  # at rest: a swing starts when the head leaves
                self._other_lo = self._other_hi = other
                self._across_lo = self._across_hi = across
                self._spoke = speaking
            else:
                self._direction = 1 if angle > self._pivot else -1
                self._extreme, self._extreme_t = angle, t
        elif (angle - self._extreme) * self._direction > 0:
            self._extreme, self._extreme_t = angle, t
        elif (self._extreme - angle) * self._direction >= self._reversal():
            events += self._swing_ended(participant)
            self._pivot, self._pivot_t = self._extreme, self._extreme_t
            self._direction = -self._direction
            self._extreme, self._extreme_t = angle, t
            self._other_lo = self._other_hi = other
            self._across_lo = self._across_hi = across
            self._spoke = speaking
        if len(self._run) >= rules.min_swings:  # a run: its swings count from now on, live
            self.new_swings += len(self._run) - self._reported
            self._reported = len(self._run)
        # The run is over once the head has stayed put for longer than a pause between swings
        # plus the time a slow swing takes to confirm its turn (a third of it: a quarter of its size).
        moved = self._extreme_t if self._direction else self._pivot_t
        if self._run and t - max(self._run[-1].end, moved) > rules.max_gap_s + rules.max_swing_s / 2:
            events += self.flush(participant)
        return events

    def _reversal(self) -> float:
        """The retreat that confirms a turning point: more within a run of wide swings, so that a
        wobble of the reading at one side does not split a swing in two."""
        last = self._run[-1].size if self._run else 0.0
        return max(self.rules.reversal_deg, self.rules.reversal_share * last)

    def _swing_ended(self, participant: str) -> list[BehaviourEvent]:
        swing = Swing(self._pivot_t, self._extreme_t, self._pivot, self._extreme, 3 * self._middle_half_s())
        if not self._is_swing(swing):
            return self.flush(participant)
        if self._run and not self._continues(self._run[-1], swing):
            events = self.flush(participant)
            self._run = [swing]
            return events
        self._run.append(swing)
        return []

    def _is_swing(self, swing: Swing) -> bool:
        rules = self.rules
        duration = swing.end - swing.start
        return (swing.size >= rules.min_swing_deg
                and rules.min_swing_s <= duration <= rules.max_swing_s
                # a movement, not a jump between two frames (a cut, a stuttering video)
                and swing.pace_s >= 3 * rules.min_rise_s
                # not a stay at one side: the time taken is about what the swing's pace says
                and duration <= rules.max_stay_ratio * swing.pace_s + rules.timing_allowance_s
                # nor a drift that creeps through its middle and jumps at the ends (speech jolts)
                and swing.pace_s <= rules.max_creep_ratio * duration + rules.timing_allowance_s
                and swing.size >= rules.dominance * (self._other_hi - self._other_lo)
                # the head turning on the neck, not carried across by the body
                and self._across_hi - self._across_lo <= rules.max_travel_across
                # while talking, a small swing is the head moving with the speech, not a gesture
                and not (self._spoke and swing.size < rules.speech_swing_max_deg))

    def _continues(self, previous: Swing, swing: Swing) -> bool:
        """Whether `swing` carries on the run that `previous` ended: straight back, alike, in time."""
        rules = self.rules
        tempo = max(previous.pace_s, swing.pace_s) / max(min(previous.pace_s, swing.pace_s), 1e-6)
        size = max(previous.size, swing.size) / max(min(previous.size, swing.size), 1e-6)
        back_across = (swing.target - previous.middle) * (previous.origin - previous.target) > 0
        return (swing.start - previous.end <= rules.max_gap_s and tempo <= rules.max_tempo_ratio
                and size <= rules.max_size_ratio and back_across)

    def _middle_half_s(self) -> float:
        """How long the swing took from a quarter to three quarters of its way (interpolated)."""
        low = self._pivot + 0.25 * (self._extreme - self._pivot)
        high = self._pivot + 0.75 * (self._extreme - self._pivot)
        crossed: dict[float, float] = {}
        previous = None
        for t, angle in self._history:
            if previous is not None and self._pivot_t <= previous[0] and t <= self._extreme_t:
                for level in (low, high):
                    if level not in crossed and (previous[1] - level) * (angle - level) <= 0 \
                            and angle != previous[1]:
                        crossed[level] = previous[0] + (level - previous[1]) / (angle - previous[1]) * (
                            t - previous[0])
            previous = (t, angle)
        return crossed[high] - crossed[low] if len(crossed) == 2 else 0.0

    def flush(self, participant: str) -> list[BehaviourEvent]:
        """Ends the current run: an event if it had enough swings, else nothing."""
        swings, self._run, self._reported = self._run, [], 0
        if len(swings) < self.rules.min_swings:
            return []
        strength = sum(swing.size for swing in swings) / len(swings)
        return [BehaviourEvent(self.kind, participant, swings[0].start, swings[-1].end,
                               (len(swings) + 1) // 2, strength)]
