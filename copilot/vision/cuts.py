"""Shot cuts: the picture jumps to another camera or another person from one frame to the next.

Edited recordings cut between cameras, and a video call in speaker view cuts to whoever
talks. Across a cut, where a face was says nothing about who is there now, so the tracker
must not carry an id over by position: without this, a performer's id went on to the
audience member who sat where the performer's face had been (short_hamilton_clip, 7.0 s).

A cut is read as the mean absolute change of a small HSV thumbnail between consecutive
frames, the measure content-based shot detectors commonly use. In the shared recordings
the cuts (three in short_hamilton_clip, those of pyfeat's face/no-face edits) change it by
47-138, and continuous footage by at most 19 (talking, turning, lighting changes, camera
moves), so 30 sits between with room on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

THUMBNAIL = (64, 36)  # (width, height): enough to see a new picture, too coarse to see a nod
CUT_CHANGE = 30.0  # mean |change| of H, S and V (0-255, hue 0-179) that counts as a cut


@dataclass
class CutDetector:
    """Says, frame by frame, whether this frame starts a new shot."""

    threshold: float = CUT_CHANGE
    change: float = 0.0  # the latest frame's change, for tests and tuning
    _previous: np.ndarray | None = field(default=None, repr=False)
    _size: tuple[int, ...] = field(default=(), repr=False)

    def is_cut(self, image_bgr: np.ndarray) -> bool:
        """True when this frame differs from the previous one as a new shot does.

        The first frame is no cut; a frame of another size is one (a new picture).
        """
        import cv2

        step = max(1, image_bgr.shape[0] // (2 * THUMBNAIL[1]))  # every step-th pixel: 0.2 ms, not 12, at 4K
        small = cv2.resize(image_bgr[::step, ::step], THUMBNAIL, interpolation=cv2.INTER_AREA)
        thumbnail = cv2.cvtColor(small, cv2.COLOR_BGR2HSV).astype(np.int16)
        previous, self._previous = self._previous, thumbnail
        size, self._size = self._size, image_bgr.shape
        if previous is None or size != image_bgr.shape:
            self.change = 0.0 if previous is None else np.inf
            return previous is not None
        self.change = float(np.mean(np.abs(thumbnail - previous)))
        return self.change > self.threshold
