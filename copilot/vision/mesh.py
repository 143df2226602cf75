"""Face Mesh and irises: dense landmarks for faces whose regions are already known.

Two ways, picked in people.toml [landmarks]. The plain mesh for all faces of a frame as one
batch, then the iris model over both eyes of every face as a second batch: what the cues and
signals were tuned on. Or MediaPipe's attention mesh, which gives the 468 landmarks, both eyes'
contours and both irises from the face crop in one call (issue 20: the two iris crops per face
cost twice the mesh); `copilot bench` times both, and the parity tests hold the attention mesh
to the plain pair. `Model.run_batch` cuts each batch over two cores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from copilot.vision.geometry import Region, aligned_region, crop, points_box, to_image, to_rgb_unit
from copilot.vision.runtime import ATTENTION_MESH, FACE_MESH, IRIS, ImageModel, Loader

MESH_SIZE = 192
IRIS_SIZE = 64
MESH_POINTS = 468
FACE_SCALE = 1.5  # region side over the face's long side, so next frame's face stays inside
EYE_SCALE = 2.3
EYE_LINE = (33, 263)  # outer corners of the two eyes: the face region is turned level on them
# Corners of each eye, in the order MediaPipe reads them: the eye on the image's left for a
# frontal, unmirrored face (the person's right eye) first; the model knows only that eye,
# so the other one is mirrored before and after.
EYE_CORNERS = ((33, 133), (362, 263))
EYE_CONTOUR_POINTS = 71
IRIS_POINTS = 5  # centre, then four points on the iris edge
# The mesh point each of the 71 eye-contour points stands for, per eye in EYE_CORNERS order:
# the list MediaPipe maps both the iris model's and the attention mesh's contours onto (the
# attention model's own eye crops are the box around these points). Point 0 and 8 are the
# corners, 1-7 the lower lid, 9-15 the upper lid; the rest ring the eye out to the brow.
EYE_CONTOUR_MESH = (
    (33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173, 130, 25, 110, 24,
     23, 22, 26, 112, 243, 247, 30, 29, 27, 28, 56, 190, 226, 31, 228, 229, 230, 231, 232, 233, 244,
     113, 225, 224, 223, 222, 221, 189, 35, 124, 46, 53, 52, 65, 143, 111, 117, 118, 119, 120, 121,
     128, 245, 156, 70, 63, 105, 66, 107, 55, 193),
    (263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398, 359, 255, 339,
     254, 253, 252, 256, 341, 463, 467, 260, 259, 257, 258, 286, 414, 446, 261, 448, 449, 450, 451,
     452, 453, 464, 342, 445, 444, 443, 442, 441, 413, 265, 353, 276, 283, 282, 295, 372, 340, 346,
     347, 348, 349, 350, 357, 465, 383, 300, 293, 334, 296, 336, 285, 417),
)
# The attention mesh's eye outputs, in EYE_CORNERS order ("left" is the image's left).
ATTENTION_EYES = (("eye_contour_left", "iris_left"), ("eye_contour_right", "iris_right"))


@dataclass(slots=True)
class EyeResult:
    iris: np.ndarray  # (10, 3): 5 for the eye at landmarks 33/133, then 5 for 362/263
    contours: np.ndarray  # (2, 71, 3) eyelids and brows, same eye order


@dataclass(slots=True)
class MeshResult:
    landmarks: np.ndarray  # (468, 3) image pixels; z has x's scale, smaller = nearer the camera
    presence: float  # probability that the region holds a face
    eyes: EyeResult | None = None  # from the same call (attention mesh); None: the iris model's job


def face_region(landmarks: np.ndarray) -> Region:
    """Where to look for this face in the next frame."""
    return aligned_region(points_box(landmarks), landmarks[EYE_LINE[0]], landmarks[EYE_LINE[1]],
                          FACE_SCALE)


def eye_regions(landmarks: np.ndarray) -> list[Region]:
    regions = []
    for start, end in EYE_CORNERS:
        corners = landmarks[[start, end]]
        regions.append(aligned_region(points_box(corners), corners[0], corners[1], EYE_SCALE))
    return regions


class FaceMesh:
    """Landmarks (and irises) for many face regions: one attention-mesh call for all of them,
    or with `attention=False` one mesh call and then one iris call over every eye."""

    def __init__(self, load: Loader, threads: int | None = None, attention: bool = True) -> None:
        self.mesh_model = ImageModel(ATTENTION_MESH if attention else FACE_MESH, load, threads)
        self.iris_model = None if attention else ImageModel(IRIS, load, threads)

    def landmarks(self, image_bgr: np.ndarray, regions: list[Region],
                  workers: int | None = None) -> list[MeshResult]:
        """`workers`: the most cores the batch is cut over (None: all the batch helpers)."""
        if not regions:
            return []
        batch = to_rgb_unit([crop(image_bgr, r, MESH_SIZE) for r in regions])
        if self.iris_model is not None:
            out = self.mesh_model.run(batch, workers)
            points, flags = out[MESH_POINTS * 3], out[1]
        else:
            named = self.mesh_model.run_named(batch, workers)
            points, flags = named["landmarks"], named["face_flag"]
        points = points.reshape(len(regions), MESH_POINTS, 3)
        presence = 1.0 / (1.0 + np.exp(-flags.reshape(-1).astype(np.float64)))
        results = []
        for k, region in enumerate(regions):
            landmarks = to_image(points[k], region, MESH_SIZE)
            eyes = None if self.iris_model is not None else _refined_eyes(named, k, region, landmarks)
            results.append(MeshResult(landmarks, float(presence[k]), eyes))
        return results

    def eyes(self, image_bgr: np.ndarray, results: list[MeshResult]) -> list[EyeResult]:
        """Each face's irises and eye contours: those its mesh call gave, else the iris model's
        on both eyes of every face as one batch (crops placed by the landmarks)."""
        if self.iris_model is None or not results:
            return [result.eyes for result in results]
        return self.eyes_at(image_bgr, [result.landmarks for result in results])

    def eyes_at(self, image_bgr: np.ndarray, faces: list[np.ndarray],
                workers: int | None = None) -> list[EyeResult]:
        """The iris model on both eyes of faces whose landmarks are `faces`: this frame's, or
        where the eyes are expected to be before this frame's mesh has run (the tracker reads
        eyes alongside the mesh that way). `workers`: the most cores the batch is cut over."""
        if self.iris_model is None:
            raise RuntimeError("the attention mesh reads the eyes in its own call")
        if not faces:
            return []
        regions = [r for landmarks in faces for r in eye_regions(landmarks)]
        crops = [crop(image_bgr, r, IRIS_SIZE, flip=k % 2 == 1) for k, r in enumerate(regions)]
        out = self.iris_model.run(to_rgb_unit(crops), workers)
        contour = out[EYE_CONTOUR_POINTS * 3].reshape(-1, EYE_CONTOUR_POINTS, 3)
        iris = out[IRIS_POINTS * 3].reshape(-1, IRIS_POINTS, 3)
        eyes = []
        for face in range(len(faces)):
            irises, contours = [], []
            for k in (2 * face, 2 * face + 1):
                eye_iris, eye_contour = iris[k].copy(), contour[k].copy()
                if k % 2 == 1:  # undo the mirror of the second eye
                    eye_iris[:, 0] = IRIS_SIZE - eye_iris[:, 0]
                    eye_contour[:, 0] = IRIS_SIZE - eye_contour[:, 0]
                irises.append(to_image(eye_iris, regions[k], IRIS_SIZE))
                contours.append(to_image(eye_contour, regions[k], IRIS_SIZE))
            eyes.append(EyeResult(np.concatenate(irises), np.stack(contours)))
        return eyes


def _refined_eyes(named: dict[str, np.ndarray], k: int, region: Region, landmarks: np.ndarray) -> EyeResult:
    """The attention mesh's eyes of face `k` in image pixels. Its contours and irises are flat
    (x, y): each contour point takes the depth of the mesh point it stands for, and the iris
    the mean depth of its eye's contour, as MediaPipe fills them in."""
    names = [name for pair in ATTENTION_EYES for name in pair]  # contour, iris, contour, iris
    flat = np.concatenate([named[name][k] for name in names]).reshape(-1, 2)
    points = np.zeros((len(flat), 3), np.float32)
    points[:, :2] = flat
    placed = to_image(points, region, MESH_SIZE)  # all four at once: one mapping per face
    contours, irises = [], []
    for eye, mesh_points in enumerate(EYE_CONTOUR_MESH):
        start = eye * (EYE_CONTOUR_POINTS + IRIS_POINTS)
        contour = placed[start:start + EYE_CONTOUR_POINTS]
        iris = placed[start + EYE_CONTOUR_POINTS:start + EYE_CONTOUR_POINTS + IRIS_POINTS]
        depth = landmarks[list(mesh_points), 2]
        contour[:, 2] = depth
        iris[:, 2] = depth.mean()
        contours.append(contour)
        irises.append(iris)
    return EyeResult(np.concatenate(irises), np.stack(contours))
