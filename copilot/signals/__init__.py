"""The signal engine: cues over time -> twelve signal scores, events, engagement, quality.

This package's import is light on purpose (the app's panel imports the names): the
analyzer and its numpy work live in `copilot.signals.analyzer`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

DEFINITIONS_PATH = Path(__file__).with_name("definitions.toml")
GROUPS = ("positive", "attention", "tension")


class SignalsConfigError(ValueError):
    """A signals data file is missing, does not parse, or names something unknown."""


@dataclass(frozen=True, slots=True)
class SignalDefinition:
    name: str
    group: str
    definition: str
    colour: str  # "#rrggbb"


def _load_definitions() -> dict[str, SignalDefinition]:
    try:
        raw = tomllib.loads(DEFINITIONS_PATH.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SignalsConfigError(f"{DEFINITIONS_PATH}: {exc}") from exc
    out = {}
    for name, entry in raw.items():
        group, text, colour = entry.get("group"), entry.get("definition"), entry.get("colour")
        if group not in GROUPS or not isinstance(text, str) or not text.strip():
            raise SignalsConfigError(f"{DEFINITIONS_PATH}: [{name}] needs group (one of "
                                     f"{', '.join(GROUPS)}) and a definition")
        if not isinstance(colour, str) or not re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
            raise SignalsConfigError(f"{DEFINITIONS_PATH}: [{name}] needs a colour written as #rrggbb")
        out[name] = SignalDefinition(name, group, text.strip(), colour)
    if len(out) != 12:
        raise SignalsConfigError(f"{DEFINITIONS_PATH}: expected the twelve signals, found {len(out)}")
    return out


DEFINITIONS = _load_definitions()
SIGNALS: tuple[str, ...] = tuple(DEFINITIONS)  # the one list of signal names, in display order
SIGNAL_GROUPS: dict[str, tuple[str, ...]] = {
    group: tuple(n for n, d in DEFINITIONS.items() if d.group == group) for group in GROUPS}
