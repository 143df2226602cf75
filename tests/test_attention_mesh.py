"""The attention mesh (issue 20): its conversion gives MediaPipe's own answers, and on real faces it
agrees with the plain mesh and the iris model it replaced, within 2 % of the inter-ocular distance.

The same face regions (placed by the earlier pipeline's own tracking) go to both pipelines, so
only the models differ. Eye contours are held to how far the earlier pipeline's two models
(the plain mesh's eye points and the iris model's contour) already differ from each other:
those two disagree by about 3 % of the inter-ocular distance, so 2 % cannot hold for contours
from any third model either.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from copilot.shipped.models import load_model, model_spec, resource_path
from copilot.vision.frames import read_frames
from copilot.vision.geometry import crop, to_rgb_unit
from copilot.vision.mesh import EYE_CONTOUR_MESH, MESH_SIZE, FaceMesh, face_region
from copilot.vision.tracker import FaceTracker

CLIPS = ("liveportrait/d3.mp4", "liveportrait/d13.mp4", "liveportrait/s18.mp4",
         "noddingpigeon/head_nodding.mp4", "video_retalking/1.mp4")
FRAMES, EVERY = 96, 8  # per clip: every 8th of its first 96 frames
EYE_POINTS = [*EYE_CONTOUR_MESH[0], *EYE_CONTOUR_MESH[1]]


@pytest.fixture(scope="module")
def faces(shared_data: Path) -> list[tuple[np.ndarray, object]]:
    """(image, region) of every face in the sampled frames, as the earlier pipeline tracked them."""
    found = []
    for clip in CLIPS:
        tracker = FaceTracker(attention=False)
        for t, image in itertools.islice(read_frames(shared_data / clip), 0, FRAMES):
            seen = tracker.process(image, t)
            if round(t * 30) % EVERY == 0:
                found += [(image, face_region(face.landmarks)) for face in (*seen, *seen.tentative)]
    assert len(found) >= 50
    return found


@pytest.fixture(scope="module")
def differences(faces) -> dict[str, np.ndarray]:
    """Per face, mean distances over the inter-ocular distance, attention vs the earlier models."""
    attention, earlier = FaceMesh(load_model), FaceMesh(load_model, attention=False)
    rows: dict[str, list[float]] = {"mesh": [], "iris centres": [], "eye contours": [],
                                    "earlier mesh eyes vs its iris contours": []}
    for image, region in faces:
        new = attention.landmarks(image, [region])[0]
        old = earlier.landmarks(image, [region])[0]
        old.eyes = earlier.eyes(image, [old])[0]
        eyes_apart = float(np.linalg.norm(old.landmarks[33, :2] - old.landmarks[263, :2]))

        def apart(a: np.ndarray, b: np.ndarray, scale: float = eyes_apart) -> float:
            return float(np.linalg.norm(a[:, :2] - b[:, :2], axis=1).mean() / scale)

        rows["mesh"].append(apart(new.landmarks, old.landmarks))
        rows["iris centres"].append(apart(new.eyes.iris[[0, 5]], old.eyes.iris[[0, 5]]))
        rows["eye contours"].append(apart(new.eyes.contours.reshape(-1, 3), old.eyes.contours.reshape(-1, 3)))
        rows["earlier mesh eyes vs its iris contours"].append(
            apart(old.landmarks[EYE_POINTS], old.eyes.contours.reshape(-1, 3)))
    table = {name: np.array(values) for name, values in rows.items()}
    print(f"\n{len(faces)} faces, attention mesh vs plain mesh + iris, share of the eye distance")
    print(f"{'':<42}{'median':>8}{'p95':>8}{'max':>8}")
    for name, values in table.items():
        print(f"{name:<42}{np.median(values):>8.4f}{np.percentile(values, 95):>8.4f}{values.max():>8.4f}")
    return table


def test_the_mesh_agrees_with_the_plain_mesh_within_two_percent(differences) -> None:
    mesh = differences["mesh"]
    assert np.median(mesh) <= 0.02 and np.percentile(mesh, 95) <= 0.03


def test_the_irises_agree_with_the_iris_model_within_two_percent(differences) -> None:
    """Typically well within; the few frames beyond are eyes half shut or turned away, where
    the iris model's own 64-pixel eye crop shows little iris to place (p95 2.4 % here)."""
    iris = differences["iris centres"]
    assert np.median(iris) <= 0.01 and np.percentile(iris, 95) <= 0.03


def test_the_eye_contours_agree_as_closely_as_the_earlier_models_agree_with_each_other(differences) -> None:
    ours, theirs = differences["eye contours"], differences["earlier mesh eyes vs its iris contours"]
    assert np.median(ours) <= 1.25 * np.median(theirs) and np.median(ours) <= 0.04


def test_the_conversion_gives_mediapipes_own_answers(faces) -> None:
    """The .onnx by ONNX Runtime vs the .tflite by MediaPipe's runtime, on the same crops."""
    pytest.importorskip("mediapipe", reason="mediapipe==0.10.21 not installed (the bench extra)")
    from mediapipe_runtime import OUTPUTS, run_original

    original = resource_path("models", model_spec("face_landmark_with_attention")["original"])
    crops = [crop(image, region, MESH_SIZE) for image, region in faces[::3]]
    rng = np.random.default_rng(5)
    crops += [rng.integers(0, 256, (MESH_SIZE, MESH_SIZE, 3), dtype=np.uint8) for _ in range(2)]
    theirs = run_original(original, [c[..., ::-1] for c in crops])
    ours = FaceMesh(load_model).mesh_model.run_named(to_rgb_unit(crops))
    largest = {name: float(np.abs(ours[name].reshape(len(crops), points, -1)[..., :2] - theirs[name]).max())
               for name, points in OUTPUTS}
    print(f"\nONNX Runtime vs MediaPipe on {len(crops)} crops, largest difference (px of 192): {largest}")
    assert max(largest.values()) < 1e-3
