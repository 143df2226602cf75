"""Analyzer "signals": face and voice cues -> twelve scores per participant at 10 Hz, events,
engagement state and conversation quality.

Scores are computed on ticks of the session clock (k / tick_hz seconds), not per frame,
so the same input gives the same scores whatever the frame rate or pacing. A step's
face cues and voice events are added before the ticks at or after their time and
after the ticks before it. Everything at a tick uses data up to that tick only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from copilot.engine.step import Step
from copilot.signals import SIGNALS
from copilot.signals import config as signal_config
from copilot.signals.attribution import SpeechAttribution
from copilot.signals.engagement import StateSegment
from copilot.signals.events import SignalEvent
from copilot.signals.measures import Talk, conversation_rows, talk_values
from copilot.signals.participant import ParticipantSignals
from copilot.signals.quality import QualityMeter

FORGET_S = 30.0  # a participant neither seen nor heard for this long is closed and dropped
PRESENT_S = 6.0  # counts toward quality while seen or heard this recently
# A face missing for less than this still owns the voice on its channel: a few dropped frames
# or a glance away must not hand the voice to a new, face-less participant.
VOICE_KEEPS_FACE_S = 1.0
ROOM = "room"


@dataclass(slots=True)
class TickRow:
    t: float
    participant: str
    scores: np.ndarray  # in SIGNALS order; NaN: no score yet (too little evidence of the person)
    state: str  # engagement state; "" for the room and before there is evidence for one


@dataclass(slots=True)
class SignalStep:
    """What one step adds: for live gauges and the stream server, and for the result file."""

    t: float
    ticks: list[TickRow] = field(default_factory=list)  # every tick computed in this step
    scores: dict[str, dict[str, float | None]] = field(default_factory=dict)  # latest, per participant;
    #                                                 None: no score yet (not enough evidence)
    states: dict[str, str] = field(default_factory=dict)
    since: dict[str, float] = field(default_factory=dict)  # when each one's current state began
    started: list[SignalEvent] = field(default_factory=list)
    updated: list[SignalEvent] = field(default_factory=list)
    ended: list[SignalEvent] = field(default_factory=list)
    segments: list[StateSegment] = field(default_factory=list)  # engagement segments that closed
    heard: list[tuple[float, str]] = field(default_factory=list)  # (tick t, participant) while speaking
    periods: list[dict] = field(default_factory=list)  # quality periods that closed
    quality: dict[str, int] | None = None  # overall so far (None when no tick in this step, or
    #                                        nobody has had the evidence for their scores yet)
    talk: dict[str, dict[str, float | None]] = field(default_factory=dict)  # each person's talk so far
    #                                               (measures.talk_values), as of this step
    said: list[dict] = field(default_factory=list)  # transcribed stretches handed on now, with participant
    conversation: list[dict] | None = None  # per-person conversation measures, at the end of the input


def scores_by_name(scores: np.ndarray) -> dict[str, float | None]:
    """SIGNALS order -> by name; None for a signal without its evidence yet (NaN)."""
    return {name: None if np.isnan(v) else round(float(v), 3)
            for name, v in zip(SIGNALS, scores, strict=True)}


def mean_of_known(scores: np.ndarray) -> np.ndarray:
    """Per column, the mean of the rows that have a score; NaN where none has."""
    known = ~np.isnan(scores)
    counts = known.sum(axis=0)
    return np.where(counts > 0, np.where(known, scores, 0.0).sum(axis=0) / np.maximum(counts, 1), np.nan)


class SignalAnalyzer:
    name = "signals"

    def __init__(self, model: signal_config.SignalModel | None = None,
                 phrases: dict | None = None) -> None:
        self.model = model or signal_config.model()
        self.phrases = phrases or signal_config.rationales()
        self.tick_hz = self.model.tick_hz
        self.next_tick = 0  # index k of the next tick at k / tick_hz
        self.people: dict[str, ParticipantSignals] = {}
        self.ended: set[str] = set()  # closed at a shot cut: no later voice event brings them back
        self.attribution = SpeechAttribution(self.tick_hz)
        self.quality = QualityMeter(self.model.quality, self.model.resting)
        self.talks: dict[str, Talk] = {}  # everyone's talk so far, kept after they are forgotten
        # Each voice's longest turn so far, the one under way included (the voice's conversation).
        self.voice_turns: dict[str, float] = {}
        self.voice_floor: str | None = None  # the voice whose turn is under way
        self.voice_now: dict = {}
        self.last_t = 0.0
        # Candidate faces (not yet participants, issue 18) in the latest step: key -> mouth movement.
        # A voice given to one is said of no one until the face is confirmed: its finished voice
        # events wait in `waiting`, then go to the participant, or to the voice alone if the
        # candidate vanishes (a face-less "speaker" only then, not while a face is still unconfirmed).
        self.candidates: dict[str, float] = {}
        self.waiting: dict[str, list] = {}
        # Finished events of a voice not yet judged against the faces on screen (attribution's
        # `undecided`): they wait for its owner, or at the end of input go to whoever holds it.
        self.unjudged: dict[str, list] = {}
        # With a transcript, listener responses are known by their words (copilot/words): the
        # voice's guesses from the sound alone stand aside, so an isolated "um" is a filler, not
        # a response, and a response counts only if it says yes. Filled pauses count when either
        # the sound or the words find them (ParticipantSignals.add_said counts each once).
        self.by_words = False

    def person(self, pid: str, t: float, has_face: bool) -> ParticipantSignals:
        found = self.people.get(pid)
        if found is None:
            found = self.people[pid] = ParticipantSignals(pid, self.model, self.phrases, t, has_face)
            found.talk = self.talks.setdefault(pid, found.talk)
        return found

    def analyze(self, step: Step) -> SignalStep:
        out = SignalStep(step.t)
        self._ticks(out, step.t, inclusive=False)
        face_step, voice = step.results.get("face_cues"), step.results.get("voice")
        if face_step is not None:
            for pid, early in face_step.early.items():  # a face confirmed now: its first second counts
                if early:
                    person = self.person(pid, early[0].t, True)
                    for cues in early:
                        person.add_face(cues, cues.t)
            for pid, cues in face_step.cues.items():
                self.person(pid, step.t, True).add_face(cues, step.t)
            for event in face_step.events:
                if event.participant in self.people:
                    self.people[event.participant].add_behaviour(event.kind)
            for key, pid in face_step.confirmed.items():
                self._settle(out, key, pid, step.t, has_face=True)
            for key in face_step.dropped:
                self._settle(out, key, None, step.t, has_face=False)
            self.candidates = {key: cues.mouth_movement for key, cues in face_step.tentative.items()}
            for key in self.candidates:  # present or not, a candidate's voice waits for its answer
                self.waiting.setdefault(key, [])
            for pid in face_step.ended:  # gone with the shot: not "left the picture", just over
                self.ended.add(pid)
                if pid in self.people:
                    self._announce(out, *self.people.pop(pid).finish(step.t))
        words = step.results.get("words")
        self.by_words |= words is not None
        if voice is not None:
            self.voice_now.update(voice.now)
            self.voice_turns = dict(voice.conversation.longest_monologue_s)
            self.voice_floor = voice.conversation.floor
            for event in voice.events:
                if self.by_words and event.kind == "backchannel":
                    continue
                if event.channel in self.attribution.undecided:
                    self.unjudged.setdefault(event.channel, []).append(event)
                else:
                    self._route(out, event, step.t)
        if words is not None:
            self._words(out, words, step.t)
        self._ticks(out, step.t, inclusive=True)
        self._holding(step.t)
        out.talk = talk_values(self.talks, self.tick_hz, self.by_words)
        if step.final:
            for event in [e for events in self.unjudged.values() for e in events]:
                self._route(out, event, step.t)
            self.unjudged = {}
            self._finish(out, step.t)
        self.last_t = step.t
        return out

    def _holding(self, t: float) -> None:
        """Marks whose turn is under way (the voice's conversation holds its floor), so the live turn
        count includes it; once it ends it is a settled turn and the mark moves on."""
        floor = self.voice_floor
        holder = (None if floor is None or floor in self.attribution.undecided
                  else self.attribution.owner_at(floor, t, t))
        for pid, talk in self.talks.items():
            talk.holding = pid == holder

    def _words(self, out: SignalStep, words, t: float) -> None:
        for said in words.said:
            pid = self.attribution.owner_at(said.channel, said.start, said.end)
            out.said.append(said.to_json(pid))
            if pid not in self.ended:
                self.person(pid, t, False).add_said(said, t)
        for event in words.responses:
            pid = self.attribution.owner_at(event.channel, event.start, event.end)
            if pid not in self.ended:
                self._give(out, pid, event, t, False)

    def _ticks(self, out: SignalStep, t: float, inclusive: bool) -> None:
        while True:
            tick_t = self.next_tick / self.tick_hz
            if tick_t > t + 1e-9 or (not inclusive and tick_t >= t - 1e-9):
                return
            self._tick(out, tick_t)
            self.next_tick += 1

    def _tick(self, out: SignalStep, t: float) -> None:
        faces = {pid: p.mouth for pid, p in self.people.items()
                 if p.has_face and (p.frames or (p.last_seen is not None and t - p.last_seen <= 0.25))}
        speaking = {ch: now.speaking for ch, now in sorted(self.voice_now.items())}
        owners = faces or {pid: p.mouth for pid, p in self.people.items() if p.has_face
                           and p.last_seen is not None and t - p.last_seen <= VOICE_KEEPS_FACE_S}
        owners = {**owners, **self.candidates}
        for channel, pid in self.attribution.assign(t, speaking, owners).items():
            if pid in self.candidates or channel in self.attribution.undecided:
                continue  # an unconfirmed face's voice, or a voice not yet judged: nobody's yet
            if pid not in self.people and not speaking[channel]:
                continue  # a silent channel with no face to give it to makes no one
            person = self.person(pid, t, False)
            person.add_voice_now(self.voice_now[channel])
            person.talk.holding_s = max(person.talk.holding_s, self.voice_turns.get(channel, 0.0))
            if speaking[channel]:
                out.heard.append((t, pid))
        for channel in [c for c in self.unjudged if c not in self.attribution.undecided]:
            for event in self.unjudged.pop(channel):  # judged now: to its owner
                self._route(out, event, t)
        present, seen_scores = [], []
        for pid in sorted(self.people):
            person = self.people[pid]
            announcements, segment = person.tick(t)
            self._announce(out, announcements, segment)
            shown = person.shown_scores()
            out.ticks.append(TickRow(t, pid, shown, person.state_word))
            out.scores[pid] = scores_by_name(shown)
            out.states[pid] = person.state_word
            out.since[pid] = person.state.start if person.state is not None else t
            # quality weighs how far scores stand above resting: a person still without the
            # evidence for every score would add values the model never had grounds for
            if t - person.last_active <= PRESENT_S and person.known().all():
                present.append(person.scores)
            if pid in faces:
                seen_scores.append(shown)
        if len(seen_scores) >= 2:
            room = mean_of_known(np.array(seen_scores))
            out.ticks.append(TickRow(t, ROOM, room, ""))
            out.scores[ROOM] = scores_by_name(room)
        out.periods += self.quality.add(t, present)
        out.quality = self.quality.overall() if self.quality.total_ticks else None
        for pid in [p for p, person in self.people.items() if t - person.last_active > FORGET_S]:
            self._announce(out, *self.people.pop(pid).finish(t))

    def _settle(self, out: SignalStep, key: str, pid: str | None, t: float, has_face: bool) -> None:
        """Candidate `key` became participant `pid` (or vanished: pid None): the voice it held
        becomes theirs (or the voice's own, as if no face had been there)."""
        self.attribution.rename(key, pid)
        self.candidates.pop(key, None)
        for event in self.waiting.pop(key, []):
            owner = pid or self.attribution.voice_only(event.channel)
            if owner not in self.ended:
                self._give(out, owner, event, t, has_face)

    def _route(self, out: SignalStep, event, t: float) -> None:
        """A finished voice event to whoever held its voice at its middle (waiting if that is a
        face not yet confirmed)."""
        pid = self.attribution.owner_at(event.channel, event.start, event.end)
        if pid in self.waiting:
            self.waiting.setdefault(pid, []).append(event)
        elif pid not in self.ended:
            self._give(out, pid, event, t, False)

    def _give(self, out: SignalStep, pid: str, event, t: float, has_face: bool) -> None:
        """A voice event said by `pid`: into their signals and their conversation measures. An
        utterance makes its speaker present from its start to its end, also when the live view
        did not yet know whose voice it was (a mixed track's voice is settled as it ends)."""
        self.person(pid, t, has_face).add_voice_event(event)
        if event.kind == "utterance":
            out.heard += [(event.start, pid), (event.end, pid)]
        self.talks.setdefault(pid, Talk()).add_event(event)
        interrupted = event.details.get("interrupted") if event.kind == "interruption" else None
        if interrupted is not None:
            victim = self.attribution.owner_at(str(interrupted), event.start, event.end)
            self.talks.setdefault(victim, Talk()).interrupted += 1

    def _announce(self, out: SignalStep, announcements: list, segment: StateSegment | None) -> None:
        for kind, event in announcements:
            getattr(out, kind).append(event)
        if segment is not None:
            out.segments.append(segment)

    def _finish(self, out: SignalStep, t: float) -> None:
        for pid in sorted(self.people):
            self._announce(out, *self.people[pid].finish(t))
        out.periods += self.quality.finish(t)
        out.quality = self.quality.overall()
        out.conversation = conversation_rows(self.talks)
        self.people.clear()

    def close(self) -> None:
        self.people.clear()
