"""What the face pipeline says about one person in one frame."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(slots=True)
class Face:
    """One tracked face in one frame; coordinates are image pixels of that frame.

    `iris` holds 5 points per eye (centre first, then four on the iris edge): rows 0-4
    are the eye around landmarks 33/133 (the person's right eye, on the image's left
    when the video is not mirrored), rows 5-9 the eye around 362/263. `eye_contours`
    follows the same order with 71 eyelid and brow points per eye. Depth (z) is
    relative to the face centre, in x's pixel scale, smaller values nearer the camera.
    """

    participant: str  # "p1", "p2", ... in order of first appearance
    box: tuple[float, float, float, float]  # x, y, w, h around all landmarks
    presence: float  # landmark model's probability that this is a face
    landmarks: np.ndarray  # (468, 3) float32
    iris: np.ndarray  # (10, 3) float32
    eye_contours: np.ndarray  # (2, 71, 3) float32
    image_size: tuple[int, int]  # (width, height) of the frame: where the camera's axis meets it
    # In a gallery, how many times in the last second this face's landmarks were really read
    # (still faces are read less often, issue 20); None where every face is read every frame.
    analysed_hz: float | None = None
    # False for a gallery face not read again in this frame: its landmarks are the ones last read,
    # so what follows it (its cues) has nothing new to take in either.
    read: bool = True

    def to_json(self, t: float, with_landmarks: bool = False) -> dict[str, object]:
        """A plain dict for a JSON line; landmarks only on request (they are 468 x 3 numbers)."""
        record: dict[str, object] = {
            "t": round(t, 4), "participant": self.participant,
            "box": [round(v, 1) for v in self.box], "presence": round(self.presence, 4)}
        if self.analysed_hz is not None:
            record["analysed_hz"] = self.analysed_hz
        if with_landmarks:
            record["landmarks"] = np.round(self.landmarks.astype(np.float64), 2).tolist()
            record["iris"] = np.round(self.iris.astype(np.float64), 2).tolist()
        return record


class FrameFaces(list):
    """The faces of one frame (a list of Face: confirmed participants only), and `ended`: the ids
    whose people a shot cut took off screen in this frame. Whatever follows a person (cues,
    signals) can close them now rather than wait to forget them; the tracker gives an id back
    only when the same face is recognised later (copilot.vision.appearance), and that starts the
    person afresh.

    A face is a participant only once confirmed (seen steadily for about a second, issue 18).
    Until then it is `tentative`, under a candidate key ("c1", ...): what follows faces may read
    it to keep its first second, but must say nothing of it. `confirmed` maps the keys confirmed
    in this frame to their participant ids (the first second is that person's from now on);
    `dropped` lists the candidates that vanished unconfirmed (what was read of them is thrown away).
    """

    def __init__(self, faces: list[Face] | tuple[Face, ...] = (), ended: tuple[str, ...] = (),
                 tentative: list[Face] | tuple[Face, ...] = (), confirmed: dict[str, str] | None = None,
                 dropped: tuple[str, ...] = ()) -> None:
        super().__init__(faces)
        self.ended = ended
        self.tentative = list(tentative)
        self.confirmed = confirmed or {}
        self.dropped = dropped
