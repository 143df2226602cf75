"""A ring of per-tick samples with running sums over a short and a long window.

Each tick adds one row of instant values; the sums over the last `short` and `long`
ticks are kept up to date by adding the new row and subtracting the row that falls
out, so a tick costs the same however long the windows are.
"""

from __future__ import annotations

import numpy as np


class TickRing:
    def __init__(self, width: int, short_ticks: int, long_ticks: int) -> None:
        if not 0 < short_ticks <= long_ticks:
            raise ValueError("the short window must be positive and no longer than the long one")
        self.rows = np.zeros((long_ticks, width))
        self.short, self.long = short_ticks, long_ticks
        self.short_sum = np.zeros(width)
        self.long_sum = np.zeros(width)
        self.count = 0  # ticks added so far

    def add(self, row: np.ndarray) -> None:
        i = self.count % self.long
        self.short_sum += row - self.rows[(self.count - self.short) % self.long] \
            if self.count >= self.short else row
        self.long_sum += row - self.rows[i] if self.count >= self.long else row
        self.rows[i] = row
        self.count += 1

    def short_mean(self) -> np.ndarray:
        return self.short_sum / max(1, min(self.count, self.short))

    def long_mean(self) -> np.ndarray:
        return self.long_sum / max(1, min(self.count, self.long))
