"""The numbers about people in the picture (finding, confirming, recognising), read once from people.toml."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

SETTINGS_FILE = Path(__file__).with_name("people.toml")


@cache
def people_settings() -> dict[str, dict[str, Any]]:
    """The parsed file; a missing or broken file is a clear error naming it."""
    try:
        with SETTINGS_FILE.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RuntimeError(f"people settings {SETTINGS_FILE}: {exc}") from exc
