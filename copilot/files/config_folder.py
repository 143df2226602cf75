"""The user's config folder: the one place its path is decided.

The app's settings (ui/preferences.py) and the local API's key (copilot/serve/auth.py) live
there. MEETING_COPILOT_SETTINGS_DIR, or `redirect`, moves it, so tests and screenshot runs
never read or write the user's real files.
"""

from __future__ import annotations

import os
from pathlib import Path

SETTINGS_DIR_ENV = "MEETING_COPILOT_SETTINGS_DIR"

_redirected: Path | None = None


def redirect(folder: str | os.PathLike[str]) -> None:
    """Keep this process's config files under `folder` (tests, screenshot runs)."""
    global _redirected
    _redirected = Path(folder)


def settings_dir() -> Path:
    if _redirected is not None:
        return _redirected
    override = os.environ.get(SETTINGS_DIR_ENV)
    if override:
        return Path(override)
    from platformdirs import user_config_dir

    return Path(user_config_dir("Meeting Copilot", appauthor=False))
