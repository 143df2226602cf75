"""One labels file per clip: where the clip is, what a person sees in it, and the spans to score.

A labels file is TOML (see tests/scenarios/README.md for a commented example):

    clip = "shared:noddingpigeon/head_nodding.mp4"   # or a path relative to this file
    notes = "what a person sees and hears"
    complete = ["agreement"]   # signals labelled over the whole clip ("*" for all)

    [[expect]]   # the signal should fire here
    signal = "agreement"
    participant = "p1"   # optional: any participant when left out
    start = 0.5
    end = 8.5
    why = "nods all the way through"

    [[absent]]   # the signal (or "*", every signal) must not fire here
    signal = "disagreement"
    start = 0.0
    end = 9.0
    why = "no head shake anywhere"

Mistakes are reported naming the file and the key, because a typo such as `strat`
would otherwise silently drop a span from the score.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from copilot.errors import CopilotError
from copilot.result.document import SCHEMA_PATH

SHARED_PREFIX = "shared:"
SHARED_DATA_ENV = "COPILOT_SHARED_DATA"
ANY = "*"
_TOP_KEYS = {"clip", "notes", "complete", "expect", "absent"}
_SPAN_KEYS = {"signal", "participant", "start", "end", "why"}


class LabelsError(CopilotError):
    """A labels file that cannot be read or breaks the format; the message names the file and key."""


def signal_types() -> tuple[str, ...]:
    """The twelve signal names, read from the output contract so the list lives in one place."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return tuple(schema["$defs"]["signalType"]["enum"])


@dataclass(frozen=True)
class Span:
    signal: str  # one of the twelve, or ANY in an absent span
    start: float
    end: float
    why: str
    participant: str | None = None  # None: whoever it is


@dataclass
class ClipLabels:
    path: Path  # the labels file
    clip: str  # as written in the file
    notes: str
    expect: list[Span] = field(default_factory=list)
    absent: list[Span] = field(default_factory=list)
    complete: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        return self.path.stem

    def is_complete(self, signal: str) -> bool:
        """Whether every firing of `signal` outside the expected spans is a false alarm."""
        return signal in self.complete or ANY in self.complete


def shared_data_dir() -> Path:
    """The folder of third-party recordings: $COPILOT_SHARED_DATA, else the repository's sibling."""
    configured = os.environ.get(SHARED_DATA_ENV)
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3] / "shared" / "data"


def clip_path(labels: ClipLabels) -> Path:
    """Where the clip of `labels` is on this machine (it may not exist: the caller says so)."""
    if labels.clip.startswith(SHARED_PREFIX):
        return shared_data_dir() / labels.clip[len(SHARED_PREFIX):]
    return (labels.path.parent / labels.clip).resolve()


def read_labels_file(path: Path) -> dict:
    """The parsed labels file (of either kind); one line naming it when it can't be read or parsed."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LabelsError(f"cannot read labels file {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise LabelsError(f"labels file {path} is not valid TOML: {exc}") from exc


def load_labels(path: Path) -> ClipLabels:
    data = read_labels_file(path)
    where = str(path)
    _no_unknown_keys(data, _TOP_KEYS, where)
    clip = _text(data, "clip", where)
    names = set(signal_types())
    complete = data.get("complete", [])
    if not isinstance(complete, list) or any(c not in names | {ANY} for c in complete):
        raise LabelsError(f"{where}: 'complete' must be a list of signal names (or \"*\"), got {complete!r}")
    labels = ClipLabels(path, clip, _text(data, "notes", where), complete=frozenset(complete))
    for table, allowed, out in (("expect", names, labels.expect), ("absent", names | {ANY}, labels.absent)):
        entries = data.get(table, [])
        if not isinstance(entries, list):
            raise LabelsError(f"{where}: '{table}' must be an array of tables ([[{table}]])")
        for k, entry in enumerate(entries):
            out.append(_span(entry, allowed, f"{where}: {table}[{k}]"))
    return labels


def _span(entry: object, allowed: set[str], where: str) -> Span:
    if not isinstance(entry, dict):
        raise LabelsError(f"{where} must be a table")
    _no_unknown_keys(entry, _SPAN_KEYS, where)
    signal = _text(entry, "signal", where)
    if signal not in allowed:
        raise LabelsError(f"{where}: 'signal' is {signal!r}, not one of {', '.join(sorted(allowed))}")
    start, end = span_times(entry, where)
    participant = entry.get("participant")
    if participant is not None and (not isinstance(participant, str) or not participant):
        raise LabelsError(f"{where}: 'participant' must be a participant id such as \"p1\" or \"you\"")
    return Span(signal, start, end, _text(entry, "why", where), participant)


def span_times(entry: dict, where: str) -> tuple[float, float]:
    """A span's start and end in seconds; the end must come after the start."""
    start, end = _seconds(entry, "start", where), _seconds(entry, "end", where)
    if end <= start:
        raise LabelsError(f"{where}: 'end' ({end}) must be after 'start' ({start})")
    return start, end


def _no_unknown_keys(table: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        known = ", ".join(sorted(allowed))
        raise LabelsError(f"{where}: unknown key {unknown[0]!r} (expected one of {known})")


def _text(table: dict, key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise LabelsError(f"{where}: '{key}' is missing or not a non-empty string")
    return value


def _seconds(table: dict, key: str, where: str) -> float:
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise LabelsError(f"{where}: '{key}' must be a number of seconds >= 0, got {value!r}")
    return float(value)
