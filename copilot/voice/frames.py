"""Per-hop acoustics of 16 kHz mono audio: pitch, voicing, loudness and a coarse spectrum.

One vectorised pass over a block of frames, so both channels' new audio of a step
costs one FFT call. Pitch follows the YIN idea (a cumulative-mean-normalised
difference function, first dip under a threshold) because it is cheap, causal per
frame and rarely jumps an octave; the difference function comes from the frame's
autocorrelation through the same FFT whose power spectrum gives the band energies.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from copilot.capture.items import SAMPLE_RATE_HZ

HOP = 256  # samples: a 16 ms hop, two per 512-sample voice-activity window
FRAME = 640  # samples: 40 ms, enough for 2.4 periods at the lowest pitch
F0_MIN_HZ, F0_MAX_HZ = 60.0, 400.0
VOICING_THRESHOLD = 0.3  # highest normalised difference still called a period (YIN uses 0.1-0.2)
SILENCE_DB = -100.0  # loudness of digital silence, so logs stay finite
_NFFT = 1024  # >= FRAME + longest lag: the autocorrelation does not wrap
_MIN_LAG = int(SAMPLE_RATE_HZ / F0_MAX_HZ)
_MAX_LAG = int(np.ceil(SAMPLE_RATE_HZ / F0_MIN_HZ))
_BAND_EDGES_HZ = np.geomspace(100.0, 6000.0, 17)  # 16 bands, roughly like the ear's spacing
_NUCLEUS_BAND_HZ = (300.0, 2500.0)  # where vowel energy (syllable nuclei) dominates


def _band_matrix() -> np.ndarray:
    freqs = np.fft.rfftfreq(_NFFT, 1.0 / SAMPLE_RATE_HZ)
    bands = np.zeros((freqs.size, _BAND_EDGES_HZ.size - 1), np.float32)
    for i, (lo, hi) in enumerate(itertools.pairwise(_BAND_EDGES_HZ)):
        bands[(freqs >= lo) & (freqs < hi), i] = 1.0
    nucleus = ((freqs >= _NUCLEUS_BAND_HZ[0]) & (freqs < _NUCLEUS_BAND_HZ[1])).astype(np.float32)
    return np.column_stack([bands, nucleus])


_BANDS = _band_matrix()
_LAGS = np.arange(_MAX_LAG + 2, dtype=np.float32)


@dataclass(slots=True)
class HopFeatures:
    """Arrays with one entry per hop (the last HOP samples of each frame)."""

    f0_hz: np.ndarray  # NaN where unvoiced
    periodicity: np.ndarray  # 1 - the difference-function dip: ~1 for a clean vowel, ~0 for noise
    loudness_db: np.ndarray  # RMS of the hop in dB full scale
    nucleus_db: np.ndarray  # energy in 300-2500 Hz, the contour syllable nuclei stand out in
    bands_db: np.ndarray  # (n, 16) log band energies, for spectral stability
    flatness: np.ndarray  # 0 for a tonal spectrum, towards 1 for noise (breath, sighs)


def analyse_frames(frames: np.ndarray) -> HopFeatures:
    """`frames` is (n, FRAME) float32, each ending at its hop's last sample."""
    n = frames.shape[0]
    x = frames.astype(np.float32, copy=False)
    padded = np.zeros((n, _NFFT), np.float32)
    padded[:, :FRAME] = x
    spectrum = np.fft.rfft(padded, axis=1)
    power = (spectrum.real**2 + spectrum.imag**2).astype(np.float32)
    # A complex64 input keeps the inverse transform in single precision (8x faster than real input).
    autocorr = np.fft.irfft(power.astype(np.complex64), _NFFT, axis=1)[:, : _MAX_LAG + 2]
    energy = np.concatenate([np.zeros((n, 1), np.float32), np.cumsum(x * x, axis=1)], axis=1)
    lags = np.arange(_MAX_LAG + 2)
    head = energy[:, FRAME - lags]  # energy of x[0 : FRAME - lag]
    tail = energy[:, FRAME : FRAME + 1] - energy[:, lags]  # energy of x[lag : FRAME]
    diff = np.maximum(head + tail - 2.0 * autocorr, 0.0)
    running = np.cumsum(diff[:, 1:], axis=1)
    cmnd = np.ones_like(diff)
    cmnd[:, 1:] = diff[:, 1:] * _LAGS[1:] / np.maximum(running, 1e-12)
    f0, dip = _pick_period(cmnd)
    hop_power = np.mean(x[:, -HOP:] ** 2, axis=1)
    loudness = _db(hop_power)
    band_energy = power @ _BANDS / (FRAME * FRAME)
    bands_db = _db(band_energy[:, :-1])
    nucleus_db = _db(band_energy[:, -1])
    speechband = power[:, 6:384] + 1e-12  # ~100-6000 Hz
    flatness = np.exp(np.mean(np.log(speechband), axis=1)) / np.mean(speechband, axis=1)
    quiet = loudness < -60.0  # no pitch in near-silence, whatever the difference function says
    f0[quiet] = np.nan
    return HopFeatures(f0, np.where(quiet, 0.0, 1.0 - dip).astype(np.float32), loudness,
                       nucleus_db, bands_db, flatness.astype(np.float32))


def _pick_period(cmnd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first local minimum under the threshold in the allowed lag range, refined by a parabola."""
    window = cmnd[:, _MIN_LAG - 1 : _MAX_LAG + 2]
    mid = window[:, 1:-1]
    is_min = (mid <= window[:, :-2]) & (mid <= window[:, 2:]) & (mid < VOICING_THRESHOLD)
    found = is_min.any(axis=1)
    first = np.argmax(is_min, axis=1)
    rows = np.arange(cmnd.shape[0])
    lag = first + _MIN_LAG
    left, centre, right = cmnd[rows, lag - 1], cmnd[rows, lag], cmnd[rows, lag + 1]
    curvature = left - 2.0 * centre + right
    shift = np.where(curvature > 1e-9, 0.5 * (left - right) / np.maximum(curvature, 1e-9), 0.0)
    f0 = SAMPLE_RATE_HZ / (lag + np.clip(shift, -0.5, 0.5))
    best = np.where(found, centre, np.min(mid, axis=1))
    return np.where(found, f0, np.nan).astype(np.float32), np.clip(best, 0.0, 1.0).astype(np.float32)


def _db(power: np.ndarray) -> np.ndarray:
    return np.maximum(10.0 * np.log10(np.maximum(power, 1e-12)), SILENCE_DB).astype(np.float32)


def frames_of(history: np.ndarray, samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Frames ending at every complete hop of `samples`, and the tail to keep as history.

    `history` holds the FRAME - HOP samples before `samples` (zeros at the start), and
    len(samples) must be a multiple of HOP.
    """
    joined = np.concatenate([history, samples])
    count = len(samples) // HOP
    starts = np.arange(count) * HOP
    frames = np.lib.stride_tricks.sliding_window_view(joined, FRAME)[starts]
    return frames, joined[len(joined) - (FRAME - HOP):]
