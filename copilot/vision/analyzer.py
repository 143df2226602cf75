"""The face tracker as an analysis stage: Step in, this frame's faces out."""

from __future__ import annotations

from copilot.step import Step
from copilot.vision.face import Face
from copilot.vision.tracker import FaceTracker


class FaceAnalyzer:
    """Analyzer "faces": the tracked faces of `step.frame`, or [] for steps without video."""

    name = "faces"

    def __init__(self, tracker: FaceTracker | None = None, **options: object) -> None:
        self.tracker = tracker or FaceTracker(**options)

    def analyze(self, step: Step) -> list[Face]:
        if step.frame is None:
            return []
        return self.tracker.process(step.frame.image, step.t)

    def close(self) -> None:
        self.tracker = None  # drops the model sessions; a closed analyzer is not reused
