"""Analyzer "coach": runs after "signals" and returns the nudges that fire at each step.

A rule fires for a participant once its condition has held without a break for
`duration_s`, then stays quiet for `cooldown_s` whoever it would be about, so the
user is not told the same thing twice in a row. Signals are read from the latest
scores the signal analyzer gave; practice measures from the voice and face cues.
"""

from __future__ import annotations

from copilot.coach import Nudge
from copilot.coach.measures import PracticeMeasures
from copilot.coach.rules import MODES, NudgeRule, RuleSet, load_rules
from copilot.engine.step import Step

ROOM = "room"
VOICES_OF_OTHERS = ("them", "speaker", "file")


def is_face(participant: str) -> bool:
    return participant.startswith("p") and participant[1:].isdigit()


def concerns(whom: str, participant: str, mode: str, faces: set[str]) -> bool:
    """Whether a rule about `whom` applies to `participant` in `mode` (see nudges.toml)."""
    if whom == "room":  # the audience; a lone face is the whole audience
        return participant == ROOM or (faces == {participant} and is_face(participant))
    if participant == ROOM:
        return False
    if whom == "you":  # in practice mode the camera and the recording show the user
        return participant == "you" or (mode == "practice" and participant != "them")
    if whom == "them":
        return participant == "them" or (mode != "practice" and participant != "you")
    return True  # any


class Coach:
    name = "coach"

    def __init__(self, mode: str = "practice", rules: RuleSet | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        self.mode = mode
        self.rules: tuple[NudgeRule, ...] = (rules or load_rules()).for_mode(mode)
        self.measures = PracticeMeasures()
        self.scores: dict[str, dict[str, float]] = {}
        self.held_since: dict[tuple[str, str], float] = {}
        self.last_fired: dict[str, float] = {}

    def analyze(self, step: Step) -> list[Nudge]:
        signals = step.results.get("signals")
        if signals is not None and signals.scores:
            self.scores = signals.scores
        face_cues = step.results.get("face_cues")
        self.measures.add(step.t, step.results.get("voice"), face_cues)
        faces = {p for p in self.scores if is_face(p)}
        if face_cues is not None:
            faces = set(face_cues.cues)
        values = self.measures.values(step.t)
        fired, seen = [], set()
        for rule in self.rules:
            readings = values.get(rule.signal) or {p: s[rule.signal] for p, s in self.scores.items()
                                                   if s.get(rule.signal) is not None}
            for participant, value in sorted(readings.items()):
                seen.add((rule.id, participant))
                nudge = self._check(rule, participant, float(value), step.t, faces)
                if nudge is not None:  # the cooldown keeps the rule's other participants quiet now
                    fired.append(nudge)
        for gone in set(self.held_since) - seen:  # not measured at this step: the run is broken
            del self.held_since[gone]
        return fired

    def _check(self, rule: NudgeRule, participant: str, value: float, t: float,
               faces: set[str]) -> Nudge | None:
        key = (rule.id, participant)
        if not concerns(rule.whom, participant, self.mode, faces) or not rule.holds(value):
            self.held_since.pop(key, None)
            return None
        since = self.held_since.setdefault(key, t)
        quiet_until = self.last_fired.get(rule.id, float("-inf")) + rule.cooldown_s
        if t - since < rule.duration_s or t < quiet_until:
            return None
        self.last_fired[rule.id] = t
        self.held_since.pop(key, None)
        return Nudge(t, rule.id, participant, rule.message, rule.signal, value)

    def close(self) -> None:
        self.held_since.clear()
