"""`bench_signals`: the signal engine's own cost per step, on synthetic cues (for `copilot bench`).

Synthetic, because the figure is about the engine's arithmetic, not about what a clip
shows: each participant's head sways and nods, expressions drift, and one voice
channel speaks in bursts with utterances, pauses and fillers, at 30 frames a second.
"""

from __future__ import annotations

import math
import time

from copilot.engine.step import Step
from copilot.signals.analyzer import SignalAnalyzer
from copilot.vision.cues.analyzer import FaceCueStep
from copilot.vision.cues.cues import FaceCues
from copilot.voice.cues import ConversationStats, VoiceEvent, VoiceNow, VoiceResult

FPS = 30.0


def synthetic_cues(pid: str, k: int, t: float) -> FaceCues:
    wave = math.sin(2 * math.pi * 0.2 * t + k)
    nod = 6.0 * math.sin(2 * math.pi * 2.0 * t) if int(t + k) % 5 == 0 else 0.0
    unit = 0.5 + 0.5 * wave
    return FaceCues(t, pid, True, 10 * wave, nod, 2 * wave, 0.0, 0.0, 0.1 * wave, 5 * wave, nod,
                    5 * wave, nod, abs(wave) < 0.5, wave > -0.8, 1.0, 1.0, False, unit * 0.3,
                    (1 - unit) * 0.3, 0.1, 0.05, 0.1, unit, 0.0, 0.1, 0.1, 0.05, 0.2 * unit, 0.2)


def synthetic_voice(t: float, step_s: float) -> VoiceResult:
    speaking = int(t / 3) % 2 == 0
    events = []
    if int(t / 3) != int((t - step_s) / 3) and not speaking:
        events = [VoiceEvent("utterance", "file", t - 3, t, {"duration_s": 3.0, "syllables": 12,
                                                          "speaking_rate_syl_s": 4.0, "ending": "rising"}),
                  VoiceEvent("filled_pause", "file", t - 1.5, t - 1.1, {}),
                  VoiceEvent("pause", "file", t - 6, t - 3, {"duration_s": 3.0})]
    now = VoiceNow(t, 0.9 if speaking else 0.1, speaking, 120.0 if speaking else None, -20.0, 0.5, 1.0)
    stats = ConversationStats({}, {}, {}, {}, {})
    return VoiceResult(t, {"file": now}, events, stats)


def bench_signals(participants: int = 6, seconds: float = 60.0) -> float:
    """Mean milliseconds the "signals" analyzer takes per 30 fps step with `participants` faces."""
    analyzer = SignalAnalyzer()
    pids = [f"p{k + 1}" for k in range(participants)]
    steps = []
    for n in range(int(seconds * FPS)):
        t = n / FPS
        cues = {pid: synthetic_cues(pid, k, t) for k, pid in enumerate(pids)}
        results = {"face_cues": FaceCueStep(cues), "voice": synthetic_voice(t, 1 / FPS)}
        steps.append(Step(t, None, {}, results))
    started = time.perf_counter()
    for step in steps:
        analyzer.analyze(step)
    return (time.perf_counter() - started) * 1000 / len(steps)
