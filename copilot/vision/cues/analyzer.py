"""Analyzer "face_cues": the faces of a step (from analyzer "faces") turned into cues and behaviours."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from copilot.engine.step import Step
from copilot.vision.cues.behaviours import BehaviourEvent
from copilot.vision.cues.cues import FaceCues
from copilot.vision.cues.participant import ParticipantCues
from copilot.vision.cues.settings import settings
from copilot.vision.face import Face


@dataclass(slots=True)
class FaceCueStep:
    cues: dict[str, FaceCues]  # participant -> this frame's cues (faces seen in this frame)
    events: list[BehaviourEvent] = field(default_factory=list)  # behaviours that ended at this step
    ended: tuple[str, ...] = ()  # participants a shot cut took off screen for good (FrameFaces.ended)
    # Candidates (FrameFaces.tentative) are read too, but said nothing of: `tentative` holds this
    # frame's cues of each candidate key, for a writer that keeps them until `confirmed` says whose
    # they are. `early` gives a participant confirmed at this step the cues of its first second
    # (its frames as a candidate, in order); their behaviours come in `events` at this step.
    tentative: dict[str, FaceCues] = field(default_factory=dict)
    confirmed: dict[str, str] = field(default_factory=dict)  # candidate key -> participant
    early: dict[str, list[FaceCues]] = field(default_factory=dict)
    dropped: tuple[str, ...] = ()  # candidates that vanished unconfirmed (FrameFaces.dropped)


class FaceCueAnalyzer:
    """Keeps one ParticipantCues per participant id; a face gone for long starts afresh.

    A face that is not in a frame ends its behaviours under way at once (a nod run
    cannot go on unseen); its baseline is kept for `forget_after_s` so a person who
    looks away and back is still compared with their own neutral. `screen`, the screen's centre
    as the user calibrated it for their own face (gaze yaw, pitch in degrees), applies to every
    face: it is given only for a camera in front of that user.

    A candidate face (not yet a participant, FrameFaces.tentative) is read under its candidate key
    like a participant, so a nod or smile under way in its first second goes on once it is
    confirmed; its behaviours and cues are held back until then, handed over renamed when the
    tracker confirms it, and thrown away if it vanishes unconfirmed.
    """

    name = "face_cues"

    def __init__(self, screen: tuple[float, float] | None = None) -> None:
        self.screen = screen
        self.people: dict[str, ParticipantCues] = {}
        self.forget_after_s = settings()["tracking"]["forget_after_s"]
        self._present: set[str] = set()
        self._held: dict[str, list[FaceCues]] = {}  # candidate key -> its cues so far, events with them

    def analyze(self, step: Step) -> FaceCueStep:
        faces = step.results.get("faces")  # may be empty and still say who a cut ended
        return self.process([] if faces is None else faces, step.t)

    def process(self, faces: list[Face], t: float) -> FaceCueStep:
        out = FaceCueStep({}, ended=getattr(faces, "ended", ()), dropped=getattr(faces, "dropped", ()))
        for participant in out.ended:  # their behaviours end with the shot, their baselines too
            person = self.people.pop(participant, None)
            if person is not None and participant in self._present:
                out.events += person.flush()
            self._present.discard(participant)
        for key, participant in getattr(faces, "confirmed", {}).items():
            self._hand_over(key, participant, out)
        seen = set()
        tentative = getattr(faces, "tentative", ())
        for face in tentative:
            self._held.setdefault(face.participant, [])
        for face in (*faces, *tentative):
            person = self.people.get(face.participant)
            if person is None:
                person = self.people[face.participant] = ParticipantCues(face.participant, self.screen)
            cues = person.update(face, t)
            if face.participant in self._held:
                out.tentative[face.participant] = cues
                self._held[face.participant].append(cues)
            else:
                out.cues[face.participant] = cues
                out.events += cues.events
            seen.add(face.participant)
        for gone in self._present - seen:
            self._say(gone, self.people[gone].flush(), out)
        self._present = seen
        for key in out.dropped:
            self._forget(key)
        for participant, person in list(self.people.items()):
            if participant not in seen and t - person.last_seen > self.forget_after_s:
                self._forget(participant)
        return out

    def _say(self, key: str, events: list[BehaviourEvent], out: FaceCueStep) -> None:
        """A participant's behaviours go out now; a candidate's wait in its latest cues."""
        if key in self._held:
            if events:
                if not self._held[key]:
                    return
                held = self._held[key][-1]
                held.events = sorted([*held.events, *events], key=lambda event: event.start)
        else:
            out.events += events

    def _hand_over(self, key: str, participant: str, out: FaceCueStep) -> None:
        """The candidate `key` is now `participant`: its state and first second become theirs."""
        person, early = self.people.pop(key, None), self._held.pop(key, [])
        if person is None:
            return
        self.people[participant] = person  # a returning person's older state gives way to the newer
        person.participant = participant
        early = [replace(cues, participant=participant,
                         events=[replace(event, participant=participant) for event in cues.events])
                 for cues in early]
        out.confirmed[key] = participant
        out.early[participant] = early
        out.events += sorted((event for cues in early for event in cues.events), key=lambda e: e.start)
        if key in self._present:
            self._present.discard(key)
            self._present.add(participant)

    def _forget(self, key: str) -> None:
        self.people.pop(key, None)
        self._held.pop(key, None)
        self._present.discard(key)

    def finish(self) -> list[BehaviourEvent]:
        """Behaviours still under way when the input ends."""
        events = [event for key, person in self.people.items()
                  if key in self._present and key not in self._held for event in person.flush()]
        self._present = set()
        return events

    def close(self) -> None:
        self.people.clear()
