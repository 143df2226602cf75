"""Generated speech with exact ground truth, for the voice tests.

espeak-ng speaks each utterance; sox resamples it to 16 kHz and can shift pitch or
tempo. Utterances are trimmed to where the waveform really starts and ends, then
placed at chosen times on a silent track, so where speech is comes from how the
clip was built, not from any detector. Clips are cached for the test session.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

RATE_HZ = 16_000
TRIM_LEVEL = 0.004  # about -48 dBFS: quieter samples at the ends are not speech
_CACHE = Path(tempfile.mkdtemp(prefix="copilot-speech-"))


def tools_missing() -> str | None:
    """Why speech cannot be generated here, or None when it can."""
    missing = [tool for tool in ("espeak-ng", "sox") if shutil.which(tool) is None]
    return f"{' and '.join(missing)} not installed" if missing else None


@functools.lru_cache(maxsize=256)
def _say(text: str, speed_wpm: int, pitch: int, word_gap: int, voice: str, flat: bool,
         effects: tuple[str, ...]) -> bytes:
    key = abs(hash((text, speed_wpm, pitch, word_gap, voice, flat, effects)))
    raw, out = _CACHE / f"{key}.raw.wav", _CACHE / f"{key}.wav"
    # SSML's narrowest pitch range makes espeak hold one pitch: a level "uh" or a flat sentence.
    spoken = f'<speak><prosody range="x-low">{text}</prosody></speak>' if flat else text
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed_wpm), "-p", str(pitch), "-g", str(word_gap),
                    *(["-m"] if flat else []), "-w", str(raw), spoken], check=True, capture_output=True)
    subprocess.run(["sox", str(raw), "-r", str(RATE_HZ), "-c", "1", "-b", "16", "-e", "signed-integer",
                    str(out), *effects], check=True, capture_output=True)
    return out.read_bytes()


def say(text: str, *, speed_wpm: int = 160, pitch: int = 50, word_gap: int = 0, voice: str = "en-us",
        flat: bool = False, effects: tuple[str, ...] = ()) -> np.ndarray:
    """One utterance as float32 at 16 kHz, trimmed to its first and last audible sample.

    `effects` are sox effects applied after resampling, e.g. ("pitch", "-400") or ("tempo", "1.3").
    """
    data = _say(text, speed_wpm, pitch, word_gap, voice, flat, tuple(effects))
    return _trim(np.frombuffer(data[44:], dtype="<i2").astype(np.float32) / 32768.0, text)


def bend_ending(samples: np.ndarray, cents: int, last_s: float = 0.4) -> np.ndarray:
    """The same audio with its last `last_s` glided up (cents > 0) or down, by sox's `bend`."""
    src, out = _CACHE / f"bend{abs(hash(samples.tobytes()))}.wav", _CACHE / f"bend{cents}.wav"
    _write(src, samples)
    begin = max(len(samples) / RATE_HZ - last_s, 0.0)
    subprocess.run(["sox", str(src), "-b", "16", str(out), "bend", f"{begin:.3f},{cents},{last_s:.3f}"],
                   check=True, capture_output=True)
    return _trim(np.frombuffer(out.read_bytes()[44:], dtype="<i2").astype(np.float32) / 32768.0, "bend")


def _write(path: Path, samples: np.ndarray) -> None:
    import wave

    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(RATE_HZ)
        f.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())


def _trim(samples: np.ndarray, text: str) -> np.ndarray:
    loud = np.flatnonzero(np.abs(samples) > TRIM_LEVEL)
    if loud.size == 0:
        raise ValueError(f"espeak-ng produced no audible speech for {text!r}")
    return samples[loud[0] : loud[-1] + 1].copy()


@dataclass
class Track:
    """A channel built from utterances placed at known times; `spoken` is the ground truth."""

    samples: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    spoken: list[tuple[float, float, str]] = field(default_factory=list)  # start s, end s, label

    @property
    def duration_s(self) -> float:
        return len(self.samples) / RATE_HZ

    def put(self, start_s: float, audio: np.ndarray, label: str = "") -> float:
        """Adds `audio` (mixing into what is there) at `start_s`; returns its end time."""
        first = round(start_s * RATE_HZ)
        end = first + len(audio)
        if end > len(self.samples):
            self.samples = np.concatenate([self.samples, np.zeros(end - len(self.samples), np.float32)])
        self.samples[first:end] += audio
        self.spoken.append((first / RATE_HZ, end / RATE_HZ, label))
        self.spoken.sort()
        return end / RATE_HZ

    def then(self, gap_s: float, audio: np.ndarray, label: str = "") -> float:
        """Adds `audio` `gap_s` after the last utterance ends."""
        last = max((end for _, end, _ in self.spoken), default=0.0)
        return self.put(last + gap_s, audio, label)

    def pad_to(self, duration_s: float) -> None:
        missing = round(duration_s * RATE_HZ) - len(self.samples)
        if missing > 0:
            self.samples = np.concatenate([self.samples, np.zeros(missing, np.float32)])


def with_noise(samples: np.ndarray, level_db: float = -60.0, seed: int = 0) -> np.ndarray:
    """A faint noise floor, as any microphone has, so silence is not digital zero."""
    noise = np.random.default_rng(seed).standard_normal(len(samples)).astype(np.float32)
    return samples + noise * np.float32(10 ** (level_db / 20))
