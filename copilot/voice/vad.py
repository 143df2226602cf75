"""Silero VAD run causally over any number of channels in one batched call per window.

The v5 model takes 512 new samples with the previous 64 prepended (its context), a
recurrent state of shape (2, batch, 128) and the sample rate; it returns one speech
probability per batch row and the next state. Each channel keeps its own context and
state; channels with a window ready at the same position share one model call.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from copilot.capture.items import SAMPLE_RATE_HZ

WINDOW = 512  # samples per probability: 32 ms
CONTEXT = 64  # samples of the previous window the model expects in front of each window
MODEL_NAME = "silero_vad"


class SpeechProbability:
    """Speech probability per 512-sample window, per channel, with state carried across calls."""

    def __init__(self, model: Any | None = None) -> None:
        if model is None:
            from copilot.shipped.models import load_model

            model = load_model(MODEL_NAME)
        self.model = model
        self._states: dict[str, np.ndarray] = {}  # channel -> (2, 128)
        self._contexts: dict[str, np.ndarray] = {}  # channel -> (64,)
        self._rate = np.array(SAMPLE_RATE_HZ, dtype=np.int64)
        # One call on silence before any audio: the first run of a session is slow (ONNX
        # Runtime plans its memory), which live would delay the first real windows.
        self.model.run({"input": np.zeros((1, CONTEXT + WINDOW), np.float32),
                        "state": np.zeros((2, 1, 128), np.float32), "sr": self._rate})

    def run(self, windows: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """`windows[channel]` is (k, 512); returns (k,) probabilities per channel, in order."""
        out = {ch: np.zeros(len(w), np.float32) for ch, w in windows.items()}
        for channel in windows:
            if channel not in self._states:
                self._states[channel] = np.zeros((2, 128), np.float32)
                self._contexts[channel] = np.zeros(CONTEXT, np.float32)
        longest = max((len(w) for w in windows.values()), default=0)
        for i in range(longest):
            channels = [ch for ch, w in windows.items() if len(w) > i]
            new = np.stack([windows[ch][i] for ch in channels])
            context = np.stack([self._contexts[ch] for ch in channels])
            state = np.stack([self._states[ch] for ch in channels], axis=1)
            feeds = {"input": np.concatenate([context, new], axis=1), "state": state, "sr": self._rate}
            probability, state = self.model.run(feeds)
            for row, ch in enumerate(channels):
                out[ch][i] = probability[row, 0]
                self._states[ch] = state[:, row, :]
                self._contexts[ch] = new[row, -CONTEXT:]
        return out
