"""What a face looks like, as a short vector two sightings of one person share.

Issue 18 asks for re-identification through blur, occlusion, leaving and coming back, and
shot cuts, where position says nothing. No face-embedding model ships in a wheel this
project can convert (facenet-pytorch downloads its weights at run time; dlib's are not
ONNX-convertible), so this is a hand-made descriptor of the face upright and centred on its
eye line (the Face Mesh region), two parts of equal weight:
- colour: a hue-saturation histogram of the region around the face (skin, hair, the top
  of the clothes), which blur and small pose changes hardly move;
- shape: gradient-orientation histograms over a 4x4 grid of the inner face (a small HOG),
  which tells apart two people of similar colouring when the face is sharp.
Two sightings are compared by the cosine of their vectors (people.toml [reid]).
"""

from __future__ import annotations

import numpy as np

from copilot.vision.geometry import Region, crop
from copilot.vision.mesh import face_region

CROP_PX = 48  # the face region is read at this size: enough for 4x4 cells of 12 px
HUE_BINS, SAT_BINS = 12, 4
CELLS, ORIENTATIONS = 4, 8
CONTEXT = 1.3  # the colour part reads this much more than the mesh's face region (hair, collar)


def describe(image_bgr: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """A unit-length descriptor of the face with these landmarks in this frame."""
    import cv2

    region = face_region(landmarks)
    wide = Region(region.cx, region.cy + 0.1 * region.height, region.width * CONTEXT,
                  region.height * CONTEXT, region.angle)
    around = crop(image_bgr, wide, CROP_PX)
    hsv = cv2.cvtColor(around, cv2.COLOR_BGR2HSV)
    colour = cv2.calcHist([hsv], [0, 1], None, [HUE_BINS, SAT_BINS], [0, 180, 0, 256]).ravel()
    colour = np.sqrt(colour / max(1.0, colour.sum()))  # Hellinger: cosine of roots ~ Bhattacharyya
    inner = Region(region.cx, region.cy, region.width / 1.5, region.height / 1.5, region.angle)
    gray = cv2.cvtColor(crop(image_bgr, inner, CROP_PX), cv2.COLOR_BGR2GRAY).astype(np.float32)
    gx, gy = cv2.Sobel(gray, cv2.CV_32F, 1, 0), cv2.Sobel(gray, cv2.CV_32F, 0, 1)
    magnitude, angle = np.hypot(gx, gy), np.mod(np.arctan2(gy, gx), np.pi)
    bins = np.minimum((angle / np.pi * ORIENTATIONS).astype(int), ORIENTATIONS - 1)
    cell = np.arange(CROP_PX) // (CROP_PX // CELLS)
    index = (cell[:, None] * CELLS + cell[None, :]) * ORIENTATIONS + bins  # (cell row, cell col, bin)
    shape = np.bincount(index.ravel(), weights=magnitude.ravel(), minlength=CELLS * CELLS * ORIENTATIONS)
    shape = np.sqrt(shape.ravel() / max(1e-6, float(shape.sum())))
    return np.concatenate([_unit(colour), _unit(shape)]) / np.sqrt(2.0)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine of two descriptors (both unit length): 1 for the same picture."""
    return float(np.dot(a, b))


def blend(memory: np.ndarray, new: np.ndarray, weight: float) -> np.ndarray:
    """A running mean of a person's descriptors, kept unit length."""
    return _unit((1.0 - weight) * memory + weight * new)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(1e-9, float(np.linalg.norm(v)))
