"""A voice's fingerprint: 256 numbers that are close for one speaker and apart for two.

The model is Resemblyzer's GE2E voice encoder converted to ONNX (models/MODELS.md). It
reads 40-band mel power spectra of 16 kHz audio, 25 ms windows every 10 ms, as
Resemblyzer computes them with librosa; the front end is rewritten here in numpy so the
app needs neither librosa nor PyTorch (the parity test holds the two together). The
model was trained on partial utterances of 1.6 s and returns an L2-normalised vector,
so the cosine of two embeddings is their dot product.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from copilot.capture.items import SAMPLE_RATE_HZ

MODEL_NAME = "voice_encoder"
WINDOW_SAMPLES = 400  # 25 ms analysis window
HOP_SAMPLES = 160  # 10 ms between mel frames
MEL_BANDS = 40
PARTIAL_FRAMES = 160  # 1.6 s: what the encoder was trained on
LEVEL_DBFS = -30.0  # Resemblyzer's loudness target before its mel front end
EMBEDDING_SIZE = 256


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's mel scale (librosa's default): linear to 1 kHz, logarithmic above."""
    hz = np.asarray(hz, np.float64)
    linear = hz / (200.0 / 3)
    log_step = np.log(6.4) / 27.0
    return np.where(hz >= 1000.0, 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / log_step, linear)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, np.float64)
    log_step = np.log(6.4) / 27.0
    return np.where(mel >= 15.0, 1000.0 * np.exp(log_step * (mel - 15.0)), mel * (200.0 / 3))


def mel_filters() -> np.ndarray:
    """(MEL_BANDS, WINDOW_SAMPLES // 2 + 1) triangles, area-normalised (librosa's norm="slaney")."""
    bins = np.linspace(0.0, SAMPLE_RATE_HZ / 2, WINDOW_SAMPLES // 2 + 1)
    edges = _mel_to_hz(np.linspace(_hz_to_mel(0.0), _hz_to_mel(SAMPLE_RATE_HZ / 2), MEL_BANDS + 2))
    widths = np.diff(edges)
    ramps = edges[:, None] - bins[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return weights.astype(np.float32)


_FILTERS = mel_filters()
# Each band's triangle spans a few FFT bins: the bands are summed over those bins alone. A dense
# (frames x 201) @ (201 x 40) product goes to BLAS, whose threads, on two busy cores, took
# 10-17 ms for what this does in a fraction of a millisecond.
_BAND_BINS = [np.flatnonzero(row) for row in _FILTERS]
_BINS = np.concatenate(_BAND_BINS)
_BIN_WEIGHTS = np.concatenate([row[bins] for row, bins in zip(_FILTERS, _BAND_BINS, strict=True)])
_BAND_STARTS = np.cumsum([0] + [len(bins) for bins in _BAND_BINS[:-1]])
_WINDOW = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(WINDOW_SAMPLES) / WINDOW_SAMPLES)).astype(np.float32)


def mel_frames(samples: np.ndarray) -> np.ndarray:
    """(frames, 40) mel power, a frame centred on every 10 ms (zeros beyond both ends)."""
    x = np.asarray(samples, np.float32)
    half = WINDOW_SAMPLES // 2
    padded = np.pad(x, (half, half))
    count = 1 + len(x) // HOP_SAMPLES
    frames = np.lib.stride_tricks.sliding_window_view(padded, WINDOW_SAMPLES)[::HOP_SAMPLES][:count]
    spectrum = np.fft.rfft(frames * _WINDOW, axis=1)
    power = (spectrum.real**2 + spectrum.imag**2).astype(np.float32)
    return np.add.reduceat(power[:, _BINS] * _BIN_WEIGHTS, _BAND_STARTS, axis=1)


def level_to_target(samples: np.ndarray) -> np.ndarray:
    """Scaled so its RMS is LEVEL_DBFS: the encoder reads power, not its log, so level matters."""
    x = np.asarray(samples, np.float32)
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0
    if rms <= 1e-6:
        return x
    return x * np.float32(10 ** (LEVEL_DBFS / 20) / rms)


def without_quiet(mels: np.ndarray, below_db: float) -> np.ndarray:
    """The frames within `below_db` of the stretch's loud ones (its 95th percentile of energy):
    the pauses between words, as Resemblyzer trims them before embedding."""
    if len(mels) == 0:
        return mels
    energy_db = 10.0 * np.log10(mels.sum(axis=1) + 1e-10)
    return mels[energy_db >= np.percentile(energy_db, 95) - below_db]


class VoiceEncoder:
    """Embeds stretches of 16 kHz audio; several of equal length go through in one call."""

    def __init__(self, model: Any | None = None) -> None:
        if model is None:
            from copilot.shipped.models import load_model

            model = load_model(MODEL_NAME)
        self.model = model

    def embed_mels(self, mels: np.ndarray) -> np.ndarray:
        """(batch, frames, 40) mel power -> (batch, 256) unit vectors."""
        return self.model.run({"mels": np.ascontiguousarray(mels, np.float32)})[0]

    def embed(self, stretches: list[np.ndarray], quiet_below_db: float | None = None) -> np.ndarray:
        """One unit vector per stretch of samples, each brought to the encoder's level first.
        With `quiet_below_db`, frames that much quieter than the stretch's loud ones are left out."""
        out = np.zeros((len(stretches), EMBEDDING_SIZE), np.float32)
        mels = [mel_frames(level_to_target(s)) for s in stretches]
        if quiet_below_db is not None:
            mels = [without_quiet(m, quiet_below_db) for m in mels]
        for frames in sorted({len(m) for m in mels}):
            rows = [i for i, m in enumerate(mels) if len(m) == frames]
            out[rows] = self.embed_mels(np.stack([mels[i] for i in rows]))
        return out
