"""The pitch tracker on signals whose pitch is known by construction."""

from __future__ import annotations

import numpy as np
import pytest

from copilot.voice.frames import FRAME, HOP, analyse_frames, frames_of


def _track(x: np.ndarray):
    x = x[: len(x) // HOP * HOP].astype(np.float32)
    frames, _ = frames_of(np.zeros(FRAME - HOP, np.float32), x)
    return analyse_frames(frames)


@pytest.mark.parametrize("f0", [70.0, 110.0, 180.0, 260.0, 380.0])
def test_pitch_of_a_harmonic_tone(f0):
    t = np.arange(16000) / 16000
    tone = sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 6)) * 0.2
    hops = _track(tone)
    assert abs(np.nanmedian(hops.f0_hz) - f0) / f0 < 0.01
    assert np.mean(np.isnan(hops.f0_hz[3:])) == 0


def test_noise_and_silence_are_unvoiced():
    noise = np.random.default_rng(1).standard_normal(16000) * 0.1
    assert np.all(np.isnan(_track(noise).f0_hz))
    assert np.all(np.isnan(_track(np.zeros(16000)).f0_hz))
    assert _track(noise).flatness.mean() > 5 * _track(np.sin(np.arange(16000) * 0.05) * 0.3).flatness.mean()


def test_loudness_follows_level_in_db():
    t = np.arange(16000) / 16000
    loud, quiet = (_track(a * np.sin(2 * np.pi * 200 * t)).loudness_db[5:].mean() for a in (0.5, 0.05))
    assert abs((loud - quiet) - 20.0) < 0.5
