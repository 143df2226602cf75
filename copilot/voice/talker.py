"""One voice's talk: its utterances described against its own habits, and the pauses inside it.

A voice is a channel's speaker ("you" on the microphone) or one of the voices a mixed track
is split into (copilot/voice/speakers.py). It reads the hop history of the channel it is
heard on, and keeps its own baseline pitch, loudness and pace, so a second person on the
same track is measured against their own voice, not the first person's.
"""

from __future__ import annotations

from dataclasses import asdict

import numpy as np

from copilot.voice.cues import VoiceEvent
from copilot.voice.gate import Utterance
from copilot.voice.history import HopHistory
from copilot.voice.prosody import delivery, filled_pauses, semitones

PAUSE_MAX_S = 5.0  # a longer silence inside one side's talk is not a pause but a break
BASELINE_WEIGHT_MIN = 0.05  # after 20 utterances the baseline moves 5% per utterance
MIN_SYLLABLES_FOR_PACE = 3  # shorter utterances ("yes", "uh") say little about a speaker's pace
# A breath, a click or a lip smack between phrases is a short burst with no voiced sound: the
# gate hears it, but the speaker has not started talking again, so it must not cut a pause in
# two (an audible in-breath in a long pause would otherwise turn one 1.4 s stop into two short
# ones). Every word has a vowel, and a vowel is voiced within its first few hops.
BREATH_MAX_S = 0.4  # audible in-breaths between phrases last about 0.1-0.4 s
VOICED_HOPS_FOR_SPEECH = 3  # ~50 ms of pitch: a vowel has begun (prosody.delivery's own minimum)


class Talker:
    def __init__(self, name: str, history: HopHistory) -> None:
        self.name = name
        self.history = history
        self.previous: Utterance | None = None  # the last utterance with words (breaths left out)
        self._paused_to: float | None = None  # start of the speech whose pause was reported
        self.usual_pitch_st: float | None = None
        self.usual_loudness_db: float | None = None
        self._utterances = 0
        self.usual_syllable_s: float | None = None  # seconds per syllable, from multi-syllable utterances
        self._paced = 0

    def resumed(self, start: float | None, now: float) -> list[VoiceEvent]:
        """The pause before the speech in progress (begun at `start`), as soon as that sound
        has a vowel in it.

        Waiting for the new utterance to end would report a pause seconds late (a live
        hesitation shown after the answer is over); the pause is complete, and known to
        be inside the speaker's own talk, the moment they are heard speaking again.
        Only hops up to `now` are read, so the answer does not depend on the step size.
        """
        if start is None or start == self._paused_to:
            return []
        hops = self.history.span(self.history.hop_at(start), self.history.hop_at(now))
        if _voiced_hops(hops) < VOICED_HOPS_FOR_SPEECH:
            return []
        return self._pause_before(start)

    def describe(self, utterance: Utterance) -> list[VoiceEvent]:
        """The utterance with how it was said, any filled pauses in it, and the pause before it
        unless `resumed` already reported that one. A breath is described but ends no pause."""
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
        if utterance.start != self._paused_to:  # not yet confirmed as speech while it went on
            if utterance.duration <= BREATH_MAX_S and _voiced_hops(hops) < VOICED_HOPS_FOR_SPEECH:
                return events  # a breath: the pause before it goes on, and it teaches no baseline
            events += self._pause_before(utterance.start)
        self.previous = utterance
        self._learn(said.pitch_hz, said.loudness_db)
        if said.syllables >= MIN_SYLLABLES_FOR_PACE:
            pace = utterance.duration / said.syllables
            self._paced += 1
            old = self.usual_syllable_s or pace
            self.usual_syllable_s = old + max(1.0 / self._paced, BASELINE_WEIGHT_MIN) * (pace - old)
        return events

    def _pause_before(self, start: float) -> list[VoiceEvent]:
        self._paused_to = start
        if self.previous is None or start - self.previous.end > PAUSE_MAX_S:
            return []
        return [VoiceEvent("pause", self.name, self.previous.end, start,
                           {"duration_s": round(start - self.previous.end, 3)})]

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

def _voiced_hops(hops: dict[str, np.ndarray]) -> int:
    return int(np.count_nonzero(~np.isnan(hops["f0_hz"])))


def _rounded(values: dict[str, object]) -> dict[str, object]:
    return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in values.items()}
