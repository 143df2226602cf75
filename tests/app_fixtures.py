"""Fixtures every app test module uses: the main window, no timer left running, settings kept private."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer

from ui.main_window import MainWindow
from ui.settings import redirect_settings


@pytest.fixture
def window(qtbot):
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


@pytest.fixture(autouse=True)
def no_running_timers(qapp):
    """Fails a test that leaves a Qt timer running in any window (display, stats, probe)."""
    yield
    running = [(w.objectName() or type(w).__name__, t.interval()) for w in qapp.topLevelWidgets()
               for t in w.findChildren(QTimer) if t.isActive()]
    assert running == [], f"timers left running: {running}"


@pytest.fixture(autouse=True)
def private_settings(tmp_path: Path) -> Path:
    """Window geometry (QSettings) goes to the test's own folder; conftest already moves the
    settings file and the session database out of the user's folders."""
    folder = tmp_path / "settings"
    redirect_settings(folder)
    return folder
