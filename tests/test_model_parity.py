"""The converted ONNX face models give the original .tflite's answers (LiteRT vs ONNX Runtime).

Same inputs through both: random tensors and real faces (whole photos and video frames
for the detector, face crops for the mesh, eye crops from those meshes for the iris).
The ONNX side runs each set as one batch, so the dynamic batch is proven too. Crops are
rough on purpose: square boxes from this test's own decoding of the detector, no
rotation, so the test does not lean on the app's vision code.
"""

from __future__ import annotations

import numpy as np
import pytest

from copilot.shipped import models

litert = pytest.importorskip("ai_edge_litert.interpreter", reason="ai-edge-litert not installed")
cv2 = pytest.importorskip("cv2")

PHOTOS = ["single_face.jpg", "multi_face.jpg", "0-f1-su-ph.jpg", "0-f15-hao-ph.jpg",
          "15-f13-anc-ph.jpg", "45-m7-di-ph.jpg"]
CLIP_FRAMES = [("d3.mp4", 100), ("d10.mp4", 200), ("d13.mp4", 60), ("s18.mp4", 30)]
LANDMARK_PX_LIMIT = 0.1  # at model resolution: 192 px for the mesh, 64 px for the iris
RIGHT_EYE, LEFT_EYE = (33, 133), (362, 263)  # mesh indices of each eye's corners


@pytest.fixture(scope="module", autouse=True)
def _cpu_only():
    """Parity is about the conversion, so both sides run on the CPU."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COPILOT_PROVIDER", "cpu")
        yield


@pytest.fixture(scope="module")
def table(pytestconfig):
    """Collects one row per comparison and prints them as a table after the module."""
    rows: list[tuple[str, str, int, float, str]] = []
    yield rows
    lines = [f"{'model':<28}{'inputs':<8}{'n':>4}{'max |diff|':>13}  coordinates (input px)"]
    lines += [f"{m:<28}{kind:<8}{n:>4}{diff:>13.2e}  {note}" for m, kind, n, diff, note in rows]
    print("\n" + "\n".join(lines))
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    capture = pytestconfig.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None and pytestconfig.getoption("capture") != "no":
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_sep("-", "ONNX vs TFLite parity")
            for line in lines:
                reporter.write_line(line)


def _run_both(name: str, batch: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(LiteRT outputs, ONNX outputs), each a list of arrays with the batch first."""
    spec = models.model_spec(name)
    original = models.resource_path("models", spec["original"])
    if not original.is_file():
        pytest.skip(f"the original {original} is not in this checkout")
    interpreter = litert.Interpreter(model_path=str(original), num_threads=1)
    interpreter.allocate_tensors()
    slot = interpreter.get_input_details()[0]["index"]
    per_item = []
    for item in batch:
        interpreter.set_tensor(slot, item[None])
        interpreter.invoke()
        per_item.append([interpreter.get_tensor(d["index"]) for d in interpreter.get_output_details()])
    expected = [np.concatenate(outs) for outs in zip(*per_item, strict=True)]
    got = models.load_model(name, threads=1).run({"image": batch})
    return expected, got


def _compare(name: str, kind: str, batch: np.ndarray, table, note=None):
    """Asserts every output agrees; returns (LiteRT outputs, ONNX outputs)."""
    expected, got = _run_both(name, batch)
    assert [e.shape for e in expected] == [g.shape for g in got]
    diffs = [float(np.abs(e - g).max()) for e, g in zip(expected, got, strict=True)]
    table.append((name, kind, len(batch), max(diffs), note(expected, got) if note else ""))
    for e, g in zip(expected, got, strict=True):  # logits and pixels: tight absolute bound
        np.testing.assert_allclose(g, e, rtol=1e-4, atol=2e-3)
    return expected, got


def _sigmoid(logits: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-np.clip(logits.astype(np.float64), -100, 100)))


def _px(expected: list[np.ndarray], got: list[np.ndarray], outputs: tuple[int, ...]) -> float:
    """Largest coordinate difference over the given outputs (they are in input pixels)."""
    return max(float(np.abs(expected[i] - got[i]).max()) for i in outputs)


def _confident_box_px(expected, got) -> float:
    """Box and keypoint difference over anchors either side scores above 0.5.

    The other anchors can hold huge values (thousands of pixels behind a logit of -4000
    in black letterbox bars) that nothing reads; they are still checked, relatively.
    """
    confident = np.maximum(_sigmoid(expected[1]), _sigmoid(got[1]))[..., 0] > 0.5
    return float(np.abs(expected[0] - got[0])[confident].max())


def _detection_note(expected, got) -> str:
    scores = [_sigmoid(logits) for logits in (expected[1], got[1])]
    return (f"faces' boxes {_confident_box_px(expected, got):.1e} px of 128, "
            f"score {float(np.abs(scores[0] - scores[1]).max()):.1e}")


def _square(image: np.ndarray, cx: float, cy: float, side: float, size: int,
            flip: bool = False) -> np.ndarray:
    """The square of `side` image pixels centred on (cx, cy), resized to size x size, RGB."""
    scale = size / side
    matrix = np.array([[scale, 0, size / 2 - cx * scale], [0, scale, size / 2 - cy * scale]])
    out = cv2.warpAffine(image, matrix, (size, size), flags=cv2.INTER_LINEAR)
    out = out[:, ::-1] if flip else out
    return np.ascontiguousarray(out[..., ::-1])


def _anchors() -> np.ndarray:
    """Centres of BlazeFace short range's 896 anchors, in 128-px input pixels."""
    centres = []
    for cells, per_cell in ((16, 2), (8, 6)):
        ys, xs = np.mgrid[0:cells, 0:cells]
        grid = np.stack([xs, ys], -1).reshape(-1, 1, 2) + 0.5
        centres.append(np.repeat(grid, per_cell, axis=1).reshape(-1, 2) * (128 / cells))
    return np.concatenate(centres)


def _faces(regressors: np.ndarray, logits: np.ndarray) -> list[tuple[float, float, float]]:
    """(cx, cy, size) in 128-px input pixels of each face, strongest first; crude NMS."""
    scores = _sigmoid(logits.reshape(-1))
    boxes = regressors.reshape(-1, 16)[:, :4].copy()
    boxes[:, :2] += _anchors()
    faces: list[tuple[float, float, float]] = []
    for i in np.argsort(-scores):
        if scores[i] < 0.5:
            break
        cx, cy, w, h = boxes[i]
        if all(np.hypot(cx - fx, cy - fy) > 0.5 * fs for fx, fy, fs in faces):
            faces.append((float(cx), float(cy), float(max(w, h))))
    return faces


@pytest.fixture(scope="module")
def real_images(shared_data) -> list[np.ndarray]:
    images = [cv2.imread(str(shared_data / "pyfeat" / name)) for name in PHOTOS]
    group = images[PHOTOS.index("multi_face.jpg")]  # its faces are small when seen whole
    side = group.shape[0]
    images += [group[:, :side], group[:, -side:]]
    for clip, index in CLIP_FRAMES:
        capture = cv2.VideoCapture(str(shared_data / "liveportrait" / clip))
        capture.set(cv2.CAP_PROP_POS_FRAMES, index)
        ok, frame = capture.read()
        capture.release()
        assert ok, f"could not read frame {index} of {clip}"
        images.append(frame)
    assert all(image is not None for image in images)
    return images


def _letterbox(image: np.ndarray) -> tuple[np.ndarray, float, float, float]:
    """Whole image in 128x128 (aspect kept, black borders) in [-1, 1]; and the mapping back."""
    h, w = image.shape[:2]
    side = max(h, w)
    tensor = _square(image, w / 2, h / 2, side, 128).astype(np.float32) / 127.5 - 1
    return tensor, w / 2 - side / 2, h / 2 - side / 2, side / 128


def test_random_inputs_agree(table):
    rng = np.random.default_rng(7)
    for name, size, low in (("face_detection_short_range", 128, -1.0), ("face_landmark", 192, 0.0),
                            ("iris_landmark", 64, 0.0)):
        batch = rng.uniform(low, 1.0, (3, size, size, 3)).astype(np.float32)
        _compare(name, "random", batch, table, lambda e, g: f"first output {_px(e, g, (0,)):.1e}")


@pytest.fixture(scope="module")
def face_crops(real_images, table) -> np.ndarray:
    """Detector parity on the real images, then 192x192 crops of every face found."""
    boxed = [_letterbox(image) for image in real_images]
    expected, got = _compare("face_detection_short_range", "real",
                             np.stack([b[0] for b in boxed]), table, _detection_note)
    assert _confident_box_px(expected, got) < LANDMARK_PX_LIMIT
    regressors, logits = got
    crops = []
    for image, (_, x0, y0, scale), reg, logit in zip(real_images, boxed, regressors, logits,
                                                      strict=True):
        found = _faces(reg, logit)
        assert found, "the detector found no face in a photo of a face"
        for cx, cy, size in found:
            crop = _square(image, x0 + cx * scale, y0 + cy * scale, 1.5 * size * scale, 192)
            crops.append(crop.astype(np.float32) / 255)
    assert len(crops) >= len(real_images) + 4  # multi_face.jpg alone holds five faces
    return np.stack(crops)


@pytest.fixture(scope="module")
def meshes(face_crops, table) -> tuple[np.ndarray, np.ndarray]:
    expected, got = _compare("face_landmark", "real", face_crops, table,
                             lambda e, g: f"landmarks {_px(e, g, (0,)):.1e} px of 192")
    assert _px(expected, got, (0,)) < LANDMARK_PX_LIMIT
    landmarks, flags = got
    assert np.mean(flags.reshape(-1) > 0) >= 0.8, "most crops should look like faces to the mesh"
    return face_crops, landmarks.reshape(-1, 468, 3)


def test_face_mesh_agrees_on_real_faces(meshes):
    crops, landmarks = meshes
    assert landmarks.shape == (len(crops), 468, 3)


def test_iris_agrees_on_real_eyes(meshes, table):
    crops, landmarks = meshes
    eyes = []
    for crop, points in zip(crops, landmarks, strict=True):
        image = (crop[..., ::-1] * 255).astype(np.uint8)  # back to BGR for _square
        for flip, (a, b) in ((False, RIGHT_EYE), (True, LEFT_EYE)):
            (xa, ya), (xb, yb) = points[a, :2], points[b, :2]
            side = 2.3 * float(np.hypot(xb - xa, yb - ya))
            eyes.append(_square(image, (xa + xb) / 2, (ya + yb) / 2, side, 64, flip))
    batch = np.stack(eyes).astype(np.float32) / 255
    expected, got = _compare("iris_landmark", "real", batch, table,
                             lambda e, g: f"contour+iris {_px(e, g, (0, 1)):.1e} px of 64")
    assert _px(expected, got, (0, 1)) < LANDMARK_PX_LIMIT
    centre = got[1].reshape(-1, 5, 3)[:, 0, :2]
    assert np.all((centre > 8) & (centre < 56)), "iris centres should fall inside the eye crops"
