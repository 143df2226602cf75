"""Where the app keeps per-machine state such as window geometry (Qt's QSettings).

Always an INI file, on every platform, so that one call (`QSettings.setPath`) can
redirect it: tests and screenshot runs point it at a temporary folder and never read
or write the user's real settings. Shareable settings (thresholds, nudge rules) live in
a readable file of their own (ui/preferences.py).
"""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter

from copilot.files import config_folder
from copilot.files.config_folder import SETTINGS_DIR_ENV

ORGANISATION = "Meeting Copilot"
APPLICATION = "Meeting Copilot"


def redirect_settings(folder: str | os.PathLike[str]) -> None:
    """Keep this process's settings, both files, under `folder` (call before the first QSettings)."""
    config_folder.redirect(folder)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, os.fspath(folder))


def redirect_settings_from_env() -> None:
    folder = os.environ.get(SETTINGS_DIR_ENV)
    if folder:
        redirect_settings(folder)


def app_settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION)


def restore_geometry(window: QMainWindow, splitters: dict[str, QSplitter]) -> None:
    """The window's place and size and its splitters' positions, as the user left them."""
    settings = app_settings()
    geometry = settings.value("window/geometry")
    if geometry is not None:
        window.restoreGeometry(geometry)
    for name, splitter in splitters.items():
        state = settings.value(f"window/{name}")
        if state is not None:
            splitter.restoreState(state)


def save_geometry(window: QMainWindow, splitters: dict[str, QSplitter]) -> None:
    settings = app_settings()
    settings.setValue("window/geometry", window.saveGeometry())
    for name, splitter in splitters.items():
        settings.setValue(f"window/{name}", splitter.saveState())
    settings.sync()
