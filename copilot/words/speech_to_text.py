"""Moonshine tiny-en through the `moonshine-voice` wheel: one utterance in, its lines of text out.

The wheel carries the model files (assets/tiny-en) and its own ONNX Runtime, so this is
the one place that touches it. The model gives each line's start and length, not each
word's (the wheel has no word-timestamp model for tiny-en), so word times are estimated
in `copilot.words.timing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from copilot.capture.items import SAMPLE_RATE_HZ
from copilot.errors import CopilotError

MODEL_NAME = "tiny-en"
MODEL_FILES = ("encoder_model.ort", "decoder_model_merged.ort", "tokenizer.bin")
# The wheel's speaker identification, off: we know the channel, and with it on, two freshly
# loaded models read the same audio differently.
MODEL_OPTIONS = {"identify_speakers": "false"}
# The wheel's voice detector keeps state from one call to the next: the same GRID sentence read
# after another came out as "You" + "Bimblew f two now." (a word of the audio before leaking
# in). Reading this much silence first stops the leak (JFK's WER 18% -> 9%) for ~17 ms a call,
# but does not make a read independent of history (punctuation can still change), so a model
# is never kept for a later analysis: each analysis loads its own (0.4-1.1 s) and reads its
# stretches in the same order, fast or paced. A new model still does not start from the same
# state as the first one of a process (the library keeps some across models): where analyses
# follow each other in one process, each reads in a process of its own (speech_process.py).
# Turning the detector off (vad_threshold 0) cost words on every clip; its look-behind option
# set to 0 or 1 crashes the library.
RESET_S = 0.5
_RESET = [0.0] * round(RESET_S * SAMPLE_RATE_HZ)


class SpeechModelError(CopilotError):
    """The speech model is missing, damaged or will not load; the message names the file."""


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    start: float  # seconds from the start of the audio handed in
    end: float


def model_dir() -> Path:
    """The folder of the shipped tiny-en model, checked to hold every file it needs."""
    try:
        from moonshine_voice import get_model_path
    except ImportError as exc:
        raise SpeechModelError(f"speech model: the moonshine-voice package is not installed ({exc})") from exc
    folder = Path(get_model_path(MODEL_NAME))
    for name in MODEL_FILES:
        path = folder / name
        if not path.is_file() or path.stat().st_size == 0:
            raise SpeechModelError(f"{path}: speech model file missing or empty (reinstall moonshine-voice)")
    return folder


class SpeechToText:
    """One loaded model; not thread-safe, so each worker owns one."""

    def __init__(self) -> None:
        from moonshine_voice import ModelArch, MoonshineError, Transcriber

        folder = model_dir()
        try:
            self._model: Any = Transcriber(str(folder), ModelArch.TINY, options=MODEL_OPTIONS)
        except MoonshineError as exc:
            raise SpeechModelError(f"{folder}: speech model does not load ({exc})") from exc

    def lines(self, samples: np.ndarray) -> list[Line]:
        """The text of `samples` (mono float32 at 16 kHz), as the model's lines with their times."""
        if len(samples) == 0:
            return []
        audio = np.ascontiguousarray(samples, dtype=np.float32)
        self._model.transcribe_without_streaming(_RESET, SAMPLE_RATE_HZ)
        found = self._model.transcribe_without_streaming(audio.tolist(), SAMPLE_RATE_HZ)
        return [Line(line.text.strip(), float(line.start_time), float(line.start_time + line.duration))
                for line in found.lines if line.text.strip()]

    def close(self) -> None:
        self._model.close()
