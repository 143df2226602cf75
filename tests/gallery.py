"""Call gallery views for the face-finding tests: the grids come from copilot.bench.gallery (the
bench times the same scenes); a shared slide with a thumbnail strip is the tests' own."""

from __future__ import annotations

import numpy as np

from copilot.bench.gallery import BACKGROUND, PEOPLE, Tile, compose, grid_tiles, read_people

__all__ = ["BACKGROUND", "PEOPLE", "Tile", "compose", "grid_tiles", "read_people", "screen_share"]


def screen_share(canvas: tuple[int, int], strip_w: int) -> np.ndarray:
    """A shared slide filling the screen left of a thumbnail strip: white, a title, text lines."""
    import cv2

    frame = np.full((canvas[1], canvas[0], 3), (18, 18, 18), np.uint8)
    w = canvas[0] - strip_w
    frame[40:canvas[1] - 40, 40:w - 40] = 250
    cv2.putText(frame, "Quarterly results", (120, 200), cv2.FONT_HERSHEY_SIMPLEX, 3, (40, 40, 40), 6)
    for k in range(8):
        cv2.putText(frame, f"- point {k + 1}: revenue, margin and outlook", (140, 340 + 110 * k),
                    cv2.FONT_HERSHEY_SIMPLEX, 1.6, (60, 60, 60), 3)
    return frame
