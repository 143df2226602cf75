"""Per-tick scores as CSV (`copilot analyze --csv FILE`): one row per tick and participant.

A signal without its evidence yet has an empty cell, not a made-up number."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from copilot.engine.step import Step
from copilot.signals import SIGNALS

COLUMNS = ("t", "participant", *SIGNALS, "engagement_state")


class ScoresCsv:
    """A sink: writes every tick of the "signals" analyzer as it comes (rows stay in time order)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("w", newline="", encoding="utf-8")
        self._writer = csv.writer(self._file)
        self._writer.writerow(COLUMNS)

    def __call__(self, step: Step) -> None:
        signals = step.results.get("signals")
        for row in signals.ticks if signals is not None else ():
            self._writer.writerow([f"{row.t:.1f}", row.participant,
                                   *("" if np.isnan(v) else f"{v:.3f}" for v in row.scores), row.state])

    def close(self) -> None:
        self._file.close()
