"""Makes the clips `copilot bench` measures when it is given none: a shipped face, moving (and
writes the galleries of copilot.bench.gallery as clips).

The face is a public-domain NASA portrait (assets/faces/ASSETS.md), so the benchmark
runs on any machine, offline, with a real face for the face stages to track.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import numpy as np

from copilot.shipped.resources import resource_path

FACE_IMAGE = "faces/astronaut.jpg"
PORTRAIT_CROP = (98, 0, 354, 256)  # x0, y0, x1, y1: the head and shoulders in that photo


def _canvas_frames(faces: int, seconds: float, fps: int, size: tuple[int, int]):
    """A webcam-like head-and-shoulders view for one face, a call's gallery grid for several."""
    import cv2

    width, height = size
    photo = cv2.imread(str(resource_path("assets", FACE_IMAGE)))
    if photo is None:
        raise FileNotFoundError(resource_path("assets", FACE_IMAGE))
    portrait = photo[PORTRAIT_CROP[1]:PORTRAIT_CROP[3], PORTRAIT_CROP[0]:PORTRAIT_CROP[2]]
    columns = int(np.ceil(np.sqrt(faces)))
    rows = int(np.ceil(faces / columns))
    cell_w, cell_h = width // columns, height // rows
    side = min(cell_w, cell_h) * (4 if faces == 1 else 5) // 5
    tile = cv2.resize(portrait, (side, side), interpolation=cv2.INTER_AREA)
    for i in range(round(seconds * fps)):
        phase = 2 * np.pi * i / (fps * 4)  # a slow four-second sway, like a person in a call
        canvas = np.full((height, width, 3), 60, np.uint8)
        for k in range(faces):
            row, col = divmod(k, columns)
            x0 = col * cell_w + (cell_w - side) // 2 + int(side * 0.05 * np.sin(phase + k))
            y0 = row * cell_h + (cell_h - side) // 2 + int(side * 0.03 * np.cos(phase + k))
            x0 = max(0, min(width - side, x0))
            y0 = max(0, min(height - side, y0))
            canvas[y0:y0 + side, x0:x0 + side] = tile
        yield canvas


def make_bench_clip(path: Path, *, faces: int = 1, seconds: float = 6.0, fps: int = 30,
                    size: tuple[int, int] = (1280, 720)) -> Path:
    """Writes an H.264 clip of `faces` copies of the shipped face swaying gently."""
    return write_clip(path, _canvas_frames(faces, seconds, fps, size), fps)


def write_clip(path: Path, images: Iterable[np.ndarray], fps: int = 30) -> Path:
    """BGR frames as an H.264 clip (the size of the first frame), for the bench to read back."""
    import av

    with av.open(str(path), "w") as out:
        stream = None
        for i, image in enumerate(images):
            if stream is None:
                stream = out.add_stream("libx264", rate=fps)
                stream.width, stream.height, stream.pix_fmt = image.shape[1], image.shape[0], "yuv420p"
                stream.options = {"preset": "veryfast", "crf": "20"}
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            out.mux(stream.encode(frame))
        if stream is not None:
            out.mux(stream.encode(None))
    return path
