"""The camera source, through OpenCV's real capture code.

There is no camera here, so the device is a video file opened by path (OpenCV
treats both alike). Moving the file away and back plays a camera unplugged and
plugged in again.
"""

from __future__ import annotations

import itertools
import threading
import time

import pytest
from media import make_clip

from copilot.capture.camera import Camera
from copilot.capture.items import SourceError
from copilot.capture.source import SessionClock


def test_a_camera_that_is_not_there_is_a_named_error():
    with pytest.raises(SourceError, match=r"camera 9: cannot be opened"):
        Camera(9).open(SessionClock())


def test_camera_reports_what_it_got_and_reconnects_after_vanishing(tmp_path):
    device = make_clip(tmp_path / "device.avi", seconds=1.0, fps=25, audio=False)
    away = tmp_path / "unplugged.avi"
    camera = Camera(str(device), width=640, height=480, fps=30)
    camera.open(SessionClock())
    info = camera.describe()
    assert info["requested"] == {"width": 640, "height": 480, "fps": 30}
    assert info["actual"]["width"] == 160 and info["actual"]["height"] == 120

    frames, states = [], []

    def consume() -> None:
        for frame in camera.items():
            frames.append(frame)
            if len(frames) == 5:
                device.rename(away)  # unplugged: the stream ends and reopening fails

    reader = threading.Thread(target=consume)
    reader.start()
    deadline = time.monotonic() + 5
    while camera.state != "reconnecting" and time.monotonic() < deadline:
        time.sleep(0.02)
    states.append(camera.state)
    count_while_away = len(frames)
    time.sleep(1.5)
    assert len(frames) == count_while_away  # nothing arrives while it is gone
    away.rename(device)  # plugged back in
    while camera.reconnects == 0 and time.monotonic() < deadline + 5:
        time.sleep(0.02)
    time.sleep(0.3)
    camera.close()
    reader.join(3)

    assert states == ["reconnecting"]
    assert camera.reconnects == 1
    assert len(frames) > count_while_away  # frames flow again after the reconnect
    assert [f.index for f in frames] == list(range(len(frames)))
    assert all(b.t >= a.t for a, b in itertools.pairwise(frames))
    assert not reader.is_alive() and camera.state == "closed"


def test_opencv_says_nothing_of_its_own_before_our_message(capfd):
    """Issue 19: OpenCV's `[ WARN ]` lines printed before the app's one clear message."""
    with pytest.raises(SourceError):
        Camera(9).open(SessionClock())
    assert "WARN" not in capfd.readouterr().err
