"""Analyzer "face_cues": the faces of a step (from analyzer "faces") turned into cues and behaviours."""

from __future__ import annotations

from dataclasses import dataclass, field

from copilot.step import Step
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


class FaceCueAnalyzer:
    """Keeps one ParticipantCues per participant id; a face gone for long starts afresh.

    A face that is not in a frame ends its behaviours under way at once (a nod run
    cannot go on unseen); its baseline is kept for `forget_after_s` so a person who
    looks away and back is still compared with their own neutral. `screen`, the screen's centre
    as the user calibrated it for their own face (gaze yaw, pitch in degrees), applies to every
    face: it is given only for a camera in front of that user.
    """

    name = "face_cues"

    def __init__(self, screen: tuple[float, float] | None = None) -> None:
        self.screen = screen
        self.people: dict[str, ParticipantCues] = {}
        self.forget_after_s = settings()["tracking"]["forget_after_s"]
        self._present: set[str] = set()

    def analyze(self, step: Step) -> FaceCueStep:
        faces = step.results.get("faces")  # may be empty and still say who a cut ended
        return self.process([] if faces is None else faces, step.t)

    def process(self, faces: list[Face], t: float) -> FaceCueStep:
        out = FaceCueStep({}, ended=getattr(faces, "ended", ()))
        for participant in out.ended:  # their behaviours end with the shot, their baselines too
            person = self.people.pop(participant, None)
            if person is not None and participant in self._present:
                out.events += person.flush()
            self._present.discard(participant)
        seen = set()
        for face in faces:
            person = self.people.get(face.participant)
            if person is None:
                person = self.people[face.participant] = ParticipantCues(face.participant, self.screen)
            cues = person.update(face, t)
            out.cues[face.participant] = cues
            out.events += cues.events
            seen.add(face.participant)
        for gone in self._present - seen:
            out.events += self.people[gone].flush()
        self._present = seen
        for participant, person in list(self.people.items()):
            if participant not in seen and t - person.last_seen > self.forget_after_s:
                del self.people[participant]
        return out

    def finish(self) -> list[BehaviourEvent]:
        """Behaviours still under way when the input ends."""
        events = [event for person in self.people.values() if person.participant in self._present
                  for event in person.flush()]
        self._present = set()
        return events

    def close(self) -> None:
        self.people.clear()
