"""The toolbar: pick what to watch (camera, screen or a region of it, file), what to listen to,
the mode; start or stop; mark a moment; the overlay; settings.

It only turns clicks into choices ("camera:0", "screen:1", a path) and requests; the
window decides what to do with them. Device lists are read when a menu opens, so a
camera plugged in after start-up shows up without restarting.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QComboBox, QFileDialog, QMenu, QToolBar, QToolButton, QWidget

from copilot.capture.media_file import SUPPORTED_SUFFIXES
from copilot.coach.rules import MODES
from ui.settings_dialog import MODE_NAMES
from ui.sources import camera_choices, microphone_choices, screen_choices

MEDIA_FILTER = "Recordings ({});;All files (*)".format(" ".join(f"*{s}" for s in SUPPORTED_SUFFIXES))
SHORTCUTS = {"start_stop": "Ctrl+Space", "mark": "Ctrl+M", "overlay": "Ctrl+Shift+O",
             "settings": "Ctrl+,", "region": "Ctrl+Shift+R", "review": "Ctrl+Shift+S"}


class SourceToolBar(QToolBar):
    chosen = Signal(str)  # a source choice to start
    stop_requested = Signal()
    play_requested = Signal()  # start the last choice again
    region_requested = Signal()  # let the user drag over the call window
    mode_changed = Signal(str)
    audio_changed = Signal(str, bool)  # microphone ("default", a name, "" for none), system audio
    mark_requested = Signal()
    settings_requested = Signal()
    review_requested = Signal()  # look back at recorded sessions

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Source", parent)
        self.setObjectName("sourceToolBar")  # saveState needs a name
        self.setMovable(False)
        self._add_menu_button("Camera", "Watch a webcam (the first one; pick another from the menu)",
                              camera_choices, "No camera found — open a file or pick a screen region")
        screens = self._add_menu_button("Screen", "Watch a whole screen, or drag over the call window",
                                        screen_choices, "No screen to capture")
        screens.menu().aboutToShow.connect(lambda: screens.menu().addAction(
            "Pick a region…", self.region_requested.emit))
        self.region_action = self._action("Region…", "Drag a rectangle over the call window to watch it",
                                          self.region_requested.emit, "region")
        self.addAction("Open file…", self._open_file).setToolTip("Analyse a recording as it plays")
        self.audio_button = self._audio_button()
        self.addSeparator()
        self.play_action = self.addAction("Play", self.play_requested.emit)
        self.play_action.setToolTip("Start the last source again")
        self.stop_action = self.addAction("Stop", self.stop_requested.emit)
        self.stop_action.setToolTip("Stop capturing and analysing")
        self.addSeparator()
        self.mode = QComboBox()
        self.mode.setToolTip("Whom to watch and which nudges to give (applies when a source starts)")
        for mode in MODES:
            self.mode.addItem(MODE_NAMES[mode], mode)
        self.mode.currentIndexChanged.connect(lambda: self.mode_changed.emit(self.mode.currentData()))
        self.addWidget(self.mode)
        self.mark_action = self._action("Mark this moment", "Drop a marker into the session",
                                        self.mark_requested.emit, "mark")
        self.overlay_action = self._action("Overlay", "A small always-on-top window for use during a call",
                                           None, "overlay")
        self.overlay_action.setCheckable(True)
        self.review_action = self._action("Sessions…", "Review recorded sessions: signals, events, nudges",
                                          self.review_requested.emit, "review")
        self.settings_action = self._action("Settings…", "Mode, sources, theme, nudges",
                                            self.settings_requested.emit, "settings")
        self.start_stop = QAction("Start or stop", self)
        self.start_stop.setShortcut(QKeySequence(SHORTCUTS["start_stop"]))
        self.start_stop.triggered.connect(
            lambda: (self.stop_action if self.stop_action.isEnabled() else self.play_action).trigger())
        self.set_running(False, can_play=False)

    def _action(self, text: str, tip: str, slot: Callable[[], None] | None, shortcut: str) -> QAction:
        action = self.addAction(text)
        if slot is not None:
            action.triggered.connect(slot)
        action.setShortcut(QKeySequence(SHORTCUTS[shortcut]))
        action.setToolTip(f"{tip} ({SHORTCUTS[shortcut]})")
        return action

    def set_running(self, running: bool, *, can_play: bool) -> None:
        self.stop_action.setEnabled(running)
        self.play_action.setEnabled(can_play and not running)

    def set_mode(self, mode: str) -> None:
        self.mode.setCurrentIndex(max(0, self.mode.findData(mode)))

    def _add_menu_button(self, text: str, tip: str, list_choices: Callable[[], list[tuple[str, str]]],
                         none_text: str) -> QToolButton:
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
        return button

    def _audio_button(self) -> QToolButton:
        menu = QMenu(self)
        self.microphone, self.system_audio = "default", False

        def fill() -> None:
            menu.clear()
            group = QActionGroup(menu)
            found = microphone_choices()
            for label, name in [("Default microphone", "default"), *found, ("No microphone", "")]:
                action = menu.addAction(label, lambda n=name: self.set_audio(n, self.system_audio))
                action.setCheckable(True)
                action.setChecked(name == self.microphone)
                group.addAction(action)
            if not found:
                menu.addAction("No microphone found: check it is plugged in and allowed").setEnabled(False)
            menu.addSeparator()
            loop = menu.addAction("System audio (the other side of a call)",
                                  lambda: self.set_audio(self.microphone, not self.system_audio))
            loop.setCheckable(True)
            loop.setChecked(self.system_audio)

        menu.aboutToShow.connect(fill)
        button = QToolButton(self)
        button.setText("Audio")
        button.setToolTip("What to listen to with a camera or the screen (a recording brings its own sound)")
        button.setMenu(menu)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.addWidget(button)
        return button

    def set_audio(self, microphone: str, system_audio: bool) -> None:
        self.microphone, self.system_audio = microphone, system_audio
        self.audio_changed.emit(microphone, system_audio)

    def _open_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a recording", "", MEDIA_FILTER)
        if path:
            self.chosen.emit(path)
