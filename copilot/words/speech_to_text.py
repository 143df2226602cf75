"""Moonshine tiny-en through the `moonshine-voice` wheel: one utterance in, its lines of text out.

The wheel carries the model files (assets/tiny-en) and its own ONNX Runtime, so this is
the one place that touches it. The model gives each line's start and length, not each
word's (the wheel has no word-timestamp model for tiny-en), so word times are estimated
in `copilot.words.timing`.
"""

from __future__ import annotations

import ctypes
import os
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from copilot.capture.items import SAMPLE_RATE_HZ
from copilot.errors import CopilotError
from copilot.shipped.resources import read_toml

MODEL_NAME = "tiny-en"
MODEL_FILES = ("encoder_model.ort", "decoder_model_merged.ort", "tokenizer.bin")
READING_FILE = Path(__file__).with_name("reading.toml")
# The wheel's speaker identification, off: we know the channel, and with it on, two freshly
# loaded models read the same audio differently. Its voice detector: see reading.toml.
MODEL_OPTIONS = {"identify_speakers": "false"}
# The library's own switch for running its ONNX Runtime sessions on one thread. Left to itself,
# its extra threads spin between layers of a model too small to share: on a one-minute call they
# burnt 2.7 of the analysis's 26 CPU-seconds. On one thread the reads take half the CPU and
# about as long (ami_dev00 pieces of 2 and 4 s: 53-58 and 122-132 ms, against 56-60 and 109-117 ms
# on its threads), and give the same text, to the letter. A user's own setting of it is kept.
ONE_THREAD = ("MOONSHINE_ORT_SINGLE_THREAD", "1")
# The library's own voice detector (Silero, a recurrent model) cuts what it is given into
# lines. Version 0.1.0 keeps ONE detector for the whole process (the class-wide
# `VoiceActivityDetector::silero_vad`, core/voice-activity-detector.cpp) and never clears its
# recurrent state or its 64 samples of context: every read, by any model of the process,
# started from where the one before had left it. So the same sentence read after another came
# out as "You" + "Bimblew f two now." (a word of the audio before leaking in), and a clip read
# after others read differently than in a new process (3.mp4: "Everyone here today" vs "Three
# one here today"). Before each read that state is put back to how the library makes it
# (zeros), under one lock for the process, so a read depends on its own audio only, whichever
# model or thread asks. From zeros the detector's first windows are unsettled (JFK's pause
# became a "You"), so while it cuts lines it then hears `SETTLE_S` of silence, the same every
# time (~17 ms). With it off (reading.toml, as shipped) its state cuts nothing: reads do not
# depend on each other without the clearing (checked by the test that holds this), so neither
# the clearing nor the settling read (a whole model pass, ~0.1 s) is done.
_DETECTOR = "_ZN21VoiceActivityDetector10silero_vadE"  # the class-wide pointer, exported by the library
# Where SileroVad (core/silero-vad.h at v0.1.0) keeps them, on 64-bit builds: six pointers, then
# `_context` (a std::vector<float> of 64), three ints, two vectors and `input`, then
# `size_state` (256) and `_state` (a std::vector<float> of 2 x 1 x 128).
_CONTEXT_AT, _CONTEXT_FLOATS = 48, 64
_WINDOW_AT = 72  # window_size_samples, then effective_window_size = window + context
_SIZE_STATE_AT, _STATE_AT, _STATE_FLOATS = 160, 168, 256
_FIRST_READ = np.zeros(SAMPLE_RATE_HZ // 10, np.float32)
_LIBRARY = threading.Lock()  # one detector for every model of the process: one read at a time
SETTLE_S = 0.5
_SETTLE = [0.0] * round(SETTLE_S * SAMPLE_RATE_HZ)


class SpeechModelError(CopilotError):
    """The speech model is missing, damaged or will not load; the message names the file."""


@dataclass(frozen=True, slots=True)
class Reading:
    """reading.toml: how audio is handed to the model."""

    detector_threshold: float  # the library's voice detector; 0 = off
    peak_dbfs: float  # each read is scaled to peak here ...
    max_gain: float  # ... by at most this factor


def load_reading(path: Path) -> Reading:
    try:
        raw = read_toml(path, "speech reading settings")
        return Reading(float(raw["model"]["detector_threshold"]), float(raw["level"]["peak_dbfs"]),
                       10 ** (float(raw["level"]["max_gain_db"]) / 20))
    except RuntimeError as exc:
        raise SpeechModelError(str(exc)) from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise SpeechModelError(f"speech reading settings {path}: missing or not a number: {exc}") from exc


@cache
def reading() -> Reading:
    return load_reading(READING_FILE)


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

    def __init__(self, settings: Reading | None = None) -> None:
        from moonshine_voice import ModelArch, MoonshineError, Transcriber

        folder = model_dir()
        self.reading = settings or reading()
        os.environ.setdefault(*ONE_THREAD)  # read by the library as each model loads
        options = {**MODEL_OPTIONS, "vad_threshold": str(self.reading.detector_threshold)}
        try:
            self._model: Any = Transcriber(str(folder), ModelArch.TINY, options=options)
        except MoonshineError as exc:
            raise SpeechModelError(f"{folder}: speech model does not load ({exc})") from exc
        if self.reading.detector_threshold > 0:
            try:
                self.lines(_FIRST_READ)  # makes the library's voice detector, and checks it can be cleared
            except SpeechModelError:
                self.close()
                raise

    def lines(self, samples: np.ndarray) -> list[Line]:
        """The text of `samples` (mono float32 at 16 kHz), as the model's lines with their times."""
        if len(samples) == 0:
            return []
        audio = levelled(np.asarray(samples, dtype=np.float32), self.reading).tolist()
        with _LIBRARY:
            if self.reading.detector_threshold > 0:
                _clear_detector()
                self._model.transcribe_without_streaming(_SETTLE, SAMPLE_RATE_HZ)
            found = self._model.transcribe_without_streaming(audio, SAMPLE_RATE_HZ)
        return [Line(line.text.strip(), float(line.start_time), float(line.start_time + line.duration))
                for line in found.lines if line.text.strip()]

    def close(self) -> None:
        self._model.close()


def levelled(samples: np.ndarray, settings: Reading) -> np.ndarray:
    """`samples` scaled so their peak is at reading.toml's level (gain capped there too):
    a quiet recording then reaches the model as loud as the ones it reads well."""
    peak = float(np.max(np.abs(samples), initial=0.0))
    if peak == 0.0:
        return samples
    return samples * min(10 ** (settings.peak_dbfs / 20) / peak, settings.max_gain)


def _clear_detector() -> None:
    """Puts the library's one voice detector back to its state as made (see `_DETECTOR`)."""
    from moonshine_voice.moonshine_api import _MoonshineLib

    library = _MoonshineLib().lib
    detector = ctypes.c_void_p.in_dll(library, _DETECTOR).value
    if detector is None:
        return  # no model of this process has read anything yet: nothing to clear
    context = _floats(detector + _CONTEXT_AT, _CONTEXT_FLOATS)
    state = _floats(detector + _STATE_AT, _STATE_FLOATS)
    window = ctypes.c_int.from_address(detector + _WINDOW_AT).value
    laid_out = (context is not None and state is not None
                and ctypes.c_uint.from_address(detector + _SIZE_STATE_AT).value == _STATE_FLOATS
                and ctypes.c_int.from_address(detector + _WINDOW_AT + 4).value == window + _CONTEXT_FLOATS)
    if not laid_out:
        raise SpeechModelError(f"{library._name}: its voice detector is not laid out as in moonshine-voice"
                               " 0.1.0, so reads would depend on each other (install moonshine-voice==0.1.0)")
    ctypes.memset(context, 0, _CONTEXT_FLOATS * 4)
    ctypes.memset(state, 0, _STATE_FLOATS * 4)


def _floats(vector_at: int, count: int) -> int | None:
    """The data address of the std::vector<float> at `vector_at` if it holds exactly `count` floats."""
    begin, end = (ctypes.c_void_p.from_address(vector_at + 8 * k).value for k in range(2))
    return begin if begin is not None and end is not None and end - begin == 4 * count else None
