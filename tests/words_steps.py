"""Runs audio through voice -> words -> signals in engine-sized steps, as the engine would."""

from __future__ import annotations

import numpy as np

from copilot.capture.items import SAMPLE_RATE_HZ, AudioChunk
from copilot.engine.step import Step

STEP_S = 0.1


def run_words(samples: np.ndarray, *, words: bool = True, channel: str = "file") -> list[Step]:
    from copilot.signals.analyzer import SignalAnalyzer
    from copilot.voice.analyzer import VoiceAnalyzer
    from copilot.words.analyzer import WordsAnalyzer

    analyzers = [VoiceAnalyzer(), *([WordsAnalyzer()] if words else []), SignalAnalyzer()]
    hop, n, steps = round(STEP_S * SAMPLE_RATE_HZ), len(samples), []
    try:
        for first in [*range(0, n, hop), None]:
            if first is None:  # the engine's last step: what is still open closes
                step = Step(t=n / SAMPLE_RATE_HZ, frame=None, audio={}, final=True)
            else:
                end = min(first + hop, n)
                chunk = AudioChunk(first / SAMPLE_RATE_HZ, samples[first:end].astype(np.float32), channel)
                step = Step(t=end / SAMPLE_RATE_HZ, frame=None, audio={channel: chunk})
            for analyzer in analyzers:
                step.results[analyzer.name] = analyzer.analyze(step)
            steps.append(step)
    finally:
        for analyzer in analyzers:
            analyzer.close()
    return steps


def said(steps: list[Step]) -> list[dict]:
    return [d for s in steps for d in s.results["signals"].said]


def ended(steps: list[Step], kind: str) -> list:
    return [e for s in steps for e in s.results["signals"].ended if e.type == kind]
