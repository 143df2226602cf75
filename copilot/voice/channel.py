"""One channel's causal audio state: leftover samples, hop history, speech gate, laughter."""

from __future__ import annotations

import numpy as np

from copilot.voice.frames import FRAME, HOP
from copilot.voice.gate import SpeechGate
from copilot.voice.history import HopHistory
from copilot.voice.laughter import LaughterWatch
from copilot.voice.talker import Talker


class ChannelTrack:
    def __init__(self, name: str, t0: float) -> None:
        self.name = name
        self.pending = np.zeros(0, np.float32)  # samples short of a full window
        self.frame_tail = np.zeros(FRAME - HOP, np.float32)
        self.history = HopHistory(t0)
        self.gate = SpeechGate(name, self.history)
        self.laughter = LaughterWatch(name, t0)
        self.windows_done = 0
        self.last_probability = 0.0
        self.talker = Talker(name, self.history)  # the channel's own voice (a mixed track has several)

    @property
    def t(self) -> float:
        return self.history.time_of(self.history.count)
