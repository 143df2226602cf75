"""Nods and shakes from head angles alone: the whole published range found, and look-alikes not.

These feed the detector angle series directly (30 fps, with a degree of pose-reading
jitter), so each rule of copilot/vision/cues/head_gestures.py is tested in isolation
from the face pipeline; tests/test_behaviour_sweep.py does the same through rendered
faces.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from copilot.vision.cues.head_gestures import HeadGesture, SwingRules
from copilot.vision.cues.settings import settings

FPS = 30.0
JITTER_DEG = 0.3  # the pose reading's frame-to-frame noise on a still head, about this (1 sigma)


def _detect(pitch: np.ndarray, yaw: np.ndarray, speaking: bool = False) -> list:
    rules = SwingRules.from_settings(settings()["nod"])
    nods, shakes = HeadGesture("nod", rules), HeadGesture("head_shake", rules)
    events = []
    for k, (p, y) in enumerate(zip(pitch, yaw, strict=True)):
        t = k / FPS
        events += nods.update(p, y, t, "p1", speaking) + shakes.update(y, p, t, "p1", speaking)
    return events + nods.flush("p1") + shakes.flush("p1")


def _jitter(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, JITTER_DEG, n)


def _with_still(wave: np.ndarray, seed: int = 0) -> np.ndarray:
    still = np.zeros(int(FPS))
    series = np.concatenate([still, wave, still, still])
    return series + _jitter(len(series), seed)


def _oscillation(amplitude: float, half_swing_s: float, cycles: float = 2.0) -> np.ndarray:
    t = np.arange(round(2 * cycles * half_swing_s * FPS)) / FPS
    return amplitude * np.sin(math.pi * t / half_swing_s)


RANGE = [(half, amp) for half in (0.15, 0.3, 0.6, 1.2) for amp in (3, 10, 20, 35)
         if math.pi * amp / half <= 500]  # faster than 500 deg/s is beyond a human head


@pytest.mark.parametrize(("half_swing_s", "amplitude"), RANGE)
@pytest.mark.parametrize("kind", ["nod", "head_shake"])
def test_every_tempo_and_size_in_the_range_is_found(kind, half_swing_s, amplitude):
    wave = _with_still(_oscillation(amplitude, half_swing_s), seed=int(amplitude * 10 + half_swing_s * 100))
    other = _jitter(len(wave), 99)
    pitch, yaw = (wave, other) if kind == "nod" else (other, wave)
    events = _detect(pitch, yaw)
    assert [e.kind for e in events] == [kind], events
    assert events[0].count >= 2


def test_a_run_whose_later_swings_shrink_is_one_nod():
    """Later cycles of a nod are smaller, the last smaller still (Mori, Den & Jokinen 2025)."""
    t = np.arange(int(2.4 * FPS)) / FPS
    wave = 15 * np.exp(-t / 1.5) * np.sin(2 * math.pi * t / 0.6)
    events = _detect(_with_still(wave), _jitter(len(_with_still(wave)), 5))
    assert [e.kind for e in events] == ["nod"]


def _negative(yaw: np.ndarray | None = None, pitch: np.ndarray | None = None, seed: int = 3) -> list:
    n = len(yaw if yaw is not None else pitch)
    yaw = (yaw if yaw is not None else np.zeros(n)) + _jitter(n, seed)
    pitch = (pitch if pitch is not None else np.zeros(n)) + _jitter(n, seed + 1)
    return _detect(pitch, yaw)


def _keys(points: list[tuple[float, float]], seconds: float) -> np.ndarray:
    """A smooth path through (time, angle) key points, eased in and out between them."""
    t = np.arange(int(seconds * FPS)) / FPS
    times, angles = zip(*points, strict=True)
    out = np.empty_like(t)
    for k, now in enumerate(t):
        i = min(max(np.searchsorted(times, now) - 1, 0), len(times) - 2)
        x = min(max((now - times[i]) / (times[i + 1] - times[i]), 0.0), 1.0)
        out[k] = angles[i] + (angles[i + 1] - angles[i]) * (0.5 - 0.5 * math.cos(math.pi * x))
    return out


def test_turning_to_look_at_something_and_back_is_no_shake():
    # 30 degrees aside in 0.4 s, 1.5 s there, back; then the other side
    yaw = _keys([(0, 0), (1, 0), (1.4, 30), (2.9, 30), (3.3, 0), (4.5, 0), (4.9, -30), (6.4, -30),
                 (6.8, 0), (8, 0)], 8)
    assert _negative(yaw=yaw) == []


def test_looking_round_the_room_is_no_shake():
    # left, a moment there, right, a moment there, back to the middle: three turns with stays
    yaw = _keys([(0, 0), (1, 0), (1.6, -25), (2.4, -25), (3.2, 25), (4.0, 25), (4.6, 0), (6, 0)], 6)
    assert _negative(yaw=yaw) == []


def test_slow_turns_from_side_to_side_are_no_shake():
    t = np.arange(int(13 * FPS)) / FPS
    assert _negative(yaw=20 * np.sin(2 * math.pi * t / 6.0)) == []


def test_single_glances_are_no_shake():
    yaw = _keys([(0, 0), (1, 0), (1.5, 20), (2, 0), (4, 0), (4.5, -20), (5, 0), (7, 0)], 7)
    assert _negative(yaw=yaw) == []


def test_looking_down_at_notes_and_up_again_is_no_nod():
    pitch = _keys([(0, 0), (1, 0), (1.3, -20), (2.3, -20), (2.6, 0), (3.6, 0), (3.9, -20), (4.9, -20),
                   (5.2, 0), (6.5, 0)], 6.5)
    assert _negative(pitch=pitch) == []


def test_the_jolts_of_a_talking_head_are_no_nod():
    """Speech moves the head in quick jolts with slow drifts between (a step, then a creep back)."""
    rng = np.random.default_rng(11)
    pitch, level = [], 0.0
    while len(pitch) < 12 * FPS:
        jolt = rng.uniform(2.5, 4.5) * rng.choice([-1, 1])
        pitch += list(np.linspace(level, level + jolt, 3))  # 0.1 s: a quick jolt
        level += jolt
        creep = int(rng.uniform(0.5, 1.0) * FPS)
        back = level * rng.uniform(0.6, 1.0)
        pitch += list(level - back * np.linspace(0, 1, creep) ** 2)  # easing slowly back
        level -= back
    assert _negative(pitch=np.array(pitch[: int(12 * FPS)])) == []


def test_a_staircase_of_small_turns_is_no_shake():
    yaw = _keys([(0, 0), (1, 0), (1.3, 8), (1.6, 6), (1.9, 14), (2.2, 12), (2.5, 20), (2.8, 18), (4, 18)], 4)
    assert _negative(yaw=yaw) == []


def test_a_picture_that_jumps_between_frames_is_no_gesture():
    """A cut or a stuttering video moves the reading by whole degrees from one frame to the next."""
    yaw = np.repeat([0, 12, 0, 12, 0, 12, 0], int(0.3 * FPS)).astype(float)
    assert _negative(yaw=yaw) == []


def test_a_diagonal_sway_is_neither_nod_nor_shake():
    wave = _oscillation(10, 0.4)
    events = _detect(_with_still(wave, 1), _with_still(wave, 2))
    assert events == []


def test_a_still_head_with_jitter_is_no_gesture():
    n = int(20 * FPS)
    assert _negative(yaw=np.zeros(n), pitch=np.zeros(n)) == []


def test_narrow_swings_while_talking_are_the_speech_moving_the_head_and_wide_ones_are_nods():
    """The head moves with speech, in quick beats and slower emphatic bobs: while the mouth moves,
    a swing narrower than [nod] speech_swing_max_deg is such movement, quick or slow. The same
    swings on a silent face are a nod; wide ones count either way."""
    limit = settings()["nod"]["speech_swing_max_deg"]
    for seed, (amplitude, half_swing_s) in enumerate([(2.5, 0.125), (0.4 * limit, 0.6)]):
        narrow = _with_still(_oscillation(amplitude, half_swing_s, cycles=3), seed=7 + seed)
        other = _jitter(len(narrow), 20 + seed)
        assert _detect(narrow, other, speaking=True) == [], (amplitude, half_swing_s)
        assert [e.kind for e in _detect(narrow, other, speaking=False)] == ["nod"], (amplitude, half_swing_s)
    wide = _with_still(_oscillation(0.6 * limit, 0.3), seed=9)
    assert [e.kind for e in _detect(wide, _jitter(len(wide), 10), speaking=True)] == ["nod"]
