"""Starts the desktop app: one QApplication, one main window, one source."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from copilot.shipped.resources import resource_path
from ui.main_window import MainWindow
from ui.settings import APPLICATION, ORGANISATION, redirect_settings_from_env

EXIT_SCREENSHOT_FAILED = 1
EXIT_SOURCE_FAILED = 2  # the screenshot was saved, but it shows an error instead of a source


def run_app(options: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    QApplication.setOrganizationName(ORGANISATION)
    QApplication.setApplicationName(APPLICATION)
    redirect_settings_from_env()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setWindowIcon(QIcon(str(resource_path("assets", "app/icon.svg"))))
    if options.review is not None:
        return _review(app, options)
    window = MainWindow(remember_geometry=options.screenshot is None)
    window.show()
    # Ctrl+C in the terminal, and the TERM a logout or shutdown sends, close the window the
    # normal way (stopping the engine, closing the recording and its media); the handler runs
    # at the next Python callback, which the display timer provides ~30 times a second.
    for stop in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop, lambda *_: window.close())
    if options.source:
        window.open_choice(options.source)
    else:
        window.open_default_camera()
    outcome = {"code": 0}
    if options.screenshot is not None:
        QTimer.singleShot(round(options.after * 1000),
                          lambda: _save_and_close(window, options.screenshot, outcome))
    app.exec()
    return outcome["code"]


def _review(app: QApplication, options: argparse.Namespace) -> int:
    """The review window alone, at a session's moment: what a report's time opens (copilot://)."""
    from ui.review_window import open_review_window

    window = open_review_window(None, options.database)
    outcome = {"code": 0}
    if not window.show_moment(options.review, options.at):
        print(f"copilot app: {window.problem.text()}", file=sys.stderr)
        outcome["code"] = EXIT_SOURCE_FAILED
    if options.screenshot is not None:
        QTimer.singleShot(round(options.after * 1000),
                          lambda: _save_and_close(window, options.screenshot, outcome))
    app.exec()
    return outcome["code"]


def _save_and_close(window: MainWindow, path: Path, outcome: dict[str, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(path), "PNG"):
        print(f"copilot app: cannot write the screenshot {path}", file=sys.stderr)
        outcome["code"] = EXIT_SCREENSHOT_FAILED
    elif isinstance(window, MainWindow) and window.banner.isVisible() and window.banner.kind == "error":
        print(f"copilot app: {window.banner.text.text()}", file=sys.stderr)
        outcome["code"] = EXIT_SOURCE_FAILED
    window.close()
