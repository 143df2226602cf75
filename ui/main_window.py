"""The main window: toolbar, video with faces, gauges, live measures, timeline, nudge feed and
status bar.

It owns one LiveSession and is the only thing that starts or stops it. Results reach
it through the bridge's signals; engine figures are pulled on a slow timer, the
signal widgets redrawn on a display timer. Closing the window stops the engine and
every timer, so nothing outlives it.

Nothing jumps (issue 19): a nudge's banner floats over the top of the video instead of
pushing the window down, and a sound-only source shrinks the video pane to one line so
the timeline and captions get the room.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer, Slot
from PySide6.QtGui import QCloseEvent, QIcon, QResizeEvent
from PySide6.QtWidgets import QFrame, QMainWindow, QScrollArea, QSplitter, QVBoxLayout, QWidget

from copilot.coach import Nudge
from copilot.errors import CopilotError
from copilot.shipped.resources import resource_path
from ui import preferences
from ui.banner import Banner
from ui.bridge import EngineBridge, FrameView
from ui.dashboard import Dashboard
from ui.responsiveness import CpuMeter, EventLoopProbe
from ui.session import LiveSession
from ui.settings import restore_geometry, save_geometry
from ui.sources import NO_CAMERA_MESSAGE, camera_choices
from ui.status_bar import EngineStatusBar
from ui.toolbar import SourceToolBar
from ui.video_view import VideoView
from ui.window_actions import WindowActions

STATS_EVERY_MS = 500
SIGNALS_EVERY_MS = 100  # gauges, timeline, labels: 10 Hz, the signals' own rate
NUDGE_SHOWN_MS = 8000
FEED_AT_LEAST = 120  # px of the nudge feed beside the gauges and measures at the start
NUDGE_MARGIN = 10  # the floating nudge banner's gap to the video pane's edges
TITLE = "Meeting Copilot"
DEFAULT_SIZE = (1280, 800)


class MainWindow(QMainWindow):
    def __init__(self, *, remember_geometry: bool = True) -> None:
        super().__init__()
        self.remember_geometry = remember_geometry  # off for screenshots: same picture on every machine
        self.setWindowTitle(TITLE)
        self.setWindowIcon(QIcon(str(resource_path("assets", "app/icon.svg"))))
        self.prefs, self.settings_problems = preferences.load()
        self.said_record_problem: str | None = None  # said once per run, not every stats tick
        self.bridge = EngineBridge(self)
        self.session = LiveSession(self.bridge)
        self.toolbar = SourceToolBar(self)
        self.addToolBar(self.toolbar)
        central = QWidget()
        self.banner, self.nudge_banner = Banner(), Banner(central)  # the nudge's floats (see _place_nudge)
        self.video = VideoView()
        self.dashboard = Dashboard(self.video, self)
        self.signals_panel = self.dashboard.gauges
        self.left = QSplitter(Qt.Orientation.Vertical)
        self.left.addWidget(self.video)
        self.left.addWidget(self.dashboard.captions)
        self.left.addWidget(self.dashboard.timeline)
        self.left.setStretchFactor(0, 3)
        self.left.setStretchFactor(1, 0)
        self.left.setStretchFactor(2, 1)
        # the gauges and the live measures scroll together when the window is too short for both,
        # so they do not set a minimum height that a half-screen window beside a call cannot meet
        readings = QWidget()
        column = QVBoxLayout(readings)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.dashboard.gauges)
        column.addWidget(self.dashboard.measures)
        self.readings = QScrollArea()
        self.readings.setWidget(readings)
        self.readings.setWidgetResizable(True)
        self.readings.setFrameShape(QFrame.Shape.NoFrame)
        self.readings.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.readings.setMinimumWidth(readings.minimumSizeHint().width()
                                      + self.readings.verticalScrollBar().sizeHint().width())
        self.right = QSplitter(Qt.Orientation.Vertical)
        self.right.addWidget(self.readings)
        self.right.addWidget(self.dashboard.feed)
        self.right.setStretchFactor(0, 0)
        self.right.setStretchFactor(1, 1)
        # all of the gauges and measures in view at the usual size; the feed takes what is left
        self.right.setSizes([readings.sizeHint().height(), FEED_AT_LEAST])
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.left)
        self.splitter.addWidget(self.right)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        for splitter in (self.splitter, self.left):
            splitter.splitterMoved.connect(self._place_nudge)
        self.setCentralWidget(central)
        self.status = EngineStatusBar(self)
        self.setStatusBar(self.status)
        self.probe, self.cpu = EventLoopProbe(self), CpuMeter()
        self.actions = WindowActions(self)

        self.bridge.frame.connect(self.take_view)
        self.bridge.problem.connect(self.show_problem)
        self.dashboard.nudged.connect(self.show_nudge)
        self.stats_timer = self._timer(STATS_EVERY_MS, self._refresh_stats)
        self.signals_timer = self._timer(SIGNALS_EVERY_MS, self.dashboard.refresh)
        self.nudge_timer = QTimer(self)
        self.nudge_timer.setSingleShot(True)
        self.nudge_timer.timeout.connect(self.nudge_banner.hide)
        self.probe.start()
        self.resize(*DEFAULT_SIZE)
        if self.remember_geometry:
            restore_geometry(self, {"splitter": self.splitter, "left": self.left, "right": self.right})
        self.actions.apply_preferences()

    def _timer(self, every_ms: int, slot) -> QTimer:
        timer = QTimer(self)
        timer.setInterval(every_ms)
        timer.timeout.connect(slot)
        timer.start()
        return timer

    # -- what the user asks for -------------------------------------------------------
    @Slot(str)
    def open_choice(self, choice: str) -> None:
        """Starts watching `choice`; a failure is shown in the banner and the app carries on."""
        if choice == "camera":
            self.open_default_camera()
            return
        if self.banner.kind != "settings":  # the last source's notice goes; a settings problem stays
            self.banner.hide()
        self.dashboard.reset()
        self.said_record_problem = None
        options = self.actions.session_options()
        self.dashboard.captions.clear(transcribing=options.words)
        try:
            self.session.start(choice, options)
        except CopilotError as exc:
            self.show_problem(str(exc))
            self.video.set_compact(False)
            self.video.clear("Nothing to show: the source could not be opened.")
            self.setWindowTitle(TITLE)
            self.status.showMessage(f"Could not open {self.session.label}")
            self._update_controls()
            return
        not_saved = self.actions.remember_source(choice)
        notices = self.session.notices + ([not_saved] if not_saved else [])
        if notices:
            self.show_problem(" · ".join(notices), kind="info")
        self.probe.clear()
        self.video.set_compact(not self.session.has_video)
        self.video.clear("Waiting for the first frame…" if self.session.has_video else
                         f"♪  {self.session.label}: sound only — the voices are analysed, there are no faces")
        self.setWindowTitle(f"{self.session.label} — {TITLE}")
        self.status.showMessage(f"Watching {self.session.label} ({self.actions.mode_name()})")
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

    @Slot(object)
    def show_nudge(self, nudge: Nudge) -> None:
        self.nudge_banner.show_message(f"▶ {nudge.message}", "nudge")
        self._place_nudge()
        self.nudge_timer.start(NUDGE_SHOWN_MS)

    @Slot()
    def _place_nudge(self) -> None:
        """Floats the nudge banner over the top of the video pane: it covers a strip of the picture
        for a few seconds instead of pushing everything below it down and back up."""
        if not self.nudge_banner.isVisible():
            return
        top_left = self.left.mapTo(self.centralWidget(), QPoint(0, 0))
        width = max(120, self.left.width() - 2 * NUDGE_MARGIN)
        height = self.nudge_banner.heightForWidth(width)
        self.nudge_banner.setGeometry(top_left.x() + NUDGE_MARGIN, top_left.y() + NUDGE_MARGIN, width,
                                      height if height > 0 else self.nudge_banner.sizeHint().height())
        self.nudge_banner.raise_()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_nudge()

    @Slot(object)
    def take_view(self, view: FrameView) -> None:
        self.video.show_frame(view)
        self.dashboard.take(view)

    # -- timers -----------------------------------------------------------------------
    @Slot()
    def _refresh_stats(self) -> None:
        if self.session.engine is not None and not self.session.running:
            self.session.stop()  # the file ended (or analysis failed): join the threads now
            self.status.showMessage(f"Finished {self.session.label}")
            self._update_controls()
        problem = self.session.record_problem
        if problem is not None and problem != self.said_record_problem:
            self.said_record_problem = problem
            self.show_problem(f"this session is only partly recorded: {problem}", kind="info")
        self.status.show_health(self.session.stats(), self.session.provider, self.cpu.read(),
                                self.probe.p95_ms())

    def _update_controls(self) -> None:
        self.toolbar.set_running(self.session.running, can_play=self.session.choice is not None)

    # -- life ---------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if self.remember_geometry:
            save_geometry(self, {"splitter": self.splitter, "left": self.left, "right": self.right})
        for timer in (self.stats_timer, self.signals_timer, self.nudge_timer):
            timer.stop()
        self.probe.stop()
        self.video.stop()
        self.dashboard.close()
        self.session.stop()
        if self.session.publisher is not None:
            self.session.publisher.stop()
            self.session.publisher = None
        super().closeEvent(event)
