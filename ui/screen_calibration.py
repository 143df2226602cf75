""""Calibrate screen position": the user looks at the middle of their screen for about 2 s,
and the median of their gaze is kept in the settings as where their screen is.

The counting is the engine's (copilot.vision.cues.calibration); this only feeds it the gaze of
the biggest face in the frames that reach the window, and says what happened.
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QObject, Signal, Slot

from copilot.vision.cues.calibration import ScreenCalibration
from ui.bridge import EngineBridge, FrameView

LOOK_MESSAGE = "Look at the middle of your screen for a moment…"


class ScreenCalibrator(QObject):
    finished = Signal(object)  # (yaw, pitch) in degrees, or None when the face was not seen enough

    def __init__(self, bridge: EngineBridge, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.calibration = ScreenCalibration()
        bridge.frame.connect(self._take)

    @Slot(object)
    def _take(self, view: FrameView) -> None:
        if view.image is None:  # a sound-only step: no frame to read a gaze from
            return
        faces = sorted(view.faces, key=lambda f: f.box[2] * f.box[3], reverse=True)
        gaze = next((view.gazes[f.participant] for f in faces if f.participant in view.gazes), None)
        if self.calibration.add(view.t, gaze):
            self.cancel()
            self.finished.emit(self.calibration.result)

    def cancel(self) -> None:
        """Stops listening (a run that ended before the span was over leaves it waiting)."""
        self.calibration.done = True
        with contextlib.suppress(RuntimeError):  # already disconnected
            self.bridge.frame.disconnect(self._take)


def describe(direction: list[float] | tuple[float, float] | None) -> str:
    """The setting in words, for the settings dialog and the status line."""
    if not direction:
        return "learned from where you usually look"
    yaw, pitch = direction
    parts = ([f"{abs(pitch):.0f}° {'above' if pitch > 0 else 'below'}"] if round(pitch) else []) + \
        ([f"{abs(yaw):.0f}° toward the picture's {'right' if yaw > 0 else 'left'}"] if round(yaw) else [])
    return "calibrated: " + (", ".join(parts) + " of the camera" if parts else "in line with the camera")
