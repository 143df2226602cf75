"""Shot cuts: the picture jumps to another camera or another person from one frame to the next.

Edited recordings cut between cameras, and a video call in speaker view cuts to whoever
talks. Across a cut, where a face was says nothing about who is there now, so the tracker
must not carry an id over by position: without this, a performer's id went on to the
audience member who sat where the performer's face had been (short_hamilton_clip, 7.0 s).

A cut is a frame that differs from the one before it in two ways at once, each measured
on a 64x36 thumbnail:
- in place: the mean absolute change of its B, G and R values (0-255);
- in make-up: how far its colour histogram moved (16 bins a channel; 0-100, the share of
  pixels that changed bin).
A head that jumps between two frames (a synthetic test does this) changes the first by
25-30 but the second by only 3-4; a new picture changes both. In the shared recordings
the cuts (three in short_hamilton_clip, those of pyfeat's face/no-face edits) read
27.7-141 and 18.6-90; continuous footage (talking, turning, lighting changes, camera
moves) reads at most 14.1 and 9.0. The thresholds, 20 and 10, sit between.
A cut is also a spike: the frame before it changed at most a third as much. The cuts read
6-120 times the change before them; a head sliding fast out of the picture changes a lot
on several frames running (a synthetic one: at most twice the change before).
BGR, not the HSV many shot detectors use: a camera's noise on grey, dark or pale pictures
makes hue and saturation jump (HSV read 21-41 on such footage, a "cut" on every frame),
while these two measures read under 3.5 and 1.5 there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

THUMBNAIL = (64, 36)  # (width, height): enough to see a new picture, too coarse to see a nod
CUT_CHANGE = 20.0  # mean |change| of B, G and R (0-255) that a cut exceeds
CUT_HISTOGRAM = 10.0  # ... and the share of pixels (%) whose colour bin changed
SPIKE = 3.0  # ... and at least this many times the previous frame's change in place
BINS = 16  # histogram bins per channel


@dataclass
class CutDetector:
    """Says, frame by frame, whether this frame starts a new shot."""

    threshold: float = CUT_CHANGE
    histogram_threshold: float = CUT_HISTOGRAM
    change: float = 0.0  # the latest frame's change in place, for tests and tuning
    histogram_change: float = 0.0  # and in make-up
    _previous: np.ndarray | None = field(default=None, repr=False)
    _previous_histogram: np.ndarray | None = field(default=None, repr=False)
    _size: tuple[int, ...] = field(default=(), repr=False)
    _change_before: float = field(default=0.0, repr=False)

    def is_cut(self, image_bgr: np.ndarray) -> bool:
        """True when this frame differs from the previous one as a new shot does.

        The first frame is no cut; a frame of another size is one (a new picture).
        """
        import cv2

        step = max(1, image_bgr.shape[0] // (2 * THUMBNAIL[1]))  # every step-th pixel: 0.2 ms, not 12, at 4K
        small = cv2.resize(image_bgr[::step, ::step], THUMBNAIL, interpolation=cv2.INTER_AREA)
        thumbnail = small.astype(np.int16)
        previous, self._previous = self._previous, thumbnail
        histogram, self._previous_histogram = self._previous_histogram, _histogram(thumbnail)
        size, self._size = self._size, image_bgr.shape
        if previous is None or size != image_bgr.shape:
            self.change = self.histogram_change = 0.0 if previous is None else np.inf
            return previous is not None
        self._change_before, self.change = self.change, float(np.mean(np.abs(thumbnail - previous)))
        self.histogram_change = float(50 * np.abs(self._previous_histogram - histogram).sum() / 3)
        return (self.change > self.threshold and self.histogram_change > self.histogram_threshold
                and self.change > SPIKE * self._change_before)


def _histogram(thumbnail: np.ndarray) -> np.ndarray:
    """Each channel's share of pixels per bin, the three channels one after another."""
    pixels = thumbnail.shape[0] * thumbnail.shape[1]
    return np.concatenate([np.bincount(thumbnail[..., c].ravel() // (256 // BINS), minlength=BINS)
                           for c in range(3)]) / pixels
