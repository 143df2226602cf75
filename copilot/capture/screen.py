"""A live source that films part of the screen, such as the call window's gallery.

mss keeps per-thread display handles, so the handle that grabs is created inside
`items()` on the capture thread; `open()` only checks, with a throwaway handle, that
the display opens and the region lies on it. Frames follow a fixed schedule of
deadlines: a slow grab skips ticks (counted in `index` and `dropped`) instead of
letting the rate drift.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from copilot.capture.items import SourceError, VideoFrame
from copilot.capture.source import SessionClock

DEFAULT_FPS = 15.0


@dataclass(frozen=True, slots=True)
class Screen:
    index: int  # 1-based, as mss numbers monitors; 0 would be all of them together
    left: int
    top: int
    width: int
    height: int
    name: str = ""

    def label(self) -> str:
        tail = f" ({self.name})" if self.name else ""
        return f"screen {self.index}{tail}: {self.width}x{self.height} at {self.left},{self.top}"


def _open_mss(display: str | None) -> Any:
    """A new mss handle; every failure becomes a SourceError that names the display."""
    try:
        import mss
    except ImportError as err:  # a broken install, not a user error, but say so plainly
        raise SourceError(f"screen capture is unavailable: cannot import mss ({err})") from err
    make = getattr(mss, "MSS", None) or mss.mss  # mss >= 10.2 deprecates the mss() factory
    kwargs = {"display": display} if display else {}
    try:
        return make(**kwargs)
    except Exception as err:  # mss raises its own errors, ctypes ones and OSError
        shown = display or _env_display()
        raise SourceError(f"cannot open display {shown}: {err}") from err


def _env_display() -> str:
    return os.environ.get("DISPLAY") or "(DISPLAY is not set)"


def list_screens(display: str | None = None) -> list[Screen]:
    """The monitors the user can pick; raises SourceError when there is no display."""
    with _open_mss(display) as sct:
        monitors = sct.monitors
    return [
        Screen(i, m["left"], m["top"], m["width"], m["height"], str(m.get("name") or ""))
        for i, m in enumerate(monitors)
        if i > 0
    ]


class ScreenRegion:
    """A whole monitor (`monitor=1`) or a desktop rectangle `(left, top, width, height)`."""

    live = True
    has_video = True

    def __init__(
        self,
        monitor: int | None = 1,
        region: tuple[int, int, int, int] | None = None,
        fps: float = DEFAULT_FPS,
        display: str | None = None,
    ) -> None:
        if fps <= 0:
            raise ValueError(f"fps must be positive, got {fps}")
        self.fps = fps
        self._monitor = None if region is not None else monitor
        self._region = region
        self._display = display
        self._box: dict[str, int] | None = None
        self._clock: SessionClock | None = None
        self._stop = threading.Event()
        self.grabbed = 0
        self.dropped = 0
        if region is not None:
            self.name = "screen region {}x{} at {},{}".format(region[2], region[3], *region[:2])
        else:
            self.name = f"screen {monitor}"

    def open(self, clock: SessionClock) -> None:
        self._clock = clock
        self._stop.clear()
        with _open_mss(self._display) as sct:
            self._box = self._resolve(sct.monitors)
            try:
                sct.grab(self._box)
            except Exception as err:
                raise SourceError(f"{self.name}: the first grab failed: {err}") from err

    def _resolve(self, monitors: list[dict[str, Any]]) -> dict[str, int]:
        """The box to grab: a monitor, or the requested rectangle clipped to the desktop."""
        if self._region is None:
            if self._monitor is None or not 1 <= self._monitor < len(monitors):
                count = len(monitors) - 1
                raise SourceError(f"{self.name}: no such screen; this display has {count}")
            m = monitors[self._monitor]
            return {k: int(m[k]) for k in ("left", "top", "width", "height")}
        left, top, width, height = self._region
        if width <= 0 or height <= 0:
            raise SourceError(f"{self.name}: the rectangle is empty")
        for m in monitors[1:]:
            x0, y0 = max(left, m["left"]), max(top, m["top"])
            x1 = min(left + width, m["left"] + m["width"])
            y1 = min(top + height, m["top"] + m["height"])
            if x1 > x0 and y1 > y0:
                # Clip to the whole desktop, not this monitor, so a window spanning two
                # screens is still captured whole.
                desk = monitors[0]
                x0, y0 = max(left, desk["left"]), max(top, desk["top"])
                x1 = min(left + width, desk["left"] + desk["width"])
                y1 = min(top + height, desk["top"] + desk["height"])
                return {"left": x0, "top": y0, "width": x1 - x0, "height": y1 - y0}
        screens = "; ".join(f"{m['width']}x{m['height']} at {m['left']},{m['top']}" for m in monitors[1:])
        raise SourceError(f"{self.name}: the rectangle lies outside every screen ({screens})")

    def items(self) -> Iterator[VideoFrame]:
        if self._box is None or self._clock is None:
            raise SourceError(f"{self.name}: items() called before open()")
        box, clock, period = self._box, self._clock, 1.0 / self.fps
        with _open_mss(self._display) as sct:  # created here: mss handles are thread-bound
            start = time.monotonic()
            tick = 0
            while not self._stop.is_set():
                grabbed_at = time.monotonic()
                try:
                    shot = sct.grab(box)
                except Exception as err:
                    raise SourceError(f"{self.name}: screen grab failed: {err}") from err
                # BGRA -> BGR; the copy also detaches the frame from mss's buffer.
                image = np.ascontiguousarray(np.asarray(shot)[:, :, :3])
                self.grabbed += 1
                yield VideoFrame(clock.at(grabbed_at), image, tick, time.monotonic())
                tick += 1
                due = int((time.monotonic() - start) / period)  # the tick whose slot it is now
                if due > tick:  # the grab or the consumer overran whole slots: skip them
                    self.dropped += due - tick
                    tick = due
                self._stop.wait(max(0.0, start + tick * period - time.monotonic()))

    def close(self) -> None:
        self._stop.set()

    def describe(self) -> dict[str, object]:
        box = self._box or {}
        return {
            "source": self.name,
            "display": self._display or _env_display(),
            "requested_fps": self.fps,
            "region": [box.get(k) for k in ("left", "top", "width", "height")],
            "frames": self.grabbed,
            "dropped": self.dropped,
        }
