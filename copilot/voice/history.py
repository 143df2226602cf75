"""The last half minute of one channel's hop features, addressable by absolute hop number."""

from __future__ import annotations

import numpy as np

from copilot.capture.items import SAMPLE_RATE_HZ
from copilot.voice.frames import HOP, HopFeatures

HOP_S = HOP / SAMPLE_RATE_HZ
CAPACITY_HOPS = 2048  # ~33 s: longer utterances are measured on their last 33 s
FIELDS = ("f0_hz", "periodicity", "loudness_db", "nucleus_db", "flux_db", "flatness")


class HopHistory:
    """A ring of per-hop values; hop h covers [t0 + h*HOP_S, t0 + (h+1)*HOP_S)."""

    def __init__(self, t0: float) -> None:
        self.t0 = t0
        self.count = 0  # hops written so far
        self._data = {name: np.zeros(CAPACITY_HOPS, np.float32) for name in FIELDS}
        self._last_bands: np.ndarray | None = None

    def add(self, hops: HopFeatures) -> None:
        n = len(hops.f0_hz)
        previous = hops.bands_db[:1] if self._last_bands is None else self._last_bands[None]
        steps = np.diff(np.concatenate([previous, hops.bands_db]), axis=0)
        # Spectral change per hop, only over bands with energy, so silence does not look "stable".
        flux = np.mean(np.abs(steps), axis=1)
        self._last_bands = hops.bands_db[-1].copy()
        where = (self.count + np.arange(n)) % CAPACITY_HOPS
        values = (hops.f0_hz, hops.periodicity, hops.loudness_db, hops.nucleus_db, flux, hops.flatness)
        for name, value in zip(FIELDS, values, strict=True):
            self._data[name][where] = value
        self.count += n

    def hop_at(self, t: float) -> int:
        return int(np.floor((t - self.t0) / HOP_S + 1e-6))

    def time_of(self, hop: int) -> float:
        return self.t0 + hop * HOP_S

    def span(self, first: int, end: int) -> dict[str, np.ndarray]:
        """Values of hops first..end-1 that are still held (older ones are dropped)."""
        first = max(first, self.count - CAPACITY_HOPS, 0)
        end = min(end, self.count)
        where = np.arange(first, max(first, end)) % CAPACITY_HOPS
        return {name: self._data[name][where] for name in FIELDS}

    def latest(self, name: str) -> float:
        return float(self._data[name][(self.count - 1) % CAPACITY_HOPS]) if self.count else float("nan")
