"""The face cues' numbers, read once from face_cues.toml beside this module."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from copilot.shipped.resources import read_toml

SETTINGS_FILE = Path(__file__).with_name("face_cues.toml")


@cache
def settings() -> dict[str, dict[str, Any]]:
    """The parsed file; a missing or broken file is a clear error naming it."""
    return read_toml(SETTINGS_FILE, "face cue settings")
