"""Laughter in one channel's sound: a run of brief, deeply separated, evenly spaced calls.

Speech and laughter both pulse at 4-5 a second, so the detector does not ask for a
rhythm alone. It finds calls as deep peaks of the vowel-band loudness (a zigzag with a
large reversal), and calls a bout a laugh when there are enough of them, evenly spaced,
each with a short loud core and a deep gap between them: a "ha" is a brief burst of
breath or voice with a breathy "h" or silence after it, where a syllable's vowel is long
and consonants keep the level up around it. Voicing is not required: many laughs are
unvoiced (Bachorowski et al. 2001). The numbers and their sources are in laughter.toml.

Causal: a bout is reported when no further call has come within the longest interval,
so a laugh is known about 0.4 s after its last call.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from copilot.shipped.resources import read_toml
from copilot.voice.cues import VoiceEvent
from copilot.voice.frames import HopFeatures
from copilot.voice.gate import FLOOR_RISE_DB_PER_S
from copilot.voice.history import HOP_S

SETTINGS_FILE = Path(__file__).with_name("laughter.toml")
CONTEXT_HOPS = 64  # ~1 s of envelope kept to measure a call's core on both sides of its peak


@cache
def settings() -> dict[str, dict[str, Any]]:
    """The parsed laughter.toml; a missing or broken file is a clear error naming it."""
    return read_toml(SETTINGS_FILE, "laughter settings")


@dataclass(slots=True)
class Call:
    hop: int  # of the peak
    level_db: float
    low_before_db: float  # the envelope's low between the previous call and this one
    core_first: int  # first and last hop within core_db of the peak
    core_last: int
    bands_db: np.ndarray  # the coarse spectrum at the peak, for how alike the calls sound


@dataclass
class LaughterWatch:
    """One channel's laughter detector, fed every hop's vowel-band loudness in order."""

    channel: str
    t0: float
    cfg: dict[str, dict[str, Any]] = field(default_factory=settings)
    _hops: int = 0
    _raw: deque = field(default_factory=deque)
    _envelope: deque = field(default_factory=lambda: deque(maxlen=CONTEXT_HOPS))  # (hop, dB)
    _spectra: deque = field(default_factory=lambda: deque(maxlen=CONTEXT_HOPS))  # band dB per hop
    _rising: bool = True
    _extreme: tuple[int, float] | None = None  # the peak (rising) or low (falling) so far
    _low_db: float = np.inf  # the low before the peak being climbed
    _low_hop: int = 0  # ... and where it was
    _bout: list[Call] = field(default_factory=list)
    _floor_db: float = -60.0  # the noise floor, followed per hop as the speech gate follows it

    def add(self, hops: HopFeatures) -> list[VoiceEvent]:
        """New hops, in order. Each is judged on its own floor, so how audio is cut into steps
        does not change what is found."""
        events: list[VoiceEvent] = []
        width = int(self.cfg["envelope"]["smoothing_hops"])
        rise = FLOOR_RISE_DB_PER_S * HOP_S
        for value, bands, loudness in zip(np.asarray(hops.nucleus_db, np.float64), hops.bands_db,
                                          hops.loudness_db.tolist(), strict=True):
            self._floor_db = loudness if loudness < self._floor_db else self._floor_db + rise
            self._spectra.append(bands)
            self._raw.append(float(value))
            if len(self._raw) > width:
                self._raw.popleft()
            hop = self._hops - (len(self._raw) - 1) // 2  # a centred mean, one hop late
            self._hops += 1
            events += self._step(hop, sum(self._raw) / len(self._raw), self._floor_db)
        return events

    def _step(self, hop: int, level: float, floor_db: float) -> list[VoiceEvent]:
        reversal = self.cfg["envelope"]["reversal_db"]
        self._envelope.append((hop, level))
        events = []
        if self._bout and (hop - self._bout[-1].hop) * HOP_S > self.cfg["calls"]["max_interval_s"]:
            events += self.flush()
        if self._extreme is None:
            self._extreme, self._low_db, self._low_hop = (hop, level), level, hop
        elif self._rising:
            if level > self._extreme[1]:
                self._extreme = (hop, level)
            elif self._extreme[1] - level >= reversal:
                peak_hop, peak = self._extreme
                audible = peak >= floor_db + self.cfg["envelope"]["above_floor_db"]
                if peak - self._low_db >= reversal and audible:
                    events += self._call(peak_hop, peak)
                self._rising, self._extreme = False, (hop, level)
        elif level < self._extreme[1]:
            self._extreme = (hop, level)
        elif level - self._extreme[1] >= reversal:
            self._low_hop, self._low_db = self._extreme
            self._rising, self._extreme = True, (hop, level)
        return events

    def decided_until(self) -> float:
        """The time before which every laugh this watch will report has been reported: a laugh
        reported later starts at a call still to come or in the bout now gathering. A bout starts
        at its first call's core; a call not yet confirmed has its core after the low its climb
        began from (a core lies within core_db of its peak, the low reversal_db below it), or
        after the low still to come while the level falls. Nothing heard yet: nothing decided."""
        if self._extreme is None:
            return self.t0
        if self._bout:
            hop = self._bout[0].core_first
        else:
            hop = self._low_hop + 1 if self._rising else self._extreme[0]
        return self.t0 + hop * HOP_S

    def _call(self, peak_hop: int, peak: float) -> list[VoiceEvent]:
        """A confirmed peak: measure its core and add it to the bout (or start a new bout)."""
        threshold = peak - self.cfg["calls"]["core_db"]
        first = last = peak_hop
        for hop, level in reversed(self._envelope):
            if hop < peak_hop and level <= threshold:
                first = hop + 1
                break
        else:
            first = self._envelope[0][0]
        for hop, level in self._envelope:
            if hop > peak_hop and level <= threshold:
                last = hop - 1
                break
        spectrum = self._spectra[len(self._spectra) - (self._hops - peak_hop)]
        call = Call(peak_hop, peak, self._low_db, first, last, spectrum)
        events = []
        if self._bout:
            gap_s = (peak_hop - self._bout[-1].hop) * HOP_S
            if not self.cfg["calls"]["min_interval_s"] <= gap_s <= self.cfg["calls"]["max_interval_s"]:
                events = self.flush()
        self._bout.append(call)
        return events

    def flush(self) -> list[VoiceEvent]:
        """Ends the bout under way: a laughter event if it sounded like one."""
        calls, self._bout = self._bout, []
        found = judge(calls, self.cfg)
        if found is None:
            return []
        first, last = calls[0], calls[-1]
        return [VoiceEvent("laughter", self.channel, self.t0 + first.core_first * HOP_S,
                           self.t0 + (last.core_last + 1) * HOP_S, found)]


def judge(calls: list[Call], cfg: dict[str, dict[str, Any]]) -> dict[str, object] | None:
    """The bout's measures when its calls make a laugh, else None."""
    if len(calls) < cfg["bout"]["min_calls"]:
        return None
    peaks = np.array([c.hop for c in calls]) * HOP_S
    intervals = np.diff(peaks)
    spread = float(intervals.std() / intervals.mean())
    core_s = float(np.median([(c.core_last - c.core_first + 1) * HOP_S for c in calls]))
    depth = float(np.median([min(a.level_db, b.level_db) - b.low_before_db
                             for a, b in itertools.pairwise(calls)]))
    if spread > cfg["bout"]["max_interval_cv"] or core_s > cfg["calls"]["max_core_s"]:
        return None
    if depth < cfg["calls"]["min_depth_db"]:
        return None
    alike = float(np.median([
        _likeness(a.bands_db, b.bands_db)
        for a, b in itertools.pairwise(calls)]))
    if alike < cfg["bout"]["min_likeness"]:
        return None
    return {"calls": len(calls), "rate_hz": round(1.0 / float(intervals.mean()), 2),
            "duration_s": round((calls[-1].core_last + 1 - calls[0].core_first) * HOP_S, 3),
            "depth_db": round(depth, 1), "core_s": round(core_s, 3), "likeness": round(alike, 2)}


def _likeness(a: np.ndarray, b: np.ndarray) -> float:
    """Correlation of two band spectra's shapes (loudness taken off): 1 for the same sound."""
    a, b = a - a.mean(), b - b.mean()
    return float(a @ b / max(float(np.linalg.norm(a) * np.linalg.norm(b)), 1e-9))
