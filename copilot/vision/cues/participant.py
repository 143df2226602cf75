"""One participant's cues and behaviour detectors together."""

from __future__ import annotations

from collections import deque
from dataclasses import replace

from copilot.vision.cues.behaviours import BehaviourEvent, Held
from copilot.vision.cues.cues import ROLL, FaceCues, PersonCues
from copilot.vision.cues.head_gestures import HeadGesture, SwingRules
from copilot.vision.cues.settings import settings
from copilot.vision.face import Face


class EyesOnScreen:
    """The one meaning of "eyes on the screen" that the signals, rationales and report share
    (cue at_screen; issue 15).

    The gaze on the screen or into the lens, as PersonCues reads it, with two things the reading
    gets wrong put right. While the head nods or shakes, the eyes stay where they were (the
    vestibulo-ocular reflex turns them against the head), but the reading swings with the head:
    so from a confirmed swing until `hold_s` after the last one, the eyes stay where they mostly
    were over the `hold_s` before the gesture was confirmed (face_cues.toml [gaze]
    gesture_hold_s). And a blink does not move the gaze, so through one the eyes stay where they
    were; eyes shut for longer (`max_blink_s`) look at nothing, neither at the screen nor into
    the camera, and not away either (gaze_aversion leaves shut eyes out).
    """

    def __init__(self, hold_s: float, max_blink_s: float) -> None:
        self.hold_s, self.max_blink_s = hold_s, max_blink_s
        self.recent: deque[tuple[float, bool]] = deque()  # the reading over the last hold_s
        self.last_swing: float | None = None  # when a nod or shake swing was last confirmed
        self.held: bool | None = None  # where the eyes are held during a gesture
        self.closed_since: float | None = None  # when the eyes shut, while they are shut
        self.open_gaze: tuple[bool, bool] | None = None  # at_screen, at_camera when last open

    def update(self, cues: FaceCues, t: float) -> None:
        """Sets `cues.at_screen` and `cues.at_camera` to what they mean for this frame."""
        if self.last_swing is not None and t - self.last_swing > self.hold_s:
            self.last_swing = self.held = None
        if cues.nod_swings or cues.shake_swings:
            if self.held is None:
                before = [on for _, on in self.recent] or [cues.at_screen]
                self.held = 2 * sum(before) >= len(before)
            self.last_swing = t
        if not cues.eyes_closed:
            self.recent.append((t, cues.at_screen))
            while t - self.recent[0][0] > self.hold_s:
                self.recent.popleft()
            self.closed_since = None
            if self.held is not None:
                cues.at_screen = self.held
            self.open_gaze = (cues.at_screen, cues.at_camera)
            return
        self.closed_since = t if self.closed_since is None else self.closed_since
        if t - self.closed_since >= self.max_blink_s:
            cues.at_screen = cues.at_camera = False
        elif self.open_gaze is not None:  # (shut from the first frame: the reading as it is)
            cues.at_screen, cues.at_camera = self.open_gaze


class ParticipantCues:
    """Feeds one participant's faces to the cue state and the behaviour detectors."""

    def __init__(self, participant: str, screen: tuple[float, float] | None = None) -> None:
        cfg = settings()
        self.participant = participant
        self.cues = PersonCues(screen)
        swings = SwingRules.from_settings(cfg["nod"])
        self.nods, self.shakes = HeadGesture("nod", swings), HeadGesture("head_shake", swings)
        self.tilt = Held("head_tilt", cfg["tilt"]["min_duration_s"])
        self.aversion = Held("gaze_aversion", cfg["aversion"]["min_duration_s"],
                             bridge_s=cfg["aversion"]["bridge_s"])
        self.blink = Held("blink", 0.0, cfg["blink"]["max_blink_s"], long_kind="eye_closure")
        self.yawn = Held("yawn", cfg["yawn"]["min_duration_s"])
        self.smile = Held("smile", cfg["smile"]["min_duration_s"], bridge_s=cfg["smile"]["bridge_s"])
        self._smile_mouth = (0.0, 0)  # sum and count of mouth_movement over the smile under way
        self.eyes_on_screen = EyesOnScreen(cfg["gaze"]["gesture_hold_s"], cfg["blink"]["max_blink_s"])
        laugh = cfg["laughter"]
        self.laughter = Held("laughter", laugh["min_duration_s"], bridge_s=laugh["bridge_s"])
        self.cfg = cfg
        self.last_seen = 0.0
        self.latest: FaceCues | None = None

    def update(self, face: Face, t: float) -> FaceCues:
        if not face.read and self.latest is not None:
            return self._again(t)
        cues = self.cues.update(face, t)
        self.last_seen = t
        p, cfg = self.participant, self.cfg
        events = self._smile_and_laughter(cues, t)
        events += self._gestures(cues, t)
        self.eyes_on_screen.update(cues, t)
        eyes = (cues.eye_open_right + cues.eye_open_left) / 2
        events += self.blink.update(cues.eyes_closed, not cues.eyes_closed, 1.0 - eyes, t, p)
        if cues.ready:
            roll = cues.roll - float(self.cues.baseline.value[ROLL])  # against the usual roll
            limit = cfg["tilt"]["min_roll_deg"]
            events += self.tilt.update(abs(roll) > limit, abs(roll) < 0.7 * limit, roll, t, p)
            off = not cues.at_screen and not cues.eyes_closed
            events += self.aversion.update(off, cues.at_screen, 1.0, t, p)
            wide = cfg["yawn"]["min_jaw_drop"]
            events += self.yawn.update(cues.jaw_drop >= wide, cues.jaw_drop < 0.7 * wide, cues.jaw_drop, t, p)
        cues.events = sorted(events, key=lambda event: event.start)
        self.latest = cues
        return cues

    def _again(self, t: float) -> FaceCues:
        """A gallery face not read again in this frame (Face.read): its cues are those of its last
        reading, now at `t`, with nothing new begun or ended. Its behaviour detectors wait for the
        next reading rather than take the same landmarks as a new sample at a later time, which
        would hold a nod's swing a frame or more past its turn (issue 20: half of a 4x4
        gallery's faces each frame, about 0.9 ms of cues each)."""
        self.last_seen = t  # and under the id it has now: a candidate's last cues carry its key
        return replace(self.latest, t=t, participant=self.participant, events=[], nod_swings=0,
                       shake_swings=0)

    def _gestures(self, cues: FaceCues, t: float) -> list[BehaviourEvent]:
        """Nods and shakes; the mouth moving (speech, or a laugh's calls) makes quick small swings
        beats of it, not gestures (face_cues.toml [nod])."""
        p = self.participant
        speaking = cues.mouth_movement >= self.cfg["nod"]["speaking_mouth_movement"]
        events = (self.nods.update(cues.pitch, cues.yaw, t, p, speaking, across=cues.head_x)
                  + self.shakes.update(cues.yaw, cues.pitch, t, p, speaking, across=cues.head_y))
        cues.nod_swings, cues.shake_swings = self.nods.new_swings, self.shakes.new_swings
        return events

    def _smile_and_laughter(self, cues: FaceCues, t: float) -> list[BehaviourEvent]:
        """A held smile, and a laugh: that smile with the jaw dropped and the mouth working.

        Read before the baseline is ready too: the smile's neutral is capped by that of nearly
        everyone's mouth (cues.mouth_raise), so one shown from the very start still reads.
        """
        smile, laugh, p = self.cfg["smile"], self.cfg["laughter"], self.participant
        off = cues.smile < smile["off"]
        started = self.smile.since
        events = self._not_speech(self.smile.update(cues.smile >= smile["on"], off, cues.smile, t, p))
        if self.smile.since != started:
            self._smile_mouth = (0.0, 0)
        # The mouth's movement is read over a window of the recent past: until the smile has lasted
        # that long, it sees the lips parting into the smile, which is no speech.
        window = self.cfg["expression"]["mouth_movement_window_s"]
        if self.smile.since is not None and not off and t - self.smile.since >= window:
            total, frames = self._smile_mouth
            self._smile_mouth = (total + cues.mouth_movement, frames + 1)
        opened = cues.jaw_drop >= laugh["min_jaw_drop"] and cues.mouth_movement >= laugh["min_mouth_movement"]
        on = cues.smile >= smile["on"] and opened
        off = cues.smile < smile["off"] or cues.jaw_drop < laugh["min_jaw_drop"] * smile["off"] / smile["on"]
        events += self.laughter.update(on, off, cues.mouth_movement, t, p)
        since = self.smile.since
        cues.smiling = since is not None and self.smile.holding(t) and not self._with_speech(t - since)
        cues.laughing = self.laughter.holding(t)
        return events

    def _with_speech(self, held_s: float) -> bool:
        """A corner pull this short that came with the mouth working is speech, not a smile
        (face_cues.toml [smile] min_duration_talking_s)."""
        total, frames = self._smile_mouth
        talking = frames > 0 and total / frames >= self.cfg["nod"]["speaking_mouth_movement"]
        return talking and held_s < self.cfg["smile"]["min_duration_talking_s"]

    def _not_speech(self, smiles: list[BehaviourEvent]) -> list[BehaviourEvent]:
        return [e for e in smiles if not self._with_speech(e.end - e.start)]

    def flush(self) -> list[BehaviourEvent]:
        """Ends whatever is under way (the face left, or the session ended)."""
        p = self.participant
        events = self.nods.flush(p) + self.shakes.flush(p)
        events += self._not_speech(self.smile.flush(p))
        for held in (self.tilt, self.aversion, self.blink, self.yawn, self.laughter):
            events += held.flush(p)
        return events
