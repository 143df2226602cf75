"""The face cues' numbers, read once from face_cues.toml beside this module."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

SETTINGS_FILE = Path(__file__).with_name("face_cues.toml")


@cache
def settings() -> dict[str, dict[str, Any]]:
    """The parsed file; a missing or broken file is a clear error naming it."""
    try:
        with SETTINGS_FILE.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RuntimeError(f"face cue settings {SETTINGS_FILE}: {exc}") from exc
