"""BlazeFace detection on real photos and a real cartoon frame, with the shipped ONNX model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from copilot.vision.detector import FaceDetector, anchor_centres, merge_overlapping

DATA = Path(__file__).parents[2] / "shared" / "data"
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"test recordings not found at {DATA}")


@pytest.fixture(scope="module")
def detector() -> FaceDetector:
    from copilot.shipped.models import load_model

    return FaceDetector(load_model)


def _image(name: str) -> np.ndarray:
    import cv2

    image = cv2.imread(str(DATA / "pyfeat" / name))
    assert image is not None, name
    return image


def test_anchors_cover_the_two_feature_maps() -> None:
    anchors = anchor_centres()
    assert anchors.shape == (896, 2)
    assert np.allclose(anchors[0], [0.5 / 16, 0.5 / 16])  # 16x16 map, 2 anchors per cell
    assert np.allclose(anchors[2], [1.5 / 16, 0.5 / 16])
    assert np.allclose(anchors[512], [0.5 / 8, 0.5 / 8])  # 8x8 map, 6 anchors per cell
    assert np.allclose(anchors[518], [1.5 / 8, 0.5 / 8])


def test_weighted_merge_averages_a_cluster_and_keeps_separate_faces() -> None:
    rows = np.zeros((3, 16), dtype=np.float32)
    rows[:, 2:4] = 0.2
    rows[:, 0:2] = [[0.30, 0.3], [0.32, 0.3], [0.8, 0.8]]
    merged = merge_overlapping(np.array([0.9, 0.6, 0.7], dtype=np.float32), rows)
    assert [round(score, 2) for score, _ in merged] == [0.9, 0.7]
    assert merged[0][1][0] == pytest.approx((0.30 * 0.9 + 0.32 * 0.6) / 1.5)


def test_one_face_in_the_portrait(detector: FaceDetector) -> None:
    found = detector.detect(_image("single_face.jpg"))
    assert len(found) == 1
    _assert_plausible(found[0])


def test_five_faces_in_the_group_photo(detector: FaceDetector) -> None:
    found = detector.detect(_image("multi_face.jpg"))
    assert len(found) == 5
    for face in found:
        _assert_plausible(face)
    widths = [face.box[2] for face in found]
    assert max(widths) < 1.5 * min(widths)  # the five faces are about the same size


def test_no_face_in_the_cartoon_title(detector: FaceDetector) -> None:
    from copilot.vision.frames import read_frames

    frame = next(image for t, image in read_frames(DATA / "pyfeat" / "face_noface.mov") if t >= 4.0)
    assert detector.detect(frame) == []


def _assert_plausible(face) -> None:
    x, y, w, h = face.box
    assert 0.8 < w / h < 1.25 and face.score >= 0.5
    eyes = face.keypoints[:2]
    assert np.all((eyes[:, 0] > x) & (eyes[:, 0] < x + w) & (eyes[:, 1] > y) & (eyes[:, 1] < y + h))
    assert eyes[0, 0] < eyes[1, 0]  # keypoint 0 is the eye on the image's left
    assert eyes[:, 1].mean() < face.keypoints[3, 1]  # eyes above the mouth
