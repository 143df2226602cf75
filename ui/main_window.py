"""The main window: toolbar, video with faces, the signals panel and the status bar.

It owns one LiveSession and is the only thing that starts or stops it. Results reach
it through the bridge's signals; engine figures are pulled on a slow timer. Closing
the window stops the engine and every timer, so nothing outlives it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QCloseEvent, QIcon
from PySide6.QtWidgets import QMainWindow, QSplitter, QVBoxLayout, QWidget

from copilot.errors import CopilotError
from copilot.resources import resource_path
from ui.banner import Banner
from ui.bridge import EngineBridge
from ui.session import LiveSession
from ui.settings import app_settings
from ui.signals_panel import SignalsPanel
from ui.sources import NO_CAMERA_MESSAGE, camera_choices
from ui.status_bar import EngineStatusBar
from ui.toolbar import SourceToolBar
from ui.video_view import VideoView

STATS_EVERY_MS = 500
TITLE = "Meeting Copilot"
DEFAULT_SIZE = (1200, 720)


class MainWindow(QMainWindow):
    def __init__(self, *, remember_geometry: bool = True) -> None:
        super().__init__()
        self.remember_geometry = remember_geometry  # off for screenshots: same picture on every machine
        self.setWindowTitle(TITLE)
        self.setWindowIcon(QIcon(str(resource_path("assets", "app/icon.svg"))))
        self.bridge = EngineBridge(self)
        self.session = LiveSession(self.bridge)

        self.toolbar = SourceToolBar(self)
        self.addToolBar(self.toolbar)
        self.banner = Banner()
        self.video = VideoView()
        self.signals_panel = SignalsPanel()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.video)
        self.splitter.addWidget(self.signals_panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.status = EngineStatusBar(self)
        self.setStatusBar(self.status)

        self.bridge.frame.connect(self.video.show_frame)
        self.bridge.problem.connect(self.show_problem)
        self.toolbar.chosen.connect(self.open_choice)
        self.toolbar.stop_requested.connect(self.stop)
        self.toolbar.play_requested.connect(lambda: self.open_choice(self.session.choice or "camera"))
        self.stats_timer = QTimer(self)
        self.stats_timer.setInterval(STATS_EVERY_MS)
        self.stats_timer.timeout.connect(self._refresh_stats)
        self.stats_timer.start()
        self._restore_geometry()

    # -- what the user asks for -------------------------------------------------------
    @Slot(str)
    def open_choice(self, choice: str) -> None:
        """Starts watching `choice`; a failure is shown in the banner and the app carries on."""
        if choice == "camera":
            self.open_default_camera()
            return
        self.banner.hide()
        try:
            self.session.start(choice)
        except CopilotError as exc:
            self.show_problem(str(exc))
            self.video.clear("Nothing to show: the source could not be opened.")
            self._update_controls()
            return
        self.video.clear("Waiting for the first frame…" if self.session.has_video
                         else f"{self.session.label} has no video: only its sound is analysed.")
        self.setWindowTitle(f"{self.session.label} — {TITLE}")
        self.status.showMessage(f"Watching {self.session.label}")
        self._update_controls()

    def open_default_camera(self) -> None:
        cameras = camera_choices()
        if not cameras:
            self.session.stop()
            self.show_problem(NO_CAMERA_MESSAGE, kind="info")
            self.video.clear(NO_CAMERA_MESSAGE)
            self._update_controls()
            return
        self.open_choice(cameras[0][1])

    @Slot()
    def stop(self) -> None:
        self.session.stop()
        self.status.showMessage(f"Stopped {self.session.label}")
        self._update_controls()

    @Slot(str)
    def show_problem(self, message: str, kind: str = "error") -> None:
        self.banner.show_message(message, kind)

    # -- timers -----------------------------------------------------------------------
    @Slot()
    def _refresh_stats(self) -> None:
        if self.session.engine is not None and not self.session.running:
            self.session.stop()  # the file ended (or analysis failed): join the threads now
            self.status.showMessage(f"Finished {self.session.label}")
            self._update_controls()
        stats = self.session.stats()
        if stats is None:
            self.status.show_idle()
        else:
            self.status.show_stats(stats, self.session.provider)

    def _update_controls(self) -> None:
        self.toolbar.set_running(self.session.running, can_play=self.session.choice is not None)

    # -- life ---------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        self.resize(*DEFAULT_SIZE)
        if not self.remember_geometry:
            return
        settings = app_settings()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = settings.value("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.remember_geometry:
            settings = app_settings()
            settings.setValue("window/geometry", self.saveGeometry())
            settings.setValue("window/splitter", self.splitter.saveState())
            settings.sync()
        self.stats_timer.stop()
        self.video.stop()
        self.session.stop()
        super().closeEvent(event)
