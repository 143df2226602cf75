"""Where the app keeps per-machine state such as window geometry (Qt's QSettings).

Always an INI file, on every platform, so that one call (`QSettings.setPath`) can
redirect it: tests and screenshot runs point it at a temporary folder and never read
or write the user's real settings. Shareable settings (thresholds, nudge rules) will
live in a readable file of their own, not here.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings

ORGANISATION = "Meeting Copilot"
APPLICATION = "Meeting Copilot"
SETTINGS_DIR_ENV = "MEETING_COPILOT_SETTINGS_DIR"  # a folder to use instead of the user's


def redirect_settings(folder: str | os.PathLike[str]) -> None:
    """Keep this process's settings under `folder` (call before the first QSettings)."""
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, os.fspath(folder))


def redirect_settings_from_env() -> None:
    folder = os.environ.get(SETTINGS_DIR_ENV)
    if folder:
        redirect_settings(folder)


def app_settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION)
