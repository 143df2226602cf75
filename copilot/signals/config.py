"""Loads and checks the signal model (weights.toml) and the rationale phrases (rationales.toml).

Both files are meant to be read and edited by people, so every mistake is reported
with the file, the table and key, and what is wrong, as a SignalsConfigError.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from copilot.signals import SIGNALS, SignalsConfigError
from copilot.signals.bands import BANDS_PATH, EDGES
from copilot.signals.features import FEATURE_NAMES, FEATURES

WEIGHTS_PATH = Path(__file__).with_name("weights.toml")
RATIONALES_PATH = Path(__file__).with_name("rationales.toml")


@dataclass(frozen=True)
class SignalModel:
    weights: np.ndarray  # (signals, features)
    bias: np.ndarray  # (signals,)
    tick_hz: float
    short_s: float
    long_s: float
    events: dict[str, float]  # "on" is the medium band's start (bands.toml)
    calibrated: tuple[str, ...]
    calibration: dict[str, float]
    engagement: dict[str, float]  # "enter" is the medium band's start (bands.toml)
    quality: dict[str, object]
    min_evidence_s: dict[str, float]  # signal -> seconds of evidence before it may raise an event

    @property
    def resting(self) -> np.ndarray:
        """Each signal's score when no behaviour is seen at all."""
        return 1.0 / (1.0 + np.exp(-self.bias))


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SignalsConfigError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except tomllib.TOMLDecodeError as exc:  # its message carries the line and column
        raise SignalsConfigError(f"{path}: does not parse: {exc}") from exc


def _number(path: Path, where: str, value: object, low: float = -np.inf, high: float = np.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SignalsConfigError(f"{path}: {where}: expected a number, found {value!r}")
    if not low <= value <= high:
        raise SignalsConfigError(f"{path}: {where}: {value} is outside [{low}, {high}]")
    return float(value)


def _table(path: Path, raw: dict, name: str) -> dict:
    table = raw.get(name)
    if not isinstance(table, dict):
        raise SignalsConfigError(f"{path}: missing table [{name}]")
    return table


def _numbers(path: Path, raw: dict, name: str, keys: tuple[str, ...], low: float = 0.0,
             high: float = np.inf) -> dict[str, float]:
    table = _table(path, raw, name)
    missing = [k for k in keys if k not in table]
    if missing:
        raise SignalsConfigError(f"{path}: [{name}] lacks {', '.join(missing)}")
    return {k: _number(path, f"[{name}] {k}", table[k], low, high) for k in keys}


def load_model(path: Path = WEIGHTS_PATH) -> SignalModel:
    raw = _read(path)
    windows = _numbers(path, raw, "windows", ("tick_hz", "short_s", "long_s"), 1e-3)
    if windows["short_s"] > windows["long_s"]:
        raise SignalsConfigError(f"{path}: [windows] short_s must not exceed long_s")
    for table, key in (("events", "on"), ("engagement_state", "enter")):  # one place: the bands
        if key in (raw.get(table) or {}):
            raise SignalsConfigError(f"{path}: [{table}] {key}: remove it; the medium band's start in "
                                     f"{BANDS_PATH} sets it")
    if "bands" in raw:
        raise SignalsConfigError(f"{path}: [bands]: remove it; the bands are in {BANDS_PATH}")
    events = _numbers(path, raw, "events", ("off", "min_on_s", "min_off_s", "update_every_s"))
    events["on"] = EDGES["medium"]
    if not 0 < events["off"] < events["on"] < 1:
        raise SignalsConfigError(f"{path}: [events] off must be between 0 and the medium band's start "
                                 f"({events['on']}, {BANDS_PATH}): the hysteresis")
    min_evidence = _numbers(path, _table(path, raw, "events"), "min_evidence_s", SIGNALS, 0.0,
                            windows["short_s"])
    calib_table = _table(path, raw, "calibration")
    calibrated = tuple(calib_table.get("features", ()))
    for name in calibrated:
        if name not in FEATURES:
            raise SignalsConfigError(f"{path}: [calibration] features: unknown feature {name!r}")
    calibration = _numbers(path, raw, "calibration", ("prior", "prior_s", "memory_s"))
    engagement = {**_numbers(path, raw, "engagement_state", ("dwell_s",)), "enter": EDGES["medium"]}
    signals = _table(path, raw, "signals")
    weights, bias = np.zeros((len(SIGNALS), len(FEATURE_NAMES))), np.zeros(len(SIGNALS))
    for s, name in enumerate(SIGNALS):
        table = signals.get(name)
        if not isinstance(table, dict):
            raise SignalsConfigError(f"{path}: missing table [signals.{name}]")
        for key, value in table.items():
            where = f"[signals.{name}] {key}"
            if key == "bias":
                bias[s] = _number(path, where, value)
            elif key in FEATURES:
                weights[s, FEATURE_NAMES.index(key)] = _number(path, where, value, -20, 20)
            else:
                raise SignalsConfigError(f"{path}: {where}: unknown feature (see FEATURES in "
                                         "copilot/signals/features.py)")
    extra = set(signals) - set(SIGNALS)
    if extra:
        raise SignalsConfigError(f"{path}: [signals.{sorted(extra)[0]}] is not one of the twelve signals")
    return SignalModel(weights, bias, windows["tick_hz"], windows["short_s"], windows["long_s"],
                       events, calibrated, calibration, engagement, _quality(path, raw),
                       min_evidence)


def _quality(path: Path, raw: dict) -> dict[str, object]:
    from copilot.signals.quality import DIMENSIONS

    table = _table(path, raw, "quality")
    out: dict[str, object] = {"gain": _number(path, "[quality] gain", table.get("gain"), 0),
                              "period_s": _number(path, "[quality] period_s", table.get("period_s"), 0.1)}
    for dim in DIMENSIONS:
        entry = table.get(dim)
        if not isinstance(entry, dict):
            raise SignalsConfigError(f"{path}: missing table [quality.{dim}]")
        for side in ("plus", "minus"):
            names = entry.get(side, [])
            bad = [n for n in names if n not in SIGNALS]
            if bad or not isinstance(names, list):
                raise SignalsConfigError(f"{path}: [quality.{dim}] {side}: not signals: {bad or names}")
            out[f"{dim}.{side}"] = tuple(SIGNALS.index(n) for n in names)
    return out


def load_rationales(path: Path = RATIONALES_PATH) -> dict[str, dict[str, str]]:
    from copilot.signals.rationale import EXAMPLE_TALLY

    raw = _read(path)
    for feature in FEATURES:
        entry = raw.get(feature)
        if not isinstance(entry, dict) or not {"lead", "with"} <= set(entry):
            raise SignalsConfigError(f"{path}: [{feature}] needs `lead` and `with` phrases")
        if "quoted" in entry and (entry["quoted"] not in EXAMPLE_TALLY
                                  or not {"quoted_lead", "quoted_with"} <= set(entry)):
            raise SignalsConfigError(f"{path}: [{feature}] quoted: needs a known number and "
                                     "`quoted_lead` and `quoted_with` phrases")
        for key in ("lead", "with", "quoted_lead", "quoted_with"):
            if key not in entry:
                continue
            try:
                entry[key].format(**EXAMPLE_TALLY)
            except (KeyError, IndexError, ValueError) as exc:
                raise SignalsConfigError(f"{path}: [{feature}] {key}: unknown number {exc}") from exc
        if "needs" in entry and entry["needs"] not in EXAMPLE_TALLY:
            raise SignalsConfigError(f"{path}: [{feature}] needs: unknown number {entry['needs']!r}")
    return raw


@cache
def model() -> SignalModel:
    return load_model()


@cache
def rationales() -> dict[str, dict[str, str]]:
    return load_rationales()
