"""Raw per-frame measures of one face, in its own frame (pose and size taken out).

Each measure is a plain number in interocular distances (or a ratio); the cues
compare them with the person's neutral values, so no measure has to be "zero at
neutral" by itself.
"""

from __future__ import annotations

import numpy as np

from copilot.vision.cues.head import HeadFrame, to_face
from copilot.vision.cues.settings import settings
from copilot.vision.face import Face

# Mesh indices; "right" is the person's right (the image's left in an unmirrored view).
RIGHT_EYE = {"corners": (33, 133)}
LEFT_EYE = {"corners": (362, 263)}
RIGHT_BROW = (70, 63, 105, 66, 107)
LEFT_BROW = (300, 293, 334, 296, 336)
INNER_BROWS = (107, 336)
# The iris model's eyelid contour (Face.eye_contours, 71 points per eye from a 64x64 eye crop):
# points 0 and 8 are the corners, 3-5 the middle of the lower lid, 11-13 of the upper lid.
# The eye opening is measured on it rather than on the face mesh's lids: the mesh, fitted
# on the whole face at 192x192, never lets the lids meet (a shut eye still reads about half
# open), while the contour closes with the eye (a shut eye reads 0.1-0.3 of its usual opening).
CONTOUR_CORNERS, CONTOUR_UPPER, CONTOUR_LOWER = (0, 8), [11, 12, 13], [3, 4, 5]
NOSE_BASE = 2
MOUTH_CORNERS = (61, 291)
UPPER_LIP = (0, 13)  # outer and inner edge at the midline
LOWER_LIP = (14, 17)
CHIN = 152
CORNER_SINK = settings()["expression"]["corner_sink_with_lips"]
IRIS_AHEAD = settings()["gaze"]["iris_ahead_of_corners"]
MEASURES = ("open_right", "open_left", "brow_right", "brow_left", "brow_gap", "corner_right",
            "corner_left", "mouth_width", "mouth_open", "lip_thickness", "jaw", "iris_x", "iris_y")


def measure(face: Face, frame: HeadFrame) -> np.ndarray:
    """The MEASURES of this face as one float64 vector (order as in MEASURES)."""
    q = to_face(face.landmarks, frame)
    y = q[:, 1]
    opens, brows, iris_x, iris_y = [], [], [], []
    eyes = ((RIGHT_EYE, RIGHT_BROW, face.iris[0], face.eye_contours[0]),
            (LEFT_EYE, LEFT_BROW, face.iris[5], face.eye_contours[1]))
    for eye, brow, iris, contour in eyes:
        a, b = eye["corners"]
        width = max(abs(q[b, 0] - q[a, 0]), 1e-6)
        opens.append(_lid_gap(contour, (face.landmarks[a, 2] + face.landmarks[b, 2]) / 2, frame))
        eye_line = (y[a] + y[b]) / 2
        brows.append(eye_line - y[list(brow)].mean())
        # The iris centre in the face frame: in front of its eye's corners (face_cues.toml [gaze]).
        depth = (face.landmarks[a, 2] + face.landmarks[b, 2]) / 2 - IRIS_AHEAD * frame.scale
        centre = np.array([iris[0], iris[1], depth])
        c = to_face(centre[None], frame)[0]
        iris_x.append((c[0] - (q[a, 0] + q[b, 0]) / 2) / width)
        # Up and down against the corners' line, which is fixed to the skull: the lids follow the
        # eye (a lowered gaze drops the upper lid with it), so against the lids' middle a look down
        # hardly shows.
        iris_y.append((c[1] - eye_line) / width)
    right, left = MOUTH_CORNERS
    # Where the corners sit when neither pulled up nor down: they sink with the lower lip part of
    # the way, so a dropped jaw or speech is not read as corners pulled down (face_cues.toml).
    corner_level = y[UPPER_LIP[0]] + CORNER_SINK * (y[LOWER_LIP[1]] - y[UPPER_LIP[0]])
    return np.array([
        opens[0], opens[1], brows[0], brows[1],
        abs(q[INNER_BROWS[1], 0] - q[INNER_BROWS[0], 0]),
        y[right] - corner_level, y[left] - corner_level,
        abs(q[left, 0] - q[right, 0]),
        y[LOWER_LIP[0]] - y[UPPER_LIP[1]],
        (y[UPPER_LIP[1]] - y[UPPER_LIP[0]]) + (y[LOWER_LIP[1]] - y[LOWER_LIP[0]]),
        y[CHIN] - y[NOSE_BASE],
        float(np.mean(iris_x)), float(np.mean(iris_y)),
    ])


def _lid_gap(contour: np.ndarray, depth: float, frame: HeadFrame) -> float:
    """Lower minus upper lid over the eye's width, on the iris model's contour, in the face frame
    (the contour's own depth is on the crop's scale, so its points are put at the eye corners' depth)."""
    points = np.asarray(contour, np.float64).copy()
    points[:, 2] = depth
    p = to_face(points, frame)
    width = max(abs(p[CONTOUR_CORNERS[1], 0] - p[CONTOUR_CORNERS[0], 0]), 1e-6)
    return float((p[CONTOUR_LOWER, 1].mean() - p[CONTOUR_UPPER, 1].mean()) / width)
