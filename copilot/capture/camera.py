"""A camera through OpenCV, which survives being unplugged.

When reads start failing (the device vanished, another app grabbed it) the source
releases it and keeps trying to reopen the same index or path about once a second,
so a session pauses its video side instead of ending.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Iterator

from copilot.capture.items import SourceError, VideoFrame
from copilot.capture.source import SessionClock

log = logging.getLogger(__name__)

FAILED_READS_BEFORE_RECONNECT = 5  # a few bad reads happen on healthy USB cameras
RECONNECT_EVERY_S = 1.0


def quiet_cv2():
    """OpenCV, with its own `[ WARN ]` lines silenced (issue 19): they print before, and say less
    than, the one clear message this app gives when a camera cannot be opened."""
    import cv2

    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
    return cv2


def _backend() -> int:
    cv2 = quiet_cv2()

    if sys.platform.startswith("linux"):
        return cv2.CAP_V4L2
    if sys.platform == "win32":
        return cv2.CAP_MSMF
    if sys.platform == "darwin":
        return cv2.CAP_AVFOUNDATION
    return cv2.CAP_ANY


class Camera:
    live = True
    has_video = True

    def __init__(
        self, device: int | str = 0, *, width: int = 1280, height: int = 720, fps: float = 30.0
    ) -> None:
        self.device = device
        self.name = f"camera {device}"
        self.requested = {"width": width, "height": height, "fps": fps}
        self.actual: dict[str, float] = {}
        self.state = "closed"  # closed | streaming | reconnecting
        self.reconnects = 0
        self._clock: SessionClock | None = None
        self._capture = None
        self._stop = threading.Event()

    def _open_device(self):
        cv2 = quiet_cv2()

        if isinstance(self.device, int):
            capture = cv2.VideoCapture(self.device, _backend())
        else:  # a device path (/dev/video2) or any URL/file OpenCV understands
            capture = cv2.VideoCapture(str(self.device))
        if not capture.isOpened():
            capture.release()
            return None
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.requested["width"])
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.requested["height"])
        capture.set(cv2.CAP_PROP_FPS, self.requested["fps"])
        self.actual = {
            "width": capture.get(cv2.CAP_PROP_FRAME_WIDTH),
            "height": capture.get(cv2.CAP_PROP_FRAME_HEIGHT),
            "fps": capture.get(cv2.CAP_PROP_FPS),
        }
        return capture

    def open(self, clock: SessionClock) -> None:
        self._clock = clock
        self._capture = self._open_device()
        if self._capture is None:
            raise SourceError(
                f"{self.name}: cannot be opened (not connected, in use by another "
                "app, or camera access denied in the system's privacy settings)"
            )
        self.state = "streaming"

    def items(self) -> Iterator[VideoFrame]:
        if self._clock is None:
            raise SourceError(f"{self.name}: read before open()")
        index, failures = 0, 0
        while not self._stop.is_set():
            if self._capture is None:
                if self._stop.wait(RECONNECT_EVERY_S):
                    break
                self._capture = self._open_device()
                if self._capture is not None:
                    self.state, failures = "streaming", 0
                    self.reconnects += 1
                    log.info("%s is back", self.name)
                continue
            ok, image = self._capture.read()
            if not ok or image is None:
                failures += 1
                if failures >= FAILED_READS_BEFORE_RECONNECT:
                    log.warning("%s stopped delivering frames; reconnecting", self.name)
                    self._capture.release()
                    self._capture, self.state = None, "reconnecting"
                else:
                    time.sleep(0.01)
                continue
            failures = 0
            now = time.monotonic()
            yield VideoFrame(t=self._clock.at(now), image=image, index=index, captured_at=now)
            index += 1
        if self._capture is not None:
            self._capture.release()
            self._capture = None
        self.state = "closed"

    def close(self) -> None:
        self._stop.set()

    def describe(self) -> dict[str, object]:
        return {
            "device": self.device,
            "requested": self.requested,
            "actual": self.actual,
            "state": self.state,
            "reconnects": self.reconnects,
        }
