"""The numbers about people in the picture (finding, confirming, recognising), read once from people.toml."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from copilot.shipped.resources import read_toml

SETTINGS_FILE = Path(__file__).with_name("people.toml")


@cache
def people_settings() -> dict[str, dict[str, Any]]:
    """The parsed file; a missing or broken file is a clear error naming it."""
    return read_toml(SETTINGS_FILE, "people settings")
