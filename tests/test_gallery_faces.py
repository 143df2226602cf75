"""A gallery of many faces in real time (issue 20): still faces keep their landmarks, the rest are
read in turn, every face is still reported every frame, and each says how often it was read."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from copilot.bench.gallery import gallery_frames
from copilot.vision.people_settings import people_settings
from copilot.vision.tracker import MAX_FACES, FaceTracker

FPS = 30.0
GALLERY = people_settings()["gallery"]


@pytest.fixture(scope="module")
def sixteen(shared_data: Path) -> list[tuple[float, np.ndarray]]:
    """Two seconds of a 4x4 1080p gallery of sixteen people talking."""
    return gallery_frames(shared_data, 4, 4, 60, fps=FPS)


def _reads(tracker: FaceTracker) -> int:
    return sum(len(track.refreshed) for track in tracker._tracks)


@pytest.mark.timeout(1800)
def test_a_gallery_reads_at_most_its_share_of_faces_a_frame_and_reports_every_face(sixteen) -> None:
    tracker = FaceTracker()
    counts, reads, rates = [], [], []
    for t, image in sixteen:
        before = _reads(tracker)
        faces = tracker.process(image, t)
        counts.append(len(faces) + len(faces.tentative))
        reads.append(_reads(tracker) - before)
        rates.append([face.analysed_hz for face in (*faces, *faces.tentative)])
    settled = slice(int(FPS), None)  # after the first second: every face found and confirmed
    assert min(counts[settled]) == 16  # every face in every frame, read or not
    assert max(reads[settled]) <= GALLERY["refresh_per_frame"]
    last = rates[-1]
    assert all(rate is not None for rate in last)
    # every face read at least as often as a still face must be, none every frame
    assert min(last) >= 1 / GALLERY["still_every_s"] and max(last) < FPS


def test_a_still_gallery_is_read_only_as_often_as_a_still_face_must_be(sixteen) -> None:
    """A frozen picture (a paused call): once all are found, each face waits still_every_s."""
    frozen = [(t, sixteen[0][1]) for t, _ in sixteen]
    tracker = FaceTracker()
    for t, image in frozen:
        faces = tracker.process(image, t)
    rates = [face.analysed_hz for face in (*faces, *faces.tentative)]
    assert len(rates) == 16
    # in the second second (all found in the first), each is read 1 / still_every_s times
    assert max(rates) <= 1 / GALLERY["still_every_s"] + 1 and min(rates) >= 1 / GALLERY["still_every_s"] - 1


def test_few_faces_are_each_read_every_frame(sixteen) -> None:
    """Up to full_rate_faces nothing changes: the same faces with or without the gallery rule."""
    frames = sixteen[:20]
    gallery, every = FaceTracker(), FaceTracker(full_rate_faces=MAX_FACES)
    for t, image in frames:
        crop = np.ascontiguousarray(image[:540, :960])  # the top-left 2x2 of the 4x4: four faces
        a, b = gallery.process(crop, t), every.process(crop, t)
        assert [f.analysed_hz for f in (*a, *a.tentative)] == [None] * (len(a) + len(a.tentative))
        for x, y in zip((*a, *a.tentative), (*b, *b.tentative), strict=True):
            np.testing.assert_array_equal(x.landmarks, y.landmarks)


def test_a_gallery_analysed_slowly_still_searches_every_fine_tile(sixteen) -> None:
    """A busy live session analyses a 1080p 4x4 gallery at a few frames a second. Its search for
    small newcomers (about 120 fine tiles, fine_views_per_frame a frame) must still reach every
    tile: restarting it each second left half of them, the lower right of the picture, unsearched."""
    from copilot.vision.detector import views

    tracker = FaceTracker()
    searched: set[tuple[float, ...]] = set()
    detect = tracker.detector.detect

    def detect_and_note(image, regions=None, **options):
        searched.update(region.box() for region in regions or ())
        return detect(image, regions=regions, **options)

    tracker.detector.detect = detect_and_note
    height, width = sixteen[0][1].shape[:2]
    fine = views(width, height, min_face_px=tracker.min_face_px)[len(views(width, height)):]
    step_s = 0.2  # five analysed frames a second: 12 tiles a frame reach 60 of them in a second
    assert len(fine) > people_settings()["detection"]["fine_views_per_frame"] / step_s
    for k, (_, image) in enumerate([*sixteen, *sixteen[::-1]][::3]):
        tracker.process(image, k * step_s)
        if k == 0:  # the first frame searches everything at once (nobody tracked yet)
            searched.clear()
    assert len(tracker._tracks) == 16
    assert [region.box() for region in fine if region.box() not in searched] == []


def test_a_gallery_face_not_read_again_keeps_its_last_cues(sixteen) -> None:
    """Cues of a face the gallery did not read again in a frame are those of its last reading, at
    the new time and with nothing begun or ended; a face read again gets new ones."""
    from copilot.vision.cues.analyzer import FaceCueAnalyzer

    tracker, analyzer = FaceTracker(), FaceCueAnalyzer()
    last: dict[str, dict] = {}
    carried = read = 0
    for t, image in sixteen:
        faces = tracker.process(image, t)
        step = analyzer.process(faces, t)
        for face in (*faces, *faces.tentative):
            now = step.cues.get(face.participant) or step.tentative[face.participant]
            assert now.participant == face.participant  # a confirmed candidate's too
            cues = now.to_json()
            values = {k: v for k, v in cues.items() if k not in ("t", "events", "nod_swings", "shake_swings")}
            if not face.read and face.participant in last:
                assert values == last[face.participant] and now.t == t and not now.events
                carried += 1
            else:
                read += 1
            last[face.participant] = values
    assert carried > 0.3 * (carried + read)  # 16 faces, at most refresh_per_frame read a frame
