"""`bench_voice`: how fast the voice analyzer runs on ten minutes of two-sided talk, on one core.

The audio is synthetic speech-like sound made here in numpy (voiced syllables with
gliding pitch and vowel-like formants, pauses, turns that alternate and sometimes
overlap), so the benchmark needs no recording and no speech synthesiser; Silero hears
it as speech part of the time, which keeps every code path busy.
"""

from __future__ import annotations

import time

import numpy as np

from copilot.capture.items import SAMPLE_RATE_HZ

TURN_S = (2.0, 8.0)


def talk(seconds: float, seed: int, speaking_first: bool) -> np.ndarray:
    """Alternating turns of syllable-like voiced bursts and silence, with a faint noise floor."""
    rng = np.random.default_rng(seed)
    out = (rng.standard_normal(int(seconds * SAMPLE_RATE_HZ)) * 1e-3).astype(np.float32)
    at, speaking = 0.0, speaking_first
    while at < seconds:
        turn = rng.uniform(*TURN_S)
        if speaking:
            cursor = at
            while cursor < min(at + turn, seconds - 0.5):
                length = rng.uniform(0.12, 0.3)
                sound = _syllable(length, rng)
                first = int(cursor * SAMPLE_RATE_HZ)
                out[first : first + len(sound)] += sound
                cursor += length + (rng.uniform(0.25, 0.6) if rng.random() < 0.1 else rng.uniform(0.0, 0.05))
        at += turn + rng.uniform(-0.3, 0.8)
        speaking = not speaking
    return out


def _syllable(length_s: float, rng: np.random.Generator) -> np.ndarray:
    n = int(length_s * SAMPLE_RATE_HZ)
    f0 = rng.uniform(90, 220) * np.exp(np.linspace(0, rng.uniform(-0.15, 0.15), n))
    phase = 2 * np.pi * np.cumsum(f0) / SAMPLE_RATE_HZ
    formants = rng.uniform([300, 900, 2200], [800, 2000, 3000])
    wave = sum(np.sin(k * phase) * np.exp(-((k * f0 - formants[:, None]) ** 2).min(0) / 2e5) / k ** 0.5
               for k in range(1, 30))
    return (0.1 * np.hanning(n) * wave).astype(np.float32)


def bench_voice(seconds: float = 600.0, step_s: float = 0.1) -> dict:
    """Real-time factor and milliseconds per second of audio, for `seconds` of two channels."""
    from copilot.voice.analyzer import VoiceAnalyzer
    from copilot.voice.replay import replay

    channels = {"you": talk(seconds, 1, True), "them": talk(seconds, 2, False)}
    analyzer = VoiceAnalyzer()
    started = time.perf_counter()
    events = sum(len(result.events) for result in replay(channels, analyzer, step_s))
    elapsed = time.perf_counter() - started
    return {"audio_s": seconds, "channels": 2, "step_s": step_s, "elapsed_s": round(elapsed, 3),
            "real_time_factor": round(elapsed / seconds, 4),
            "ms_per_audio_s": round(1000 * elapsed / seconds, 3), "events": events,
            "provider": getattr(analyzer.vad.model, "provider", "?")}


def bench_speakers(seconds: float = 600.0, step_s: float = 0.1, utterance_s: float = 8.0) -> dict:
    """What splitting one mixed track by voice costs at worst: every second is speech. The two
    sides' generated talk, mixed onto one track, goes through the speaker split (pieces,
    voiceprints, voices) in engine-sized steps as if the gate heard one utterance every
    `utterance_s`; the voiceprint model runs on the threads the app gives it (models.toml). Elapsed
    time per second of audio is the diarization real-time factor (real speech with pauses costs
    less), and the process's CPU time over it its CPU cost (both threads counted)."""
    from copilot.voice.speakers import MixedTrack, VoiceBook
    from copilot.voice.voiceprint import VoiceprintEncoder

    samples = talk(seconds, 1, True) + talk(seconds, 2, False)
    track = MixedTrack("file", VoiceBook(), VoiceprintEncoder())
    step = round(step_s * SAMPLE_RATE_HZ)
    started, cpu_started = time.perf_counter(), time.process_time()
    begun = 0.0
    for first in range(0, len(samples), step):
        end = min(first + step, len(samples)) / SAMPLE_RATE_HZ
        track.hear(first / SAMPLE_RATE_HZ, samples[first : first + step])
        if end - begun >= utterance_s - 1e-9 or first + step >= len(samples):
            track.follow(begun, end)
            track.finish(begun, end)
            begun = end
        else:
            track.follow(begun, end)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {"audio_s": seconds, "step_s": step_s, "utterance_s": utterance_s, "elapsed_s": round(elapsed, 3),
            "real_time_factor": round(elapsed / seconds, 4), "cpu_per_audio_s": round(cpu / seconds, 4),
            "threads": getattr(track.encoder.model, "threads", 1), "pieces_embedded": track.embedded,
            "ms_per_piece": round(1000 * elapsed / max(track.embedded, 1), 2),
            "provider": getattr(track.encoder.model, "provider", "?")}
