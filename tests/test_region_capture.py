"""The call-window workflow under a real X server: a window plays a clip, the region
picker selects it by a mouse drag, and the faces in it are found in the captured region.

Qt in this test process runs offscreen for the other GUI tests, so the two windows
live in child processes on an Xvfb display of their own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from fixtures_desktop import xvfb_display  # noqa: F401  (a fixture)

WINDOW = (160, 80, 640, 360)  # where the "call window" sits: left, top, width, height

# A frameless window that plays the first seconds of a clip in a loop at its frame rate.
PLAY_CLIP = """
import sys
import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QApplication, QLabel
from copilot.capture.media_file import MediaFile
clip = MediaFile(sys.argv[1], with_audio=False)
clip.open()
frames = []
for item in clip.items():
    frames.append(np.ascontiguousarray(item.image[:, :, ::-1]))
    if len(frames) == 60:
        clip.close()
app = QApplication([])
label = QLabel()
label.setWindowFlags(Qt.FramelessWindowHint | Qt.X11BypassWindowManagerHint)
h, w = frames[0].shape[:2]
label.setFixedSize(w, h)
label.move(int(sys.argv[2]), int(sys.argv[3]))
state = {"i": 0}
def show_next():
    rgb = frames[state["i"] % len(frames)]
    state["i"] += 1
    label.setPixmap(QPixmap.fromImage(QImage(rgb.data, w, h, 3 * w, QImage.Format_RGB888)))
timer = QTimer()
timer.timeout.connect(show_next)
timer.start(round(1000 / clip.fps))
show_next()
label.show()
QTimer.singleShot(500, lambda: print("ready", flush=True))
app.exec()
"""

# The app's own region picker, dragged over the window by synthetic mouse events; the
# rectangle it returns becomes the app's source, and the face tracker runs on it.
PICK_AND_WATCH = """
import json, sys, time
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from copilot.engine.loop import Engine
from copilot.vision.analyzer import FaceAnalyzer
from ui.region_picker import RegionPicker, region_choice
from ui.sources import source_from_choice
left, top, width, height = map(int, sys.argv[1:5])
app = QApplication([])
picker = RegionPicker()
chosen = []
picker.picked.connect(chosen.append)
picker.show()
QTest.qWaitForWindowExposed(picker)
start, end = QPoint(left, top), QPoint(left + width - 1, top + height - 1)  # last pixel
QTest.mousePress(picker, Qt.LeftButton, Qt.NoModifier, picker.mapFromGlobal(start))
QTest.mouseMove(picker, picker.mapFromGlobal((start + end) / 2))
QTest.mouseRelease(picker, Qt.LeftButton, Qt.NoModifier, picker.mapFromGlobal(end))
app.processEvents()
source = source_from_choice(region_choice(chosen[0]))
faces = []
# a face counts from its first frame, as a candidate (issue 18) until a second has confirmed it
def count(step):
    found = step.results["faces"]
    faces.append(len(found) + len(found.tentative))
engine = Engine([source], [FaceAnalyzer()], [count])
engine.start()
time.sleep(3.0)
engine.stop()
print(json.dumps({"rect": chosen[0], "steps": len(faces) - 1, "with_one_face": faces.count(1)}))
"""


@pytest.fixture
def call_window(xvfb_display, shared_data):  # noqa: F811
    env = dict(os.environ, DISPLAY=xvfb_display, QT_QPA_PLATFORM="xcb", QT_SCALE_FACTOR="1")
    player = subprocess.Popen(
        [sys.executable, "-c", PLAY_CLIP, str(shared_data / "noddingpigeon/head_nodding.mp4"),
         str(WINDOW[0]), str(WINDOW[1])],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if player.stdout.readline().strip() != "ready":
        player.kill()
        pytest.fail(f"the clip window did not start: {player.stderr.read()[-2000:]}")
    yield env
    player.kill()
    player.wait(10)


def test_picking_the_call_window_finds_the_face_in_it(call_window):
    done = subprocess.run([sys.executable, "-c", PICK_AND_WATCH, *map(str, WINDOW)], env=call_window,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert tuple(report["rect"]) == WINDOW
    assert report["steps"] >= 15  # a few seconds at the region source's 15 fps
    assert report["with_one_face"] >= 0.9 * report["steps"]
