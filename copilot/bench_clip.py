"""Makes the clips `copilot bench` measures when it is given none: a shipped face, moving.

The face is a public-domain NASA portrait (assets/faces/ASSETS.md), so the benchmark
runs on any machine, offline, with a real face for the face stages to track.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np

from copilot.resources import resource_path

FACE_IMAGE = "faces/astronaut.jpg"


def _canvas_frames(faces: int, seconds: float, fps: int, size: tuple[int, int]):
    import cv2

    width, height = size
    face = cv2.imread(str(resource_path("assets", FACE_IMAGE)))
    if face is None:
        raise FileNotFoundError(resource_path("assets", FACE_IMAGE))
    side = height // 2 if faces == 1 else height // 3
    tile = cv2.resize(face, (side, side), interpolation=cv2.INTER_AREA)
    columns = 1 if faces == 1 else min(faces, 3)
    for i in range(round(seconds * fps)):
        phase = 2 * np.pi * i / (fps * 4)  # a slow four-second sway, like a person in a call
        canvas = np.full((height, width, 3), 60, np.uint8)
        for k in range(faces):
            row, col = divmod(k, columns)
            x0 = (width - columns * side) // 2 + col * side + int(20 * np.sin(phase + k))
            y0 = (height - ((faces + columns - 1) // columns) * side) // 2 + row * side
            y0 += int(10 * np.cos(phase + k))
            x0, y0 = max(0, min(width - side, x0)), max(0, min(height - side, y0))
            canvas[y0:y0 + side, x0:x0 + side] = tile
        yield canvas


def make_bench_clip(path: Path, *, faces: int = 1, seconds: float = 6.0, fps: int = 30,
                    size: tuple[int, int] = (1280, 720)) -> Path:
    """Writes an H.264 clip of `faces` copies of the shipped face swaying gently."""
    import av

    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "20"}
        for i, image in enumerate(_canvas_frames(faces, seconds, fps, size)):
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path
