"""BlazeFace short range: finds faces and six keypoints in a whole frame.

The model sees the frame letterboxed into 128x128 (aspect kept, black bars), scores
896 fixed anchors, and many anchors fire on one face; weighted non-max suppression
merges them into one averaged detection, which steadies boxes from frame to frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from copilot.vision.geometry import Region, crop, iou
from copilot.vision.people_settings import people_settings
from copilot.vision.runtime import DETECTOR, ImageModel, Loader

INPUT_SIZE = 128
STRIDES = (8, 16, 16, 16)  # feature maps 16x16 and 8x8; two anchors per layer and cell
KEYPOINTS = 6  # eye, eye, nose tip, mouth, ear, ear; 0 and 1 are the eyes
MIN_SCORE = 0.5
MERGE_IOU = 0.3
RAW_SCORE_CLIP = 100.0
TILE_ASPECT = 1.2  # frames wider (or taller) than this are also searched in square tiles


@dataclass(frozen=True, slots=True)
class Detection:
    score: float
    box: tuple[float, float, float, float]  # x, y, w, h in image pixels
    keypoints: np.ndarray  # (6, 2) image pixels; 0 = eye on the image's left, 1 = the other eye


def anchor_centres() -> np.ndarray:
    """(896, 2) anchor centres in [0, 1]; all anchors are unit size for this model."""
    centres = []
    layer = 0
    while layer < len(STRIDES):
        stride = STRIDES[layer]
        same = sum(1 for s in STRIDES[layer:] if s == stride)  # consecutive layers sharing a map
        cells = -(-INPUT_SIZE // stride)
        ys, xs = np.meshgrid(np.arange(cells), np.arange(cells), indexing="ij")
        grid = np.stack([(xs + 0.5) / cells, (ys + 0.5) / cells], axis=-1).reshape(-1, 2)
        centres.append(np.repeat(grid, 2 * same, axis=0))
        layer += same
    return np.concatenate(centres).astype(np.float32)


def decode(raw_boxes: np.ndarray, raw_scores: np.ndarray, anchors: np.ndarray,
           min_score: float = MIN_SCORE) -> tuple[np.ndarray, np.ndarray]:
    """Scores above `min_score` and their (k, 4 + 12) rows: box (cx, cy, w, h), keypoints, in [0, 1]."""
    logits = np.clip(raw_scores.reshape(-1).astype(np.float64), -RAW_SCORE_CLIP, RAW_SCORE_CLIP)
    scores = (1.0 / (1.0 + np.exp(-logits))).astype(np.float32)
    keep = np.flatnonzero(scores >= min_score)
    rows = raw_boxes.reshape(-1, 4 + 2 * KEYPOINTS)[keep] / INPUT_SIZE
    centre = anchors[keep]
    rows[:, 0:2] += centre
    rows[:, 4:] += np.tile(centre, KEYPOINTS)
    return scores[keep], rows


def merge_overlapping(scores: np.ndarray, rows: np.ndarray,
                      min_iou: float = MERGE_IOU) -> list[tuple[float, np.ndarray]]:
    """Weighted NMS: each cluster around the best remaining box becomes its score-weighted mean."""
    corner = [(r[0] - r[2] / 2, r[1] - r[3] / 2, r[2], r[3]) for r in rows]
    remaining = list(np.argsort(-scores))
    merged = []
    while remaining:
        best = remaining[0]
        cluster = [i for i in remaining if iou(corner[best], corner[i]) > min_iou or i == best]
        weights = scores[cluster]
        mean = (rows[cluster] * weights[:, None]).sum(axis=0) / weights.sum()
        merged.append((float(scores[best]), mean))
        remaining = [i for i in remaining if i not in cluster]
    return merged


def views(width: int, height: int, tiles: bool = True, min_face_px: float | None = None) -> list[Region]:
    """The whole frame, square tiles across a wide (or tall) frame, and finer tiles for small faces.

    Letterboxing a 16:9 frame into 128x128 leaves a face in a group shot or a call's
    gallery view at 10-15 tensor pixels, below the smallest anchor (19 pixels) of this
    short-range model; a tile of the frame's short side shows it 1.3-2x larger. With
    `min_face_px`, tiles of half that side, then half again, follow until a face that small
    shows at `smallest_face_tensor_px` (people.toml [detection]): a 3x3 or 4x4 gallery at
    1080p and thumbnails in a 1440p screen capture hold faces of 60-200 px (issue 18).
    """
    long_side, short_side = max(width, height), min(width, height)
    found = [Region(width / 2, height / 2, long_side, long_side)]
    if not tiles:
        return found
    if long_side >= TILE_ASPECT * short_side:
        found += _tiling(width, height, short_side, 1.0 - short_side / long_side)
    if min_face_px:
        cfg = people_settings()["detection"]
        finest = min_face_px * INPUT_SIZE / cfg["smallest_face_tensor_px"]
        side = short_side / 2
        while side >= finest * 0.75:  # the last level may show the smallest faces a bit larger
            found += _tiling(width, height, side, cfg["tile_overlap"])
            side /= 2
    return found


def _tiling(width: int, height: int, side: float, overlap: float) -> list[Region]:
    """Square tiles of `side` covering the frame, neighbours overlapping by `overlap` of a side."""
    step = max(1.0, side * (1.0 - overlap))
    regions = []
    across = [side / 2 + k * (width - side) / max(1, -(-(width - side) // step))
              for k in range(int(-(-(width - side) // step)) + 1)] if width > side else [width / 2]
    down = [side / 2 + k * (height - side) / max(1, -(-(height - side) // step))
            for k in range(int(-(-(height - side) // step)) + 1)] if height > side else [height / 2]
    for cy in down:
        for cx in across:
            regions.append(Region(cx, cy, side, side))
    return regions


def _inside(box: tuple[float, float, float, float], view: Region, width: int, height: int) -> bool:
    """False for a face cut by a tile edge that lies inside the frame; another view has it whole."""
    x0, y0 = view.cx - view.width / 2, view.cy - view.height / 2
    x1, y1 = x0 + view.width, y0 + view.height
    slack = 0.02 * view.width
    return ((x0 <= 0 or box[0] >= x0 - slack) and (x1 >= width or box[0] + box[2] <= x1 + slack)
            and (y0 <= 0 or box[1] >= y0 - slack) and (y1 >= height or box[1] + box[3] <= y1 + slack))


class FaceDetector:
    """Whole-frame face detection; returns detections in image pixels, best first."""

    def __init__(self, load: Loader, threads: int | None = None,
                 min_score: float = MIN_SCORE) -> None:
        self.model = ImageModel(DETECTOR, load, threads)
        self.min_score = min_score
        self._anchors = anchor_centres()

    def detect(self, image_bgr: np.ndarray, tiles: bool = True, min_face_px: float | None = None,
               regions: list[Region] | None = None) -> list[Detection]:
        """Faces in the frame, best first; `min_face_px` adds finer tiles (see `views`), and
        `regions` searches those views instead (a share of the fine tiles, see the tracker)."""
        height, width = image_bgr.shape[:2]
        if regions is None:
            regions = views(width, height, tiles, min_face_px)
        if not regions:
            return []
        batch = np.stack([crop(image_bgr, view, INPUT_SIZE, pad_black=True)[..., ::-1]
                          for view in regions]).astype(np.float32) * (2.0 / 255.0) - 1.0
        out = self.model.run(batch)  # every view in one call: the batch is cut over the cores
        found: list[Detection] = []
        for k, view in enumerate(regions):
            found += [d for d in self._decode_view(out[896 * 16][k], out[896][k], view)
                      if _inside(d.box, view, width, height)]
        found.sort(key=lambda d: -d.score)
        kept: list[Detection] = []
        for candidate in found:  # across views the best-scoring one wins; its box is the tightest
            if all(iou(candidate.box, k.box) <= MERGE_IOU for k in kept):
                kept.append(candidate)
        return kept

    def _decode_view(self, raw_boxes: np.ndarray, raw_scores: np.ndarray, view: Region) -> list[Detection]:
        scores, rows = decode(raw_boxes, raw_scores, self._anchors, self.min_score)
        side = view.width
        found = []
        for score, row in merge_overlapping(scores, rows):
            pixels = (row - 0.5) * side  # undo the letterbox: tensor [0, 1] -> image pixels
            cx, cy = pixels[0] + view.cx, pixels[1] + view.cy
            w, h = row[2] * side, row[3] * side
            keypoints = pixels[4:].reshape(KEYPOINTS, 2) + np.array([view.cx, view.cy])
            found.append(Detection(score, (cx - w / 2, cy - h / 2, w, h), keypoints))
        return found
