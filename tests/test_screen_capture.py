"""Screen capture against a real X server: a Qt window shows a face, ScreenRegion films it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from fixtures_desktop import SCREEN_SIZE, xvfb_display  # noqa: F401  (a fixture)

from copilot.capture.devices import format_report, list_devices
from copilot.capture.items import SourceError
from copilot.capture.screen import ScreenRegion, list_screens
from copilot.capture.source import SessionClock, Source

FACE = Path(__file__).resolve().parents[2] / "shared" / "data" / "pyfeat" / "single_face.jpg"
WINDOW_AT = (200, 60)  # where the window's top-left corner goes, in screen pixels

# A frameless window that bypasses the (absent) window manager, so it lands exactly at
# WINDOW_AT and shows the image 1:1. It says "ready" once it has been painted.
SHOW_IMAGE = """
import sys
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel()
label.setWindowFlags(Qt.FramelessWindowHint | Qt.X11BypassWindowManagerHint)
label.setContentsMargins(0, 0, 0, 0)
pixmap = QPixmap(sys.argv[1])
assert not pixmap.isNull(), "Qt cannot read " + sys.argv[1]
label.setPixmap(pixmap)
label.setFixedSize(pixmap.size())
label.move(int(sys.argv[2]), int(sys.argv[3]))
label.show()
QTimer.singleShot(500, lambda: print("ready", flush=True))
app.exec()
"""


@pytest.fixture(scope="module")
def face_window(xvfb_display: str):  # noqa: F811
    """A window showing FACE at WINDOW_AT on the virtual display; yields the image (BGR)."""
    cv2 = pytest.importorskip("cv2")
    if not FACE.exists():
        pytest.skip(f"test image missing: {FACE}")
    env = dict(
        os.environ, DISPLAY=xvfb_display, QT_QPA_PLATFORM="xcb", QT_SCALE_FACTOR="1",
        QT_ENABLE_HIGHDPI_SCALING="0",
    )  # fmt: skip
    window = subprocess.Popen(
        [sys.executable, "-c", SHOW_IMAGE, str(FACE), *map(str, WINDOW_AT)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    line = window.stdout.readline()
    if line.strip() != "ready":
        window.kill()
        pytest.fail(f"the Qt window did not show: {window.communicate()[1][-2000:]}")
    try:
        yield cv2.imread(str(FACE))
    finally:
        window.terminate()
        window.wait(timeout=10)


def grab_frames(source: ScreenRegion, count: int) -> list:
    source.open(SessionClock())
    frames = []
    try:
        for frame in source.items():
            frames.append(frame)
            if len(frames) == count:
                break
    finally:
        source.close()
    return frames


def test_region_shows_the_window_pixel_for_pixel(face_window: np.ndarray, xvfb_display: str):  # noqa: F811
    height, width = face_window.shape[:2]
    source = ScreenRegion(region=(*WINDOW_AT, width, height), display=xvfb_display)
    frame = grab_frames(source, 1)[0]
    assert frame.image.shape == face_window.shape
    assert frame.image.dtype == np.uint8
    shown = frame.image.astype(np.float64)
    expected = face_window.astype(np.float64)
    # Qt and OpenCV decode the JPEG with different libraries: expect tiny differences only.
    assert np.abs(shown - expected).mean() < 3.0
    assert np.corrcoef(shown.ravel(), expected.ravel())[0, 1] > 0.99
    # Shifting the region by a few pixels must break the match: it really is this rectangle.
    moved = grab_frames(
        ScreenRegion(region=(WINDOW_AT[0] + 8, WINDOW_AT[1], width, height), display=xvfb_display),
        1,
    )[0].image.astype(np.float64)
    assert np.abs(moved - expected).mean() > 3 * np.abs(shown - expected).mean()


def test_whole_screen_at_the_requested_pace(face_window: np.ndarray, xvfb_display: str):  # noqa: F811
    fps = 20.0
    frames = grab_frames(ScreenRegion(monitor=1, fps=fps, display=xvfb_display), 21)
    width, height = SCREEN_SIZE
    assert frames[0].image.shape == (height, width, 3)
    # Colour order is BGR: the face sits at WINDOW_AT in the full-screen grab too.
    x, y = WINDOW_AT
    patch = frames[-1].image[y : y + face_window.shape[0], x : x + face_window.shape[1]]
    assert np.abs(patch.astype(float) - face_window).mean() < 3.0
    times = np.array([f.t for f in frames])
    assert np.all(np.diff(times) > 0)
    # Deadlines, not sleeps: 20 frames span 1 s at 20 fps whatever each grab costs.
    span = times[-1] - times[0]
    assert frames[-1].index - frames[0].index >= 20
    assert abs(span - (frames[-1].index - frames[0].index) / fps) < 0.5 / fps + 0.05
    assert all(f.captured_at >= 0 for f in frames)


def test_lists_the_virtual_screen(xvfb_display: str):  # noqa: F811
    screens = list_screens(xvfb_display)
    assert [(s.index, s.width, s.height) for s in screens] == [(1, *SCREEN_SIZE)]


def test_rectangle_off_every_screen_is_refused(xvfb_display: str):  # noqa: F811
    source = ScreenRegion(region=(5000, 5000, 100, 100), display=xvfb_display)
    with pytest.raises(SourceError, match="outside every screen"):
        source.open(SessionClock())


def test_missing_display_is_named():
    taken = {p.name for p in Path("/tmp/.X11-unix").glob("X*")}
    number = next(n for n in range(4242, 4342) if f"X{n}" not in taken)
    with pytest.raises(SourceError, match=f"cannot open display :{number}"):
        ScreenRegion(display=f":{number}").open(SessionClock())


def test_device_report_shows_the_screen(xvfb_display: str, monkeypatch: pytest.MonkeyPatch):  # noqa: F811
    monkeypatch.setenv("DISPLAY", xvfb_display)
    report = list_devices()
    assert report.screens == ["screen 1: 1280x720 at 0,0"]
    assert "screen 1: 1280x720 at 0,0" in format_report(report).split("Screens:")[1]
    assert isinstance(ScreenRegion(display=xvfb_display), Source)
