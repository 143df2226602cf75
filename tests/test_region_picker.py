"""The region picker: a drag over the desktop becomes a ScreenRegion source of that rectangle."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("pytestqt", reason="pytest-qt is not installed")

from PySide6.QtCore import QPoint, Qt

from copilot.capture.items import SourceError
from copilot.capture.screen import ScreenRegion
from ui.region_picker import RegionPicker, region_choice
from ui.sources import describe_choice, source_from_choice


def test_dragging_a_rubber_band_picks_that_rectangle(qtbot):
    picker = RegionPicker()
    qtbot.addWidget(picker)
    picker.show()
    origin = picker.mapToGlobal(QPoint(0, 0))
    with qtbot.waitSignal(picker.picked, timeout=2000) as picked:
        qtbot.mousePress(picker, Qt.MouseButton.LeftButton, pos=QPoint(100, 80))
        qtbot.mouseMove(picker, QPoint(300, 200))
        qtbot.mouseRelease(picker, Qt.MouseButton.LeftButton, pos=QPoint(420, 320))
    left, top, width, height = picked.args[0]
    ratio = picker.devicePixelRatio()
    assert (left, top) == (round((origin.x() + 100) * ratio), round((origin.y() + 80) * ratio))
    assert (width, height) == (round(321 * ratio), round(241 * ratio))


def test_a_slip_is_not_a_choice_and_escape_cancels(qtbot):
    picker = RegionPicker()
    qtbot.addWidget(picker)
    picker.show()
    with qtbot.assertNotEmitted(picker.picked):
        qtbot.mouseClick(picker, Qt.MouseButton.LeftButton, pos=QPoint(50, 50))
    with qtbot.waitSignal(picker.cancelled, timeout=2000):
        qtbot.keyClick(picker, Qt.Key.Key_Escape)


def test_a_region_choice_becomes_a_screen_region_source():
    choice = region_choice((10, 20, 640, 360))
    source = source_from_choice(choice)
    assert isinstance(source, ScreenRegion) and source.name == "screen region 640x360 at 10,20"
    assert describe_choice(choice) == "screen region 640x360"
    with pytest.raises(SourceError, match="left,top,width,height"):
        source_from_choice("region:10,20")
