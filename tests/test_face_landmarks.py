"""Face mesh and iris on real photos: parity with the original .tflite and anatomical sanity.

The app's default is the plain mesh, then the iris model on each eye; it is checked against its
originals here, and the attention mesh (landmarks, eye contours and irises in one call, the
other choice in people.toml) against it on the same faces (issue 20)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from copilot.vision.detector import FaceDetector
from copilot.vision.geometry import aligned_region, crop, to_rgb_unit
from copilot.vision.mesh import FACE_SCALE, IRIS_SIZE, MESH_SIZE, FaceMesh, eye_regions

DATA = Path(__file__).parents[2] / "shared" / "data"
ORIGINALS = [Path(__file__).parents[1] / "models" / "original",
             Path("/tmp/wheels/mp/mediapipe/modules/face_landmark"),
             Path("/tmp/wheels/mp/mediapipe/modules/iris_landmark")]
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"test recordings not found at {DATA}")


@pytest.fixture(scope="module")
def pipeline() -> tuple[FaceDetector, FaceMesh]:
    """The detector and the earlier two-model mesh (plain mesh, then the iris model)."""
    from copilot.shipped.models import load_model

    return FaceDetector(load_model), FaceMesh(load_model, attention=False)


@pytest.fixture(scope="module")
def attention() -> FaceMesh:
    from copilot.shipped.models import load_model

    return FaceMesh(load_model)


@pytest.fixture(scope="module")
def group_photo(pipeline):
    """The five faces of multi_face.jpg: image, detections, their regions and mesh results."""
    import cv2

    image = cv2.imread(str(DATA / "pyfeat" / "multi_face.jpg"))
    detector, mesh = pipeline
    found = detector.detect(image)
    regions = [aligned_region(d.box, d.keypoints[0], d.keypoints[1], FACE_SCALE) for d in found]
    return image, found, regions, mesh.landmarks(image, regions)


def _original(name: str):
    litert = pytest.importorskip("ai_edge_litert.interpreter", reason="ai-edge-litert not installed")
    for folder in ORIGINALS:
        if (folder / name).is_file():
            interpreter = litert.Interpreter(str(folder / name))
            interpreter.allocate_tensors()
            return interpreter
    pytest.skip(f"original {name} not found in {', '.join(map(str, ORIGINALS))}")


def _run_original(interpreter, batch: np.ndarray) -> dict[int, np.ndarray]:
    """One crop at a time, as the original's batch is fixed at 1; outputs keyed by size."""
    rows: dict[int, list[np.ndarray]] = {}
    for item in batch:
        interpreter.set_tensor(interpreter.get_input_details()[0]["index"], item[None])
        interpreter.invoke()
        for detail in interpreter.get_output_details():
            out = interpreter.get_tensor(detail["index"]).reshape(-1)
            rows.setdefault(out.size, []).append(out)
    return {size: np.stack(outs) for size, outs in rows.items()}


def test_crops_become_one_rgb_batch_in_the_unit_range() -> None:
    rng = np.random.default_rng(7)
    image = rng.integers(0, 256, (64, 128, 3), np.uint8)
    crops = [image[:, :64], image[:, 64:][:, ::-1]]  # the second mirrored, as an eye crop is
    expected = np.stack([np.ascontiguousarray(c) for c in crops])[..., ::-1].astype(np.float32) / 255
    got = to_rgb_unit(crops)
    assert got.dtype == np.float32 and got.shape == (2, 64, 64, 3)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-7)


def test_mesh_matches_the_original_model_on_the_same_crops(pipeline, group_photo) -> None:
    image, _, regions, _ = group_photo
    batch = to_rgb_unit([crop(image, r, MESH_SIZE) for r in regions])
    ours = pipeline[1].mesh_model.run(batch)
    theirs = _run_original(_original("face_landmark.tflite"), batch)
    assert np.abs(ours[1404] - theirs[1404]).max() < 0.1  # crop pixels, model resolution
    assert np.abs(ours[1] - theirs[1]).max() < 0.05


def test_iris_matches_the_original_model_on_the_same_crops(pipeline, group_photo) -> None:
    image, _, _, results = group_photo
    regions = [r for result in results for r in eye_regions(result.landmarks)]
    batch = to_rgb_unit([crop(image, r, IRIS_SIZE, flip=k % 2 == 1) for k, r in enumerate(regions)])
    ours = pipeline[1].iris_model.run(batch)
    theirs = _run_original(_original("iris_landmark.tflite"), batch)
    for size in (213, 15):
        assert np.abs(ours[size] - theirs[size]).max() < 0.1


def test_landmarks_sit_on_each_face(group_photo) -> None:
    _, found, _, results = group_photo
    for detection, result in zip(found, results, strict=True):
        points = result.landmarks
        assert result.presence > 0.9 and points.shape == (468, 3) and points.dtype == np.float32
        eye_gap = np.linalg.norm(detection.keypoints[1] - detection.keypoints[0])
        eye_centres = np.stack([points[[33, 133], :2].mean(axis=0), points[[362, 263], :2].mean(axis=0)])
        offsets = np.linalg.norm(eye_centres - detection.keypoints[:2], axis=1)
        assert offsets.max() < 0.75 * eye_gap  # loose for the face behind sunglasses
        nose, upper_lip, chin = points[1], points[13], points[152]
        assert eye_centres[:, 1].max() < nose[1] < upper_lip[1] < chin[1]  # top to bottom
        assert eye_centres[0, 0] < nose[0] < eye_centres[1, 0]
        assert nose[2] < points[234, 2] and nose[2] < points[454, 2]  # nose nearer than the cheeks


def test_batched_faces_equal_faces_one_at_a_time(pipeline, group_photo) -> None:
    image, _, regions, results = group_photo
    for region, batched in zip(regions[:2], results[:2], strict=True):
        alone = pipeline[1].landmarks(image, [region])[0]
        assert np.abs(alone.landmarks - batched.landmarks).max() < 0.01


@pytest.mark.parametrize("model", ["mesh and iris", "attention"])
def test_irises_sit_in_the_eyes(pipeline, attention, group_photo, model) -> None:
    image, _, regions, results = group_photo
    if model == "attention":
        results = attention.landmarks(image, regions)
        eyes = attention.eyes(image, results)
    else:
        eyes = pipeline[1].eyes(image, results)
    for result, eye in zip(results, eyes, strict=True):
        assert eye.iris.shape == (10, 3) and eye.contours.shape == (2, 71, 3)
        for k, (outer, inner) in enumerate(((33, 133), (362, 263))):
            corners = result.landmarks[[outer, inner], :2]
            width = np.linalg.norm(corners[1] - corners[0])
            centre = eye.iris[5 * k, :2]
            assert np.linalg.norm(centre - corners.mean(axis=0)) < 0.35 * width
            radius = np.linalg.norm(eye.iris[5 * k + 1:5 * k + 5, :2] - centre, axis=1).mean()
            assert 0.1 * width < radius < 0.4 * width
