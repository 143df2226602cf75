"""Synthetic face clips with exact ground truth, rendered from one real photo.

The face pipeline is run once on the photo; its 468 points with depth, a ring of
points around the head and fixed points on the border are triangulated, the head
points are turned by a known 3D rotation about a pivot behind the face (and
expression groups moved by known offsets), projected orthographically, and the
photo is warped triangle by triangle onto the new positions. The surroundings are
painted first, far to near; the face's own triangles then go through a depth buffer,
so where the far cheek folds behind the nose the nearest surface wins at each pixel,
not the triangle whose centre is nearer. (The jagged edge still seen beside the far
cheek is the photo's own face edge, stretched over the coarse ring.) One remap per
frame keeps a 480x480 render at about 30 ms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SIZE = 480


def rotation(yaw: float, pitch: float, roll: float) -> np.ndarray:
    """A head rotation in camera coordinates (x right, y down, z away), degrees.

    Positive yaw turns the face toward the image's right, positive pitch up, positive
    roll clockwise on screen, as copilot.vision.cues.head reads them.
    """
    y, p, r = np.radians([yaw, pitch, roll])
    turn = np.array([[np.cos(y), 0, -np.sin(y)], [0, 1, 0], [np.sin(y), 0, np.cos(y)]])
    nod = np.array([[1, 0, 0], [0, np.cos(p), np.sin(p)], [0, -np.sin(p), np.cos(p)]])
    tilt = np.array([[np.cos(r), -np.sin(r), 0], [np.sin(r), np.cos(r), 0], [0, 0, 1]])
    return tilt @ nod @ turn


@dataclass
class FaceRig:
    image: np.ndarray  # the source photo, SIZE x SIZE BGR
    points: np.ndarray  # (N, 3): 468 landmarks, then the head ring, then the border
    triangles: np.ndarray  # (T, 3) indices into points
    moving: int  # points[:moving] turn with the head; the rest are the fixed border
    mesh_points: int  # points[:mesh_points] are the face mesh itself; then the ring around the head
    pivot: np.ndarray  # (3,) centre of the head's rotation

    def render(self, turn: np.ndarray | None = None, offsets: dict[int, tuple[float, float]] | None = None
               ) -> np.ndarray:
        """The photo with the head turned by `turn` (3x3) and landmarks moved by `offsets` (pixels)."""
        import cv2

        points = self.points.copy()
        for index, (dx, dy) in (offsets or {}).items():
            points[index, :2] += (dx, dy)
        if turn is not None:
            points[: self.moving] = (points[: self.moving] - self.pivot) @ turn.T + self.pivot
        face = (self.triangles < self.mesh_points).all(axis=1)
        depth = points[self.triangles, 2].mean(axis=1)
        depth[(self.triangles >= self.moving).any(axis=1)] = np.inf  # the background first
        ids = np.full((SIZE, SIZE), -1, np.int32)
        for k in np.argsort(-depth):
            if not face[k]:
                corners = np.round(points[self.triangles[k], :2] * 16).astype(np.int32)
                cv2.fillConvexPoly(ids, corners, int(k), cv2.LINE_8, 4)
        _draw_nearest(ids, points, self.triangles, np.flatnonzero(face))
        affine = _affines(points[self.triangles, :2], self.points[self.triangles, :2])
        which = np.maximum(ids, 0)
        maps = [affine[:, row, 0][which] * _XS + affine[:, row, 1][which] * _YS + affine[:, row, 2][which]
                for row in (0, 1)]  # one coefficient plane at a time: a sixth of the memory of all six
        return cv2.remap(self.image, maps[0].astype(np.float32), maps[1].astype(np.float32), cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REFLECT)


_YS, _XS = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)  # each pixel's row and column


def _draw_nearest(ids: np.ndarray, points: np.ndarray, triangles: np.ndarray, which: np.ndarray) -> None:
    """Writes into `ids` the nearest of the `which` triangles at each pixel centre they cover.

    Triangles are tested against the pixels of a square box around them; they go in groups of
    like size, so a few big triangles do not make every small one test a big box. Where two
    triangles are equally near a pixel (on a shared edge), the earlier in `which` wins."""
    corners = points[triangles[which]]  # (T, 3, 3)
    low = np.floor(corners[:, :, :2].min(axis=1)).astype(int)
    sides = (np.ceil(corners[:, :, :2].max(axis=1)).astype(int) - low).max(axis=1) + 1
    edges = np.stack([corners[:, 1, :2] - corners[:, 0, :2], corners[:, 2, :2] - corners[:, 0, :2]], axis=2)
    keep = np.abs(np.linalg.det(edges)) > 1e-9  # a triangle seen edge-on covers nothing
    inverse = np.zeros_like(edges)
    inverse[keep] = np.linalg.inv(edges[keep])  # pixel offset from corner 0 -> weights of corners 1 and 2
    found = []  # (pixel, depth, position in `which`) of every covered pixel centre
    kept = np.flatnonzero(keep)
    for group in np.array_split(kept[np.argsort(sides[kept], kind="stable")], 8):
        if len(group) == 0:
            continue
        c, inv = corners[group], inverse[group]
        step = np.arange(int(sides[group].max()))
        xs = low[group, 0, None, None] + step[None, None, :]
        ys = low[group, 1, None, None] + step[None, :, None]
        dx, dy = xs - c[:, 0, 0, None, None], ys - c[:, 0, 1, None, None]
        u = inv[:, 0, 0, None, None] * dx + inv[:, 0, 1, None, None] * dy
        v = inv[:, 1, 0, None, None] * dx + inv[:, 1, 1, None, None] * dy
        on_screen = (xs >= 0) & (xs < SIZE) & (ys >= 0) & (ys < SIZE)
        inside = (u >= -1e-6) & (v >= -1e-6) & (u + v <= 1 + 1e-6) & on_screen
        triangle, row, col = np.nonzero(inside)
        u, v = u[triangle, row, col], v[triangle, row, col]
        z = c[triangle, 0, 2] + u * (c[triangle, 1, 2] - c[triangle, 0, 2]) \
            + v * (c[triangle, 2, 2] - c[triangle, 0, 2])
        found.append((ys[triangle, row, 0] * SIZE + xs[triangle, 0, col], z, group[triangle]))
    if not found:
        return
    pixel, z, position = (np.concatenate(parts) for parts in zip(*found, strict=True))
    order = np.lexsort((position, z, pixel))  # by pixel, nearest first, then the earlier triangle
    first = order[np.unique(pixel[order], return_index=True)[1]]
    ids.flat[pixel[first]] = which[position[first]]


def _affines(destination: np.ndarray, source: np.ndarray) -> np.ndarray:
    """(T, 2, 3) maps from each destination triangle to its source triangle."""
    ones = np.ones((*destination.shape[:2], 1))
    dst = np.concatenate([destination, ones], axis=2)  # (T, 3, 3)
    dst += np.eye(3)[None] * 1e-9
    return np.linalg.solve(dst, np.concatenate([source, ones], axis=2))[:, :, :2].transpose(0, 2, 1)


def build_rig(photo_bgr: np.ndarray, centre: tuple[float, float], side: float, tracker) -> FaceRig:
    """Crops a `side` square around `centre`, scales it to SIZE and rigs the face found in it."""
    import cv2

    scale = SIZE / side
    shift = np.array([[scale, 0, SIZE / 2 - centre[0] * scale], [0, scale, SIZE / 2 - centre[1] * scale]])
    image = cv2.warpAffine(photo_bgr, shift, (SIZE, SIZE), flags=cv2.INTER_CUBIC,
                           borderMode=cv2.BORDER_REFLECT)
    faces = faces_in_photo(tracker, image)
    if len(faces) != 1:
        raise RuntimeError(f"expected one face in the rig photo, found {len(faces)}")
    mesh = faces[0].landmarks.astype(np.float64)
    middle = mesh[:, :2].mean(axis=0)
    half = (mesh[:, :2].max(axis=0) - mesh[:, :2].min(axis=0)) / 2
    angles = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    ring = np.column_stack([middle[0] + 1.45 * half[0] * np.cos(angles),
                            middle[1] + 1.45 * half[1] * np.sin(angles), np.full(24, mesh[:, 2].max())])
    edge = np.linspace(0, SIZE - 1, 7)
    border = [(x, y) for x in edge for y in (0, SIZE - 1)]
    border += [(x, y) for y in edge[1:-1] for x in (0, SIZE - 1)]
    points = np.vstack([mesh, ring, np.column_stack([np.array(border), np.zeros(len(border))])])
    subdiv = cv2.Subdiv2D((-1, -1, SIZE + 2, SIZE + 2))
    for x, y in points[:, :2]:
        subdiv.insert((float(np.clip(x, 0, SIZE - 1)), float(np.clip(y, 0, SIZE - 1))))
    lookup = {(round(float(np.clip(x, 0, SIZE - 1)), 2), round(float(np.clip(y, 0, SIZE - 1)), 2)): k
              for k, (x, y) in enumerate(points[:, :2])}
    triangles = []
    for tri in subdiv.getTriangleList().reshape(-1, 3, 2):
        keys = [(round(float(x), 2), round(float(y), 2)) for x, y in tri]
        if all(key in lookup for key in keys):
            triangles.append([lookup[key] for key in keys])
    width = half[0] * 2
    pivot = np.array([middle[0], middle[1] + 0.2 * width, mesh[:, 2].mean() + 0.7 * width])
    return FaceRig(image, points, np.array(triangles), len(mesh) + len(ring), len(mesh), pivot)


def rig_around_face(photo_bgr: np.ndarray, new_tracker) -> FaceRig:
    """A rig of the one face in a photo, framed twice its size; `new_tracker()` makes a fresh
    face tracker (one that has seen no other image, so nothing is carried over)."""
    mesh = faces_in_photo(new_tracker(), photo_bgr)[0].landmarks[:, :2]
    low, high = mesh.min(axis=0), mesh.max(axis=0)
    return build_rig(photo_bgr, tuple((low + high) / 2), float(max(high - low) * 2), new_tracker())


def faces_in_photo(tracker, image: np.ndarray, frames: int = 1) -> list:
    """The faces of one photo: a tracker confirms a face only once seen for a while (or when the
    input ends), so a single frame's faces are its candidates. With `frames` > 1 the photo is
    shown again, and the faces are read from the crop their own landmarks place (as on every
    frame of a video after the first) rather than from the detector's box."""
    for k in range(frames):
        frame = tracker.process(image, k / 25)
    return list(frame) or list(frame.tentative)
