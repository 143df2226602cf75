"""The toolbar: pick what to watch (camera, screen, file) and start or stop.

It only turns clicks into choices ("camera:0", "screen:1", a path); the window
decides what to do with them. Device lists are read when a menu opens, so a camera
plugged in after start-up shows up without restarting.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QMenu, QToolBar, QToolButton, QWidget

from copilot.capture.media_file import SUPPORTED_SUFFIXES
from ui.sources import camera_choices, screen_choices

MEDIA_FILTER = "Recordings ({});;All files (*)".format(" ".join(f"*{s}" for s in SUPPORTED_SUFFIXES))


class SourceToolBar(QToolBar):
    chosen = Signal(str)  # a source choice to start
    stop_requested = Signal()
    play_requested = Signal()  # start the last choice again

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Source", parent)
        self.setObjectName("sourceToolBar")  # saveState needs a name
        self.setMovable(False)
        self._add_device_button("Camera", "Watch a webcam (the first one; pick another from the menu)",
                                camera_choices, "No camera found")
        self._add_device_button("Screen", "Watch a whole screen, such as the call's gallery view",
                                screen_choices, "No screen to capture")
        self.addAction("Open file…", self._open_file).setToolTip("Analyse a recording as it plays")
        self.addSeparator()
        self.play_action = self.addAction("Play", self.play_requested.emit)
        self.play_action.setToolTip("Start the last source again")
        self.stop_action = self.addAction("Stop", self.stop_requested.emit)
        self.stop_action.setToolTip("Stop capturing and analysing")
        self.set_running(False, can_play=False)

    def set_running(self, running: bool, *, can_play: bool) -> None:
        self.stop_action.setEnabled(running)
        self.play_action.setEnabled(can_play and not running)

    def _add_device_button(self, text: str, tip: str, list_choices: Callable[[], list[tuple[str, str]]],
                           none_text: str) -> None:
        menu = QMenu(self)

        def fill() -> None:
            menu.clear()
            for label, choice in list_choices():
                menu.addAction(label, lambda c=choice: self.chosen.emit(c))
            if menu.isEmpty():
                menu.addAction(none_text).setEnabled(False)

        menu.aboutToShow.connect(fill)
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setMenu(menu)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        button.clicked.connect(lambda: self.chosen.emit(text.lower()))
        self.addWidget(button)

    def _open_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a recording", "", MEDIA_FILTER)
        if path:
            self.chosen.emit(path)
