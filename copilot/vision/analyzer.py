"""The face tracker as an analysis stage: Step in, this frame's faces out."""

from __future__ import annotations

from copilot.engine.step import Step
from copilot.vision.face import Face, FrameFaces
from copilot.vision.tracker import FaceTracker

# A sound track commonly runs a frame or two past its video (codec padding, a last hop): an
# overhang shorter than this ends nobody, so the voice in it stays with its face.
PICTURE_OVER_S = 0.5


class FaceAnalyzer:
    """Analyzer "faces": the tracked faces of `step.frame`, or none for steps without video.

    The engine makes steps without a frame only once the video is over (a sound track can
    outlast it); once that has lasted PICTURE_OVER_S, every face is ended as a cut would end
    it: the picture has stopped, the people in it have not walked out of it. The final step
    confirms the candidates seen in every frame since they appeared (FaceTracker.finish): a
    photo's faces, or a face whose file ended before its first second was over.
    """

    name = "faces"

    def __init__(self, tracker: FaceTracker | None = None, **options: object) -> None:
        self.tracker = tracker or FaceTracker(**options)
        self._last_frame_t: float | None = None

    def analyze(self, step: Step) -> list[Face]:
        if step.frame is None:
            over = self._last_frame_t is not None and step.t - self._last_frame_t >= PICTURE_OVER_S
            if step.final:
                last = self.tracker.finish()
                if over:
                    last.ended = self.tracker.end_all()
                return last
            return self.tracker.end_picture() if over else FrameFaces([])
        self._last_frame_t = step.t
        return self.tracker.process(step.frame.image, step.t)

    def close(self) -> None:
        self.tracker = None  # drops the model sessions; a closed analyzer is not reused
