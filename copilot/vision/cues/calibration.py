"""Where the middle of the user's screen is, recorded while they look at it.

A camera can sit anywhere around a screen (above a laptop's, beside an external monitor),
and the learned screen direction is held near the lens (face_cues.toml [gaze]); a user whose
camera is far off to one side calibrates instead. The result is the median of their gaze,
in the same angles as FaceCues.gaze_yaw / gaze_pitch, so it can be handed back to the cues
as `screen` (PersonCues, FaceCueAnalyzer, standard_analyzers). Qt-free: the app feeds it the
face cues that reach the window.
"""

from __future__ import annotations

import numpy as np

from copilot.vision.cues.settings import settings


class ScreenCalibration:
    """Collects one face's gaze for `calibration_s` after `calibration_settle_s` from the first
    frame with a ready face; `result` is then the screen's centre (yaw, pitch in degrees), or
    None when the face was seen too little."""

    def __init__(self) -> None:
        gaze = settings()["gaze"]
        self.settle_s, self.span_s = float(gaze["calibration_settle_s"]), float(gaze["calibration_s"])
        self.min_seen = float(gaze["calibration_min_seen"])
        self.start: float | None = None
        self.steps = 0  # frames inside the span, with or without a face
        self.gazes: list[tuple[float, float]] = []
        self.done = False
        self.result: tuple[float, float] | None = None

    def add(self, t: float, gaze: tuple[float, float] | None) -> bool:
        """One frame at `t` with the face's (gaze yaw, gaze pitch), None when no ready face was
        seen; True once the calibration is over (then see `result`)."""
        if self.done:
            return True
        if self.start is None and gaze is None:  # the cues not ready yet (a camera just opened)
            return False
        if self.start is None:
            self.start = t
        if t - self.start < self.settle_s:
            return False
        if t - self.start > self.settle_s + self.span_s:
            self.done = True
            if self.gazes and len(self.gazes) >= self.min_seen * self.steps:
                yaw, pitch = np.median(np.array(self.gazes), axis=0)
                self.result = (round(float(yaw), 1), round(float(pitch), 1))
            return True
        self.steps += 1
        if gaze is not None:
            self.gazes.append(gaze)
        return False
