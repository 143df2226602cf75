"""Head pose from the mesh's own depth: a face frame built from rigid landmark groups.

The mesh gives every point a depth, so the head's axes can be read straight off it:
across the face from the paired outer points (eye corners, temples), down the face
along the midline from forehead to nose base. Mouth and chin are left out on purpose
so that speaking or a jaw drop does not move the pose. It costs a few dozen
multiply-adds per frame, far less than fitting a 3D model with solvePnP.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# (person's right, person's left) points: outer and inner eye corners, temples, cheeks.
ACROSS_PAIRS = ((33, 263), (133, 362), (127, 356), (234, 454))
MIDLINE_TOP = (10, 151, 9)  # forehead
MIDLINE_BOTTOM = (2, 94, 19)  # nose base, below the tip
EYE_CORNERS = (33, 263)


@dataclass(slots=True)
class HeadFrame:
    rotation: np.ndarray  # (3, 3) columns: face x (to its left), y (down), z (back), camera coords
    origin: np.ndarray  # (3,) midpoint of the outer eye corners, image pixels
    scale: float  # interocular distance in pixels (3D)


def head_frame(landmarks: np.ndarray) -> HeadFrame:
    """The face's axes in camera coordinates (x right, y down, z away from the camera)."""
    points = landmarks.astype(np.float64)
    right = points[[a for a, _ in ACROSS_PAIRS]]
    left = points[[b for _, b in ACROSS_PAIRS]]
    across = (left - right).sum(axis=0)
    x_axis = across / np.linalg.norm(across)
    down = points[list(MIDLINE_BOTTOM)].mean(axis=0) - points[list(MIDLINE_TOP)].mean(axis=0)
    down -= down.dot(x_axis) * x_axis
    y_axis = down / np.linalg.norm(down)
    z_axis = np.cross(x_axis, y_axis)
    origin = (points[EYE_CORNERS[0]] + points[EYE_CORNERS[1]]) / 2
    scale = float(np.linalg.norm(points[EYE_CORNERS[1]] - points[EYE_CORNERS[0]]))
    return HeadFrame(np.column_stack([x_axis, y_axis, z_axis]), origin, max(scale, 1e-6))


def direction_angles(forward: np.ndarray) -> tuple[float, float]:
    """(yaw, pitch) in degrees of a direction: yaw > 0 toward the image's right, pitch > 0 up."""
    yaw = np.degrees(np.arctan2(forward[0], -forward[2]))
    pitch = np.degrees(np.arctan2(-forward[1], np.hypot(forward[0], forward[2])))
    return float(yaw), float(pitch)


def pose_angles(rotation: np.ndarray, pitch_offset_deg: float = 0.0) -> tuple[float, float, float]:
    """(yaw, pitch, roll) in degrees; roll > 0 when the head leans clockwise on screen."""
    yaw, pitch = direction_angles(-rotation[:, 2])
    x_axis = rotation[:, 0]
    roll = float(np.degrees(np.arctan2(x_axis[1], np.hypot(x_axis[0], x_axis[2]))))
    return yaw, pitch - pitch_offset_deg, roll


def to_face(points: np.ndarray, frame: HeadFrame) -> np.ndarray:
    """Points in the face's own frame, in interocular distances: pose and size taken out."""
    return (points.astype(np.float64) - frame.origin) @ frame.rotation / frame.scale


# Points that move little with expressions: eye corners, forehead, the nose, and the cheekbones
# on the front of the face, well inside its outline. The outline points (127, 234, 93, 132 and
# their mirrors) are left out: once the head turns they follow the visible edge of the face,
# not a fixed spot on it, and pulled a 25° turn about 2° toward frontal.
RIGID = (33, 133, 362, 263, 10, 151, 9, 168, 6, 197, 195, 5, 4, 1, 2, 98, 327,
         116, 345, 117, 346, 123, 352, 50, 280, 101, 330)


class ShapeFit:
    """Head rotation from where the face's rigid points lie on screen, given their 3D shape.

    The mesh's per-frame depth flattens as the head turns (a 25° turn reads as about
    15°), while the points' screen positions stay faithful; so the person's own 3D
    shape is learned from their near-frontal frames, where the depth is good, and
    each frame's rotation is the scaled-orthographic fit of that shape to the screen
    points (least squares, then the nearest rotation).

    The screen points do not follow the shape's depth alike in both directions: when
    the head nods, points move vertically by clearly less than the mesh's depth
    predicts, while turning moves them sideways by the full amount (the gains and
    where they come from are in face_cues.toml). The fit divides that out of the
    turn away from the pose the shape was learned in.
    """

    def __init__(self, frontal_within_deg: float, learn_rate: float,
                 parallax_gain: tuple[float, float] = (1.0, 1.0)) -> None:
        self.frontal_within_deg, self.learn_rate = frontal_within_deg, learn_rate
        self.parallax_gain = parallax_gain  # (sideways, vertical)
        self.shape: np.ndarray | None = None  # (len(RIGID), 3) in the face frame, centred
        self.reference: np.ndarray | None = None  # (3, 3) head rotation where the shape was learned
        self._solver: np.ndarray | None = None
        self._frontal_seen = False

    def rotation(self, landmarks: np.ndarray, frame: HeadFrame) -> np.ndarray:
        depth_yaw, _, _ = pose_angles(frame.rotation)
        frontal = abs(depth_yaw) < self.frontal_within_deg
        if self.shape is None or (frontal and not self._frontal_seen):
            self._learn(landmarks, frame, 1.0)
        elif frontal:
            self._learn(landmarks, frame, self.learn_rate)
        self._frontal_seen |= frontal
        screen = landmarks[list(RIGID), :2].astype(np.float64)
        affine = (self._solver @ (screen - screen.mean(axis=0))).T  # (2, 3): face -> screen x, y
        # The same map for the shape as it sat in camera axes when learned: its third
        # column is the parallax of the turn since then, read short vertically.
        turned = affine @ self.reference.T
        roll = np.arctan2(turned[1, 0], turned[0, 0])
        level = np.array([[np.cos(roll), -np.sin(roll)], [np.sin(roll), np.cos(roll)]])
        turned[:, 2] = level @ ((level.T @ turned[:, 2]) / np.asarray(self.parallax_gain))
        u, _, vt = np.linalg.svd(turned, full_matrices=False)
        rows = u @ vt  # nearest pair of orthonormal rows
        return np.vstack([rows, np.cross(rows[0], rows[1])]) @ self.reference

    def _learn(self, landmarks: np.ndarray, frame: HeadFrame, rate: float) -> None:
        shape = to_face(landmarks[list(RIGID)], frame)
        shape -= shape.mean(axis=0)
        if self.shape is None:
            self.shape, self.reference = shape, frame.rotation.copy()
        else:
            self.shape = self.shape + rate * (shape - self.shape)
            u, _, vt = np.linalg.svd(self.reference + rate * (frame.rotation - self.reference))
            self.reference = u @ vt
        self._solver = np.linalg.pinv(self.shape)
