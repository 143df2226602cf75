"""Call gallery views built from the shared talking-head recordings: the scenes the face-finding
tests check and the gallery cases `copilot bench` times (3x3 and 4x4 grids of real faces).

Each tile shows one recording, fitted whole inside the tile (a square recording gets bars
at its sides, as a call shows a portrait camera), on a dark background with a gap between
tiles and a name label at the tile's bottom left, as Zoom, Teams and Meet draw them. Every
tile holds exactly one face, so the faces a frame should show are its tiles.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Sixteen recordings of sixteen different people, each one face throughout.
PEOPLE = ("liveportrait/d0.mp4", "liveportrait/d3.mp4", "liveportrait/d10.mp4", "liveportrait/d11.mp4",
          "liveportrait/d14.mp4", "liveportrait/d18.mp4", "liveportrait/d19.mp4", "liveportrait/d20.mp4",
          "sadtalker/WDA_KatieHill_000.mp4", "tpsmm/driving.mp4", "video_retalking/1.mp4",
          "video_retalking/2.mp4", "video_retalking/3.mp4", "grid_lipnet/bbaf2n.mpg",
          "noddingpigeon/head_stationary.mp4", "reallife_trial_video/trial_truth_001.mp4")
GAP_PX = 8
BACKGROUND = (32, 30, 28)


@dataclass(frozen=True)
class Tile:
    x: int
    y: int
    w: int
    h: int

    def holds(self, point: tuple[float, float]) -> bool:
        return self.x <= point[0] < self.x + self.w and self.y <= point[1] < self.y + self.h


def read_people(data: Path, count: int, frames: int, every: int,
                tile: tuple[int, int]) -> list[list[np.ndarray]]:
    """The first `frames` frames (every `every`-th) of the first `count` recordings, fitted to a tile."""
    import cv2

    clips = []
    for name in PEOPLE[:count]:
        capture = cv2.VideoCapture(str(data / name))
        images, index = [], 0
        while len(images) < frames:
            ok, image = capture.read()
            if not ok:
                break
            if index % every == 0:
                images.append(_fit(image, tile))
            index += 1
        capture.release()
        clips.append(images)
    return clips


def _fit(image: np.ndarray, tile: tuple[int, int]) -> np.ndarray:
    import cv2

    w, h = tile
    scale = min(w / image.shape[1], h / image.shape[0])
    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    out = np.full((h, w, 3), BACKGROUND, np.uint8)
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    x, y = (w - size[0]) // 2, (h - size[1]) // 2
    out[y:y + size[1], x:x + size[0]] = small
    return out


def grid_tiles(rows: int, cols: int, area: tuple[int, int, int, int]) -> list[Tile]:
    """rows x cols tiles of 16:9 inside `area` (x, y, w, h), centred, with gaps."""
    x0, y0, w, h = area
    tile_w = min((w - GAP_PX * (cols + 1)) // cols, int((h - GAP_PX * (rows + 1)) / rows * 16 / 9))
    tile_h = tile_w * 9 // 16
    left = x0 + (w - cols * tile_w - (cols - 1) * GAP_PX) // 2
    top = y0 + (h - rows * tile_h - (rows - 1) * GAP_PX) // 2
    return [Tile(left + c * (tile_w + GAP_PX), top + r * (tile_h + GAP_PX), tile_w, tile_h)
            for r in range(rows) for c in range(cols)]


def compose(canvas: tuple[int, int], tiles: list[Tile], images: list[np.ndarray],
            names: bool = True) -> np.ndarray:
    """One gallery frame: each image in its tile, with a name label."""
    import cv2

    frame = np.full((canvas[1], canvas[0], 3), (18, 18, 18), np.uint8)
    for k, (tile, image) in enumerate(zip(tiles, images, strict=True)):
        frame[tile.y:tile.y + tile.h, tile.x:tile.x + tile.w] = image
        if names:
            label_h = max(14, tile.h // 12)
            y = tile.y + tile.h - label_h - 4
            cv2.rectangle(frame, (tile.x + 4, y), (tile.x + 4 + label_h * 6, y + label_h), (40, 40, 40), -1)
            cv2.putText(frame, f"Person {k + 1}", (tile.x + 8, y + label_h - 4), cv2.FONT_HERSHEY_SIMPLEX,
                        label_h / 30, (240, 240, 240), 1, cv2.LINE_AA)
    return frame


def gallery_frames(data: Path, rows: int, cols: int, frames: int, canvas: tuple[int, int] = (1920, 1080),
                   fps: float = 30.0) -> list[tuple[float, np.ndarray]]:
    """`frames` consecutive gallery frames of rows x cols different people: (t, BGR image)."""
    tiles = grid_tiles(rows, cols, (0, 0, *canvas))
    clips = read_people(data, rows * cols, frames, 1, (tiles[0].w, tiles[0].h))
    return [(k / fps, compose(canvas, tiles, [clip[min(k, len(clip) - 1)] for clip in clips]))
            for k in range(frames)]
