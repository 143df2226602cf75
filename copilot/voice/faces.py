"""Mouth movement per tracked face, so speech on one track can be given to the face that talks."""

from __future__ import annotations

from collections import deque

import numpy as np

from copilot.voice.cues import FaceMouth

UPPER_LIP, LOWER_LIP = 13, 14  # Face Mesh inner-lip midpoints
HISTORY_FRAMES = 15  # about half a second of video


class MouthWatch:
    def __init__(self) -> None:
        self._openings: dict[str, deque[float]] = {}

    def update(self, faces: list) -> list[FaceMouth]:
        out = []
        for face in faces:
            height = max(float(face.box[3]), 1.0)
            gap = float(np.linalg.norm(face.landmarks[UPPER_LIP, :2] - face.landmarks[LOWER_LIP, :2]))
            history = self._openings.setdefault(face.participant, deque(maxlen=HISTORY_FRAMES))
            history.append(gap / height)
            out.append(FaceMouth(face.participant, gap / height, float(np.std(history))))
        return out
