"""One face's eyes read on the second core while its mesh runs (people.toml [landmarks]).

The crops are placed where the last two readings say the eyes will be, so the answers move a
little from those of crops placed on the frame's own landmarks; these tests hold that movement
to the bound issue 20 sets for a different landmark model (2 % of the eye distance), check that
a jump between frames sends the eyes back to the frame's own crops, and that the cores a machine
has never change what is read.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from copilot.shipped import models
from copilot.vision.frames import read_frames
from copilot.vision.tracker import FaceTracker

DATA = Path(__file__).parents[2] / "shared" / "data"
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"test recordings not found at {DATA}")
# Outside the behaviour split: a woman talking with small head movements (liveportrait s18), and a
# man nodding deeply and fast (noddingpigeon head_nodding, tuning half).
TALKING = DATA / "liveportrait" / "s18.mp4"
NODDING = DATA / "noddingpigeon" / "head_nodding.mp4"


def _read(frames: list, **options) -> tuple[FaceTracker, list[np.ndarray | None]]:
    """Each frame's iris points (10 x 3) of its one face, None where no face was read."""
    tracker = FaceTracker(**options)
    irises = []
    for t, image in frames:
        found = tracker.process(image, t)
        faces = [*found, *found.tentative]
        irises.append(faces[0].iris.copy() if len(faces) == 1 else None)
    return tracker, irises


def _eye_distance(tracker: FaceTracker) -> float:
    landmarks = tracker._tracks[0].result.landmarks
    return float(np.linalg.norm(landmarks[33, :2] - landmarks[263, :2]))


# The share of frames whose eyes are read alongside: most of a talking head's; a deep fast nod
# moves too fast between frames for many guesses (measured 122 of 270 frames, 49 read again).
@pytest.mark.parametrize(("clip", "least_alongside"), [(TALKING, 0.8), (NODDING, 0.3)],
                         ids=["talking", "nodding"])
def test_eyes_read_alongside_land_within_two_percent_of_the_eye_distance(clip: Path,
                                                                         least_alongside: float) -> None:
    frames = list(read_frames(clip))
    alongside, moved = _read(frames)
    after, still = _read(frames, eyes_alongside=False)
    iod = _eye_distance(after)
    offsets = np.array([np.linalg.norm(a[[0, 5], :2] - b[[0, 5], :2], axis=1).max() / iod
                        for a, b in zip(moved, still, strict=True) if a is not None and b is not None])
    assert len(offsets) > 0.9 * len(frames)
    assert np.percentile(offsets, 95) <= 0.02
    assert np.median(offsets) <= 0.01
    assert alongside.timings.eyes_read_alongside >= least_alongside * len(frames)
    assert after.timings.eyes_read_alongside == 0


def test_a_jump_between_frames_reads_the_eyes_again_on_the_frames_own_landmarks() -> None:
    frames = [(t, image) for t, image in read_frames(TALKING) if t < 2.0]
    jump = len(frames) // 2  # from here on the picture sits 40 px further right: the crops guessed miss
    frames = frames[:jump] + [(t, np.roll(image, 40, axis=1)) for t, image in frames[jump:]]
    alongside, moved = _read(frames)
    _, still = _read(frames, eyes_alongside=False)
    assert alongside.timings.eyes_read_again >= 1
    np.testing.assert_array_equal(moved[jump], still[jump])


def test_what_is_read_does_not_depend_on_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    frames = [(t, image) for t, image in read_frames(NODDING) if t < 2.0]
    _, two = _read(frames)
    monkeypatch.setattr(models, "_batch_parts", 1)  # a one-core machine: the eyes are read first
    _, one = _read(frames)
    for a, b in zip(two, one, strict=True):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-3)
