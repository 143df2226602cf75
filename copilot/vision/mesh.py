"""Face Mesh and Iris: dense landmarks for faces whose regions are already known.

All faces of a frame go through the landmark model as one batch, and both eyes of
every face through the iris model as another, so each extra face costs a fraction
of the first one; `Model.run_batch` then cuts each batch over two cores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from copilot.vision.geometry import Region, aligned_region, crop, points_box, to_image, to_rgb_unit
from copilot.vision.runtime import FACE_MESH, IRIS, ImageModel, Loader

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


@dataclass(slots=True)
class MeshResult:
    landmarks: np.ndarray  # (468, 3) image pixels; z has x's scale, smaller = nearer the camera
    presence: float  # probability that the region holds a face


@dataclass(slots=True)
class EyeResult:
    iris: np.ndarray  # (10, 3): 5 for the eye at landmarks 33/133, then 5 for 362/263
    contours: np.ndarray  # (2, 71, 3) eyelids and brows, same eye order


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
    """Landmarks for many face regions, and irises for many faces, one model call each."""

    def __init__(self, load: Loader, threads: int | None = None) -> None:
        self.mesh_model = ImageModel(FACE_MESH, load, threads)
        self.iris_model = ImageModel(IRIS, load, threads)

    def landmarks(self, image_bgr: np.ndarray, regions: list[Region]) -> list[MeshResult]:
        if not regions:
            return []
        batch = to_rgb_unit([crop(image_bgr, r, MESH_SIZE) for r in regions])
        out = self.mesh_model.run(batch)
        points = out[MESH_POINTS * 3].reshape(len(regions), MESH_POINTS, 3)
        flags = 1.0 / (1.0 + np.exp(-out[1].reshape(-1).astype(np.float64)))
        return [MeshResult(to_image(p, r, MESH_SIZE), float(f))
                for p, r, f in zip(points, regions, flags, strict=True)]

    def eyes(self, image_bgr: np.ndarray, faces: list[np.ndarray]) -> list[EyeResult]:
        if not faces:
            return []
        regions = [r for landmarks in faces for r in eye_regions(landmarks)]
        crops = [crop(image_bgr, r, IRIS_SIZE, flip=k % 2 == 1) for k, r in enumerate(regions)]
        out = self.iris_model.run(to_rgb_unit(crops))
        contour = out[EYE_CONTOUR_POINTS * 3].reshape(-1, EYE_CONTOUR_POINTS, 3)
        iris = out[IRIS_POINTS * 3].reshape(-1, IRIS_POINTS, 3)
        results = []
        for face in range(len(faces)):
            irises, contours = [], []
            for k in (2 * face, 2 * face + 1):
                eye_iris, eye_contour = iris[k].copy(), contour[k].copy()
                if k % 2 == 1:  # undo the mirror of the second eye
                    eye_iris[:, 0] = IRIS_SIZE - eye_iris[:, 0]
                    eye_contour[:, 0] = IRIS_SIZE - eye_contour[:, 0]
                irises.append(to_image(eye_iris, regions[k], IRIS_SIZE))
                contours.append(to_image(eye_contour, regions[k], IRIS_SIZE))
            results.append(EyeResult(np.concatenate(irises), np.stack(contours)))
        return results
