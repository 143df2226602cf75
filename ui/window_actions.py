"""The window's commands that are not about one widget: preferences, mode and audio, the
marker, the overlay, the region picker and the settings dialog.

Kept apart from main_window.py so that the window only composes its parts. Settings
are written only when the window remembers its state (not in screenshot runs). The
actions know the window only as `ActionsWindow`, the parts of it they use, so this module
does not import the window that builds it.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from copilot.coach.rules import RuleSet, load_rules
from copilot.errors import CopilotError
from ui import preferences
from ui.banner import Banner
from ui.bridge import EngineBridge
from ui.dashboard import Dashboard
from ui.readings import clock
from ui.region_picker import RegionPicker, region_choice
from ui.screen_calibration import LOOK_MESSAGE, ScreenCalibrator, describe
from ui.session import LiveSession, SessionOptions
from ui.settings_dialog import MODE_NAMES, SettingsDialog
from ui.sources import choice_kind, microphone_choices
from ui.status_bar import EngineStatusBar
from ui.theme import apply_theme
from ui.toolbar import SourceToolBar


class ActionsWindow(Protocol):
    """The main window as the actions use it: its parts, its settings and its commands.

    It is a top-level widget too (the actions' parent, and the parent of the dialogs they
    open); the three widget methods used are listed at the end.
    """

    prefs: preferences.Preferences
    settings_problems: list[str]
    remember_geometry: bool
    toolbar: SourceToolBar
    session: LiveSession
    dashboard: Dashboard
    status: EngineStatusBar
    bridge: EngineBridge
    nudge_banner: Banner

    def open_choice(self, choice: str) -> None: ...
    def stop(self) -> None: ...
    def show_problem(self, message: str, kind: str = "error") -> None: ...
    def addAction(self, action: QAction) -> None: ...
    def hide(self) -> None: ...
    def show(self) -> None: ...


class WindowActions(QObject):
    def __init__(self, window: ActionsWindow) -> None:
        super().__init__(window)
        self.window = window
        self.picker: RegionPicker | None = None
        self.rules: RuleSet = load_rules()
        bar = window.toolbar
        bar.chosen.connect(window.open_choice)
        bar.stop_requested.connect(window.stop)
        bar.play_requested.connect(lambda: window.open_choice(window.session.choice or "camera"))
        bar.mode_changed.connect(self.set_mode)
        bar.audio_changed.connect(self.set_audio)
        bar.mark_requested.connect(self.mark)
        bar.overlay_action.toggled.connect(self.show_overlay)
        bar.region_requested.connect(self.pick_region)
        bar.settings_requested.connect(self.open_settings)
        bar.review_requested.connect(self.open_review)
        self.review = None  # the review window, kept once opened (see open_review_window)
        self.calibrator: ScreenCalibrator | None = None  # while "Calibrate screen position" runs
        window.addAction(bar.start_stop)  # a shortcut only, with no button of its own

    @property
    def prefs(self) -> preferences.Preferences:
        return self.window.prefs

    def apply_preferences(self) -> None:
        """Puts the settings into effect: theme, mode, audio, rules; reports what was wrong."""
        prefs, bar = self.prefs, self.window.toolbar
        apply_theme(prefs.theme, [self.window.dashboard.timeline.plot])
        bar.blockSignals(True)
        bar.set_mode(prefs.mode)
        bar.microphone, bar.system_audio = prefs.microphone, prefs.system_audio
        bar.blockSignals(False)
        self.window.dashboard.sound = prefs.nudge_sound
        self.rules = load_rules(prefs.nudge_rules_file or None, prefs.rules)
        problems = list(self.window.settings_problems) + ([self.rules.problem] if self.rules.problem else [])
        not_published = self.apply_publishing()
        problems += [not_published] if not_published else []
        if problems:
            self.window.show_problem(" · ".join(problems), kind="settings")

    def apply_publishing(self) -> str | None:
        """Starts or stops publishing the live session as the settings say (a changed port
        restarts it); returns the line saying why it could not start, if it could not."""
        session, prefs = self.window.session, self.prefs
        publisher = session.publisher
        if publisher is not None and (not prefs.publish_live or publisher.wanted_port != prefs.publish_port):
            session.publisher = None
            publisher.stop()
            publisher = None
        if prefs.publish_live and publisher is None:
            from copilot.serve.auth import stored_token  # the server's libraries load only when asked for
            from copilot.serve.limits import load_limits
            from copilot.serve.publisher import Publisher

            try:
                publisher = Publisher(prefs.publish_port, stored_token(), load_limits())
            except (CopilotError, OSError) as exc:
                return f"the live session is not published: {exc}"
            publisher.start()
            session.publisher = publisher
            self.window.status.showMessage(f"Publishing the live session on {publisher.url}")
        return None

    def session_options(self) -> SessionOptions:
        direction = self.prefs.screen_direction
        return SessionOptions(self.prefs.mode, self.prefs.microphone, self.prefs.system_audio, self.rules,
                              keep_media=self.prefs.keep_media, words=self.prefs.transcribe,
                              screen=(float(direction[0]), float(direction[1])) if direction else None)

    def mode_name(self) -> str:
        return MODE_NAMES[self.prefs.mode]

    def save(self, *, say: bool = True) -> str | None:
        """Saves the settings. One that cannot be saved (a read-only folder, a file it could not
        read) is a line naming the file and the reason, shown unless `say` is off, and returned;
        the change holds until the app closes."""
        if not self.window.remember_geometry:
            return None
        try:
            preferences.save(self.prefs)
        except OSError as exc:
            where = exc.filename or preferences.settings_path()
            problem = (f"{where}: cannot save the settings ({exc.strerror or exc}); "
                       "changes last until the app closes")
            if say:
                self.window.show_problem(problem, kind="settings")
            return problem
        return None

    def remember_source(self, choice: str) -> str | None:
        """Keeps `choice` for the next start; returns what kept it from being saved, for the
        caller to say beside its own notices (the banner shows one message)."""
        if self.prefs.video_source != choice:
            self.prefs.video_source = choice
            return self.save(say=False)
        return None

    def set_mode(self, mode: str) -> None:
        self.prefs.mode = mode
        self.save()
        if self.window.session.running:
            self.window.status.showMessage(f"{MODE_NAMES[mode]} mode: applies when a source starts")

    def set_audio(self, microphone: str, system_audio: bool) -> None:
        self.prefs.microphone, self.prefs.system_audio = microphone, system_audio
        self.save()
        self.window.status.showMessage("Audio: applies when a camera or screen starts")

    def mark(self) -> None:
        """Drops a marker at the newest analysed moment, in the recording and the feed."""
        t = self.window.dashboard.t
        label = f"marked at {clock(t)}"
        recorded = self.window.session.add_marker(t, label)
        self.window.dashboard.feed.add_marker(t, label)
        self.window.status.showMessage(f"Marked {clock(t)}" + ("" if recorded else " (not recorded)"))

    def show_overlay(self, visible: bool) -> None:
        overlay = self.window.dashboard.overlay
        if visible:
            overlay.place_near(self.window)
            overlay.show()
            self.window.dashboard.mark_dirty()
        else:
            overlay.hide()

    def pick_region(self) -> None:
        """Hides the window, lets the user drag over the call window, then watches that region."""
        self.picker = RegionPicker()
        self.picker.picked.connect(lambda rect: self._picked(region_choice(rect)))
        self.picker.cancelled.connect(lambda: self._picked(None))
        self.window.hide()
        self.picker.show()
        self.picker.activateWindow()

    def _picked(self, choice: str | None) -> None:
        self.picker = None
        self.window.show()
        if choice is not None:
            self.window.open_choice(choice)

    def open_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self.prefs, self.rules, microphone_choices(), self.window)
        dialog.accepted.connect(lambda: self._settings_accepted(dialog))
        dialog.open()  # window-modal, without a nested event loop
        return dialog

    def _settings_accepted(self, dialog: SettingsDialog) -> None:
        self.window.prefs = dialog.result_preferences()
        self.window.settings_problems = []
        self.save()
        self.apply_preferences()
        if dialog.calibrate_requested:
            self.calibrate_screen()

    def calibrate_screen(self) -> None:
        """Records where the user's screen is from their own face: opens the camera unless it runs."""
        session = self.window.session
        if not (session.running and choice_kind(session.choice or "") == "camera"):
            self.window.open_choice("camera")
            if not session.running:
                return  # the window already said why
        self.start_calibration()

    def start_calibration(self) -> None:
        """Watches the running source's biggest face for the calibration's span (afresh, if one
        was under way: its run may have ended before the span did)."""
        if self.calibrator is not None:
            self.calibrator.cancel()
        self.calibrator = ScreenCalibrator(self.window.bridge, self)
        self.calibrator.finished.connect(self._calibrated)
        self.window.nudge_banner.show_message(LOOK_MESSAGE, "nudge")

    def _calibrated(self, direction: tuple[float, float] | None) -> None:
        self.calibrator = None
        self.window.nudge_banner.hide()
        if direction is None:
            self.window.show_problem("Screen position not calibrated: your face was not seen clearly "
                                     "enough. Face the camera and try again.", kind="info")
            return
        self.prefs.screen_direction = [direction[0], direction[1]]
        self.save()
        self.window.status.showMessage(f"Screen position {describe(direction)}; "
                                       "applies when the camera starts next")

    def open_review(self) -> None:
        """Opens the review window on the session database, or brings it back up to date."""
        from ui.review_window import open_review_window

        if self.review is None:
            self.review = open_review_window(self.window)
        else:
            self.review.reload()
            self.review.show()
            self.review.raise_()
