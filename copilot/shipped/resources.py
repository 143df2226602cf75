"""Finds the files that ship with the app: the only place a resource path is built; and reads
the data files that sit beside their modules (thresholds, settings) one way.

The same lookup works in a source checkout (models/ and assets/ at the top of the
repository), an installed wheel (copied to copilot/_bundled/) and a PyInstaller
bundle (sys._MEIPASS/copilot/_bundled/).
"""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path
from typing import Any

_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # copilot/, this module being in copilot/shipped/
_KINDS = ("models", "assets")


def _candidates(kind: str) -> list[Path]:
    roots = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        roots.append(Path(frozen_root) / "copilot" / "_bundled")
    roots.append(_PACKAGE_DIR / "_bundled")  # installed wheel
    roots.append(_PACKAGE_DIR.parent)  # source checkout or editable install
    return [root / kind for root in roots]


def resource_dir(kind: str) -> Path:
    """The folder holding `kind` ("models" or "assets").

    COPILOT_MODELS_DIR / COPILOT_ASSETS_DIR point at another copy (tests, developers).
    """
    if kind not in _KINDS:
        raise ValueError(f"unknown resource kind {kind!r}; expected one of {_KINDS}")
    override = os.environ.get(f"COPILOT_{kind.upper()}_DIR")
    if override:
        return Path(override)
    for candidate in _candidates(kind):
        if candidate.is_dir():
            return candidate
    searched = ", ".join(str(c) for c in _candidates(kind))
    raise FileNotFoundError(f"the {kind} folder is missing from this installation (looked in {searched})")


def resource_path(kind: str, name: str) -> Path:
    """Path of one shipped file; it may not exist, callers say what it was for."""
    return resource_dir(kind) / name


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """A data file, parsed; a missing or broken one is RuntimeError("<what> <path>: <reason>"),
    a clear error naming what the file is for and where, not a traceback from deep in tomllib."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RuntimeError(f"{what} {path}: {exc}") from exc
