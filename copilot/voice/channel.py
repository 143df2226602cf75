"""One channel's causal state: leftover samples, hop history, speech gate, the speaker's baseline."""

from __future__ import annotations

from dataclasses import asdict

import numpy as np

from copilot.voice.cues import VoiceEvent
from copilot.voice.frames import FRAME, HOP
from copilot.voice.gate import SpeechGate, Utterance
from copilot.voice.history import HopHistory
from copilot.voice.prosody import delivery, filled_pauses, semitones

PAUSE_MAX_S = 5.0  # a longer silence inside one side's talk is not a pause but a break
BASELINE_WEIGHT_MIN = 0.05  # after 20 utterances the baseline moves 5% per utterance
MIN_SYLLABLES_FOR_PACE = 3  # shorter utterances ("yes", "uh") say little about a speaker's pace


class ChannelTrack:
    def __init__(self, name: str, t0: float) -> None:
        self.name = name
        self.pending = np.zeros(0, np.float32)  # samples short of a full window
        self.frame_tail = np.zeros(FRAME - HOP, np.float32)
        self.history = HopHistory(t0)
        self.gate = SpeechGate(name, self.history)
        self.windows_done = 0
        self.last_probability = 0.0
        self.previous: Utterance | None = None
        self.usual_pitch_st: float | None = None
        self.usual_loudness_db: float | None = None
        self._utterances = 0
        self.usual_syllable_s: float | None = None  # seconds per syllable, from multi-syllable utterances
        self._paced = 0

    def describe(self, utterance: Utterance) -> list[VoiceEvent]:
        """The utterance with how it was said, the pause before it, and any filled pauses in it."""
        first = self.history.hop_at(utterance.start)
        hops = self.history.span(first, self.history.hop_at(utterance.end) + 1)
        said = delivery(hops, utterance.duration)
        events = [VoiceEvent("utterance", self.name, utterance.start, utterance.end,
                             {"duration_s": round(utterance.duration, 3), **_rounded(asdict(said))})]
        pace = self.usual_syllable_s
        if pace is None and said.syllables >= MIN_SYLLABLES_FOR_PACE:
            pace = utterance.duration / said.syllables
        for begin, end in filled_pauses(hops, pace):
            f0 = hops["f0_hz"][begin:end]
            events.append(VoiceEvent("filled_pause", self.name, self.history.time_of(first + begin),
                                     self.history.time_of(first + end),
                                     {"pitch_hz": round(float(np.nanmedian(f0)), 1)}))
        if self.previous is not None and utterance.start - self.previous.end <= PAUSE_MAX_S:
            events.append(VoiceEvent("pause", self.name, self.previous.end, utterance.start,
                                     {"duration_s": round(utterance.start - self.previous.end, 3)}))
        self.previous = utterance
        self._learn(said.pitch_hz, said.loudness_db)
        if said.syllables >= MIN_SYLLABLES_FOR_PACE:
            pace = utterance.duration / said.syllables
            self._paced += 1
            old = self.usual_syllable_s or pace
            self.usual_syllable_s = old + max(1.0 / self._paced, BASELINE_WEIGHT_MIN) * (pace - old)
        return events

    def _learn(self, pitch_hz: float | None, loudness_db: float | None) -> None:
        if pitch_hz is None or loudness_db is None:
            return
        self._utterances += 1
        weight = max(1.0 / self._utterances, BASELINE_WEIGHT_MIN)
        pitch_st = float(semitones(np.float32(pitch_hz)))
        if self.usual_pitch_st is None or self.usual_loudness_db is None:
            self.usual_pitch_st, self.usual_loudness_db = pitch_st, loudness_db
        else:
            self.usual_pitch_st += weight * (pitch_st - self.usual_pitch_st)
            self.usual_loudness_db += weight * (loudness_db - self.usual_loudness_db)

    @property
    def t(self) -> float:
        return self.history.time_of(self.history.count)


def _rounded(values: dict[str, object]) -> dict[str, object]:
    return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in values.items()}
