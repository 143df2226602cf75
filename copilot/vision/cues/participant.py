"""One participant's cues and behaviour detectors together."""

from __future__ import annotations

from copilot.vision.cues.behaviours import BehaviourEvent, Held, Oscillation
from copilot.vision.cues.cues import ROLL, FaceCues, PersonCues
from copilot.vision.cues.settings import settings
from copilot.vision.face import Face


class ParticipantCues:
    """Feeds one participant's faces to the cue state and the behaviour detectors."""

    def __init__(self, participant: str, screen: tuple[float, float] | None = None) -> None:
        cfg = settings()
        self.participant = participant
        self.cues = PersonCues(screen)
        nod = cfg["nod"]
        swing = (nod["min_swing_deg"], nod["reversal_deg"], nod["max_swing_s"], nod["min_rise_s"],
                 nod["min_swings"], nod["max_gap_s"], nod["dominance"])
        self.nods, self.shakes = Oscillation("nod", *swing), Oscillation("head_shake", *swing)
        self.tilt = Held("head_tilt", cfg["tilt"]["min_duration_s"])
        self.aversion = Held("gaze_aversion", cfg["aversion"]["min_duration_s"],
                             bridge_s=cfg["aversion"]["bridge_s"])
        self.blink = Held("blink", 0.0, cfg["blink"]["max_blink_s"], long_kind="eye_closure")
        self.yawn = Held("yawn", cfg["yawn"]["min_duration_s"])
        self.smile = Held("smile", cfg["smile"]["min_duration_s"], bridge_s=cfg["smile"]["bridge_s"])
        laugh = cfg["laughter"]
        self.laughter = Held("laughter", laugh["min_duration_s"], bridge_s=laugh["bridge_s"])
        self.cfg = cfg
        self.last_seen = 0.0

    def update(self, face: Face, t: float) -> FaceCues:
        cues = self.cues.update(face, t)
        self.last_seen = t
        p, cfg = self.participant, self.cfg
        events = self.nods.update(cues.pitch, cues.yaw, t, p) + self.shakes.update(cues.yaw, cues.pitch, t, p)
        cues.nod_swings, cues.shake_swings = self.nods.new_swings, self.shakes.new_swings
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
        events += self._smile_and_laughter(cues, t)
        cues.events = sorted(events, key=lambda event: event.start)
        return cues

    def _smile_and_laughter(self, cues: FaceCues, t: float) -> list[BehaviourEvent]:
        """A held smile, and a laugh: that smile with the jaw dropped and the mouth working.

        Read before the baseline is ready too: a smile is measured against the first
        frames, so one shown from the very start reads as neutral (missed), never the reverse.
        """
        smile, laugh, p = self.cfg["smile"], self.cfg["laughter"], self.participant
        events = self.smile.update(cues.smile >= smile["on"], cues.smile < smile["off"], cues.smile, t, p)
        opened = cues.jaw_drop >= laugh["min_jaw_drop"] and cues.mouth_movement >= laugh["min_mouth_movement"]
        on = cues.smile >= smile["on"] and opened
        off = cues.smile < smile["off"] or cues.jaw_drop < laugh["min_jaw_drop"] * smile["off"] / smile["on"]
        events += self.laughter.update(on, off, cues.mouth_movement, t, p)
        cues.smiling, cues.laughing = self.smile.holding(t), self.laughter.holding(t)
        return events

    def flush(self) -> list[BehaviourEvent]:
        """Ends whatever is under way (the face left, or the session ended)."""
        p = self.participant
        events = self.nods.flush(p) + self.shakes.flush(p)
        for held in (self.tilt, self.aversion, self.blink, self.yawn, self.smile, self.laughter):
            events += held.flush(p)
        return events
