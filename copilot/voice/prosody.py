"""How an utterance was spoken, from its hop features: pace, pitch, ending, steadiness, fillers.

All measures are in units people use: semitones for pitch movement (so a deep and a
high voice compare), dB for loudness, syllables per second for pace.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from copilot.voice.history import HOP_S

ENDING_S = 0.35  # the end of a phrase whose pitch movement decides rising vs falling
ENDING_CHANGE_ST = 1.0  # movement over the ending (semitones) needed to call it rising or falling
NUCLEUS_DIP_DB = 2.0  # a syllable peak must stand this far above the dip before it (de Jong & Wempe)
NUCLEUS_BELOW_MAX_DB = 25.0  # peaks this far under the utterance's loudest are breath or noise
FILLER_MIN_S, FILLER_MAX_S = 0.25, 1.5  # sustained "uh"/"um"; ordinary vowels last well under 0.25 s
FILLER_SYLLABLES = 1.5  # a filler lasts longer than this many of the speaker's usual syllables
FILLER_STEP_ST = 0.6  # most pitch change between neighbouring hops inside a filler
FILLER_RANGE_ST = 3.0  # most pitch range over a whole filler
FILLER_FLUX_DB = 3.0  # most median spectral change per hop (dB): the mouth holds one shape


@dataclass(slots=True)
class Delivery:
    """Measures of one utterance; None where it had too little voiced sound to say."""

    voiced_fraction: float
    pitch_hz: float | None  # median
    pitch_range_st: float | None  # 10th to 90th percentile
    pitch_variability_st: float | None  # standard deviation
    loudness_db: float | None  # mean over voiced hops
    syllables: int
    speaking_rate_syl_s: float  # syllable nuclei per second of the utterance
    ending: str | None  # "rising", "falling" or "level"
    ending_change_st: float | None
    jitter_pct: float | None  # hop-to-hop pitch wobble around the local trend
    shimmer_db: float | None  # hop-to-hop loudness wobble around the local trend
    periodicity: float | None  # mean over voiced hops; breathy or rough voices score lower


def semitones(f0_hz: np.ndarray) -> np.ndarray:
    return 12.0 * np.log2(f0_hz / 100.0)


def delivery(hops: dict[str, np.ndarray], duration_s: float) -> Delivery:
    f0 = hops["f0_hz"]
    voiced = ~np.isnan(f0)
    count = int(voiced.sum())
    syllables = syllable_count(hops["nucleus_db"], voiced)
    rate = syllables / duration_s if duration_s > 0 else 0.0
    if count < 3:
        return Delivery(count / max(len(f0), 1), None, None, None, None, syllables, rate,
                        None, None, None, None, None)
    st = semitones(f0[voiced])
    ending, change = _ending(f0)
    jitter = shimmer = None
    triples = voiced[:-2] & voiced[1:-1] & voiced[2:]
    if triples.any():
        log_f0 = np.log(np.where(voiced, f0, 1.0))
        wobble = np.abs(log_f0[1:-1] - 0.5 * (log_f0[:-2] + log_f0[2:]))[triples]
        jitter = float(100.0 * np.median(wobble))
        level = hops["loudness_db"]
        shimmer = float(np.median(np.abs(level[1:-1] - 0.5 * (level[:-2] + level[2:]))[triples]))
    p10, p90 = np.percentile(st, [10, 90])
    return Delivery(
        voiced_fraction=count / len(f0), pitch_hz=float(np.median(f0[voiced])),
        pitch_range_st=float(p90 - p10), pitch_variability_st=float(np.std(st)),
        loudness_db=float(np.mean(hops["loudness_db"][voiced])), syllables=syllables,
        speaking_rate_syl_s=rate, ending=ending, ending_change_st=change, jitter_pct=jitter,
        shimmer_db=shimmer, periodicity=float(np.mean(hops["periodicity"][voiced])))


def _ending(f0: np.ndarray) -> tuple[str | None, float | None]:
    """Pitch change over the last ENDING_S of voiced sound, from a straight-line fit."""
    voiced = np.flatnonzero(~np.isnan(f0))
    if voiced.size < 4:
        return None, None
    last = voiced[-1]
    tail = voiced[voiced > last - ENDING_S / HOP_S]
    if tail.size < 4:
        return None, None
    slope = np.polyfit(tail * HOP_S, semitones(f0[tail]), 1)[0]
    change = float(slope * (tail[-1] - tail[0]) * HOP_S)
    if change >= ENDING_CHANGE_ST:
        return "rising", change
    if change <= -ENDING_CHANGE_ST:
        return "falling", change
    return "level", change


def syllable_count(nucleus_db: np.ndarray, voiced: np.ndarray) -> int:
    """Voiced peaks of the vowel-band loudness that stand out from the dip before them."""
    if nucleus_db.size < 3:
        return 0
    level = np.convolve(nucleus_db, np.ones(3) / 3.0, mode="same")
    top = level.max()
    peaks = np.flatnonzero((level[1:-1] > level[:-2]) & (level[1:-1] >= level[2:])) + 1
    near_voice = voiced | np.roll(voiced, 1) | np.roll(voiced, -1)
    peaks = [p for p in peaks if near_voice[p] and level[p] > top - NUCLEUS_BELOW_MAX_DB]
    kept: list[int] = []
    for peak in peaks:
        if kept and level[kept[-1]:peak + 1].min() > min(level[kept[-1]], level[peak]) - NUCLEUS_DIP_DB:
            if level[peak] > level[kept[-1]]:
                kept[-1] = peak  # one syllable: keep its higher peak
            continue
        kept.append(peak)
    return len(kept)


def filled_pauses(hops: dict[str, np.ndarray], syllable_s: float | None = None) -> list[tuple[int, int]]:
    """(first hop, end hop) of sustained, level, steady voiced stretches: "uh", "um", "er".

    A slow speaker's vowels are long too, so a filler must also outlast FILLER_SYLLABLES
    of that speaker's usual syllables (`syllable_s`, seconds per syllable) when known.
    """
    shortest_s = max(FILLER_MIN_S, FILLER_SYLLABLES * syllable_s) if syllable_s else FILLER_MIN_S
    f0 = hops["f0_hz"]
    voiced = ~np.isnan(f0)
    st = semitones(np.where(voiced, f0, 100.0))
    steady = voiced.copy()
    steady[1:] &= ~(voiced[:-1] & (np.abs(np.diff(st)) > FILLER_STEP_ST))
    found = []
    for first, end in _runs(steady, allow_gap=1):
        length_s = (end - first) * HOP_S
        inside = voiced[first:end]
        level = np.ptp(st[first:end][inside]) <= FILLER_RANGE_ST
        # per-hop spectral change is noisy (pitch periods against the frame), so judge the run's median
        flux = hops["flux_db"][first + 1 : end]
        held = flux.size > 0 and np.median(flux) <= FILLER_FLUX_DB
        if shortest_s <= length_s <= FILLER_MAX_S and level and held:
            found.append((first, end))
    return found


def _runs(flags: np.ndarray, allow_gap: int) -> list[tuple[int, int]]:
    """Runs of True that may contain up to `allow_gap` False hops in a row."""
    runs: list[tuple[int, int]] = []
    true = np.flatnonzero(flags)
    if true.size == 0:
        return runs
    breaks = np.flatnonzero(np.diff(true) > allow_gap + 1)
    starts = np.concatenate([[true[0]], true[breaks + 1]])
    ends = np.concatenate([true[breaks], [true[-1]]]) + 1
    return list(zip(starts.tolist(), ends.tolist(), strict=True))
