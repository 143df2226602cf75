"""Feeds whole recordings through the analyzer in engine-sized steps (tests, bench, `copilot cues`)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from copilot.capture.items import SAMPLE_RATE_HZ, AudioChunk
from copilot.engine.step import Step
from copilot.voice.analyzer import VoiceAnalyzer
from copilot.voice.cues import VoiceResult

STEP_S = 0.1  # the engine's step for audio-only sources


def replay(channels: dict[str, np.ndarray], analyzer: VoiceAnalyzer | None = None,
           step_s: float = STEP_S) -> Iterator[VoiceResult]:
    """One result per step, as the engine would produce for gapless audio from t=0, then the finish."""
    analyzer = analyzer or VoiceAnalyzer()
    length = max(len(s) for s in channels.values())
    step = round(step_s * SAMPLE_RATE_HZ)
    for first in range(0, length, step):
        end = min(first + step, length)
        audio = {name: AudioChunk(first / SAMPLE_RATE_HZ, s[first:end].astype(np.float32, copy=False), name)
                 for name, s in channels.items() if first < len(s)}
        yield analyzer.analyze(Step(t=end / SAMPLE_RATE_HZ, frame=None, audio=audio))
    yield analyzer.finish(length / SAMPLE_RATE_HZ)
