"""A photo as a source: one frame at t=0, so a single image goes through the same engine."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

from copilot.capture.items import SourceError, VideoFrame
from copilot.capture.source import SessionClock

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


def is_image(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES


class StillImage:
    live = False
    has_video = True

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.name = self.path.name
        self._image = None

    def open(self, clock: SessionClock | None = None) -> None:
        import cv2

        if self.path.is_dir():
            raise SourceError(f"{self.path}: is a folder, not an image")
        if not self.path.is_file():
            raise SourceError(f"{self.path}: no such file")
        self._image = cv2.imread(str(self.path), cv2.IMREAD_COLOR)
        if self._image is None:
            raise SourceError(f"{self.path}: not a readable image")

    def items(self) -> Iterator[VideoFrame]:
        if self._image is None:
            self.open()
        yield VideoFrame(t=0.0, image=self._image, index=0, captured_at=time.monotonic())

    def close(self) -> None:
        pass

    def describe(self) -> dict[str, object]:
        height, width = self._image.shape[:2] if self._image is not None else (0, 0)
        return {"path": str(self.path), "width": width, "height": height, "image": True}
