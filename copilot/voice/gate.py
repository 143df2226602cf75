"""Turns speech probabilities into utterances: hysteresis, a hangover, and edges set by loudness.

Silero's probability lags the audio by a window or two at both edges, so the gate
decides *that* speech started or stopped from the probability, and then places the
edge at the first or last hop that is clearly above the channel's noise floor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from copilot.voice.history import CAPACITY_HOPS, HOP_S, HopHistory

START_PROBABILITY = 0.5  # a window at or above this starts speech
STOP_PROBABILITY = 0.35  # below this counts as silence (hysteresis, as Silero's own helper does)
MIN_PAUSE_S = 0.2  # silences shorter than this stay inside the utterance; also the hangover
MIN_UTTERANCE_S = 0.1  # shorter bursts are clicks, not speech
EDGE_SEARCH_S = 0.3  # how far from the model's decision an edge may move
ABOVE_FLOOR_DB = 15.0  # a hop this far over the noise floor is audible speech
FLOOR_RISE_DB_PER_S = 1.0  # the floor follows the quietest level, and creeps up slowly


@dataclass(slots=True)
class Utterance:
    channel: str
    start: float
    end: float
    # Quiet inside its edges, at a mixed track's change of voice (speakers.VoicePiece): the
    # speech itself runs from start + quiet_before_s to end - quiet_after_s.
    quiet_before_s: float = 0.0
    quiet_after_s: float = 0.0

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def speech_start(self) -> float:
        return self.start + self.quiet_before_s

    @property
    def speech_end(self) -> float:
        return self.end - self.quiet_after_s


class SpeechGate:
    """One channel's speaking state, fed one window at a time."""

    def __init__(self, channel: str, history: HopHistory) -> None:
        self.channel = channel
        self.history = history
        self.floor_db = -60.0
        self.speaking = False  # what a live display shows: speech, held through short silences
        self.start: float | None = None  # of the utterance in progress
        self._silent_since: float | None = None
        self._last_end: float | None = None

    def track_floor(self, loudness_db: np.ndarray) -> None:
        rise = FLOOR_RISE_DB_PER_S * HOP_S
        for level in loudness_db:
            self.floor_db = float(level) if level < self.floor_db else self.floor_db + rise

    def update(self, probability: float, window_start: float, window_end: float) -> list[Utterance]:
        """Feeds one window; returns the utterance that this window confirmed as finished, if any."""
        if not self.speaking:
            if probability >= START_PROBABILITY:
                self.speaking = True
                self.start = self._onset(window_start)
                self._silent_since = None
            return []
        holding = probability >= STOP_PROBABILITY and self._silent_since is None
        if probability >= START_PROBABILITY or holding:
            self._silent_since = None
            return []
        if self._silent_since is None:
            self._silent_since = window_start
        if window_end - self._silent_since < MIN_PAUSE_S:
            return []
        end = self._offset(self._silent_since, window_end)
        start, self.start, self.speaking, self._silent_since = self.start, None, False, None
        if start is None or end - start < MIN_UTTERANCE_S:
            return []
        self._last_end = end
        return [Utterance(self.channel, start, end)]

    def _loud(self, first: int, end: int) -> np.ndarray:
        """Loud flags for hops first..end-1, with False for hops no longer (or not yet) held."""
        held_first = max(first, self.history.count - CAPACITY_HOPS, 0)
        levels = self.history.span(held_first, end)["loudness_db"]
        loud = np.zeros(max(end - first, 0), bool)
        loud[held_first - first : held_first - first + len(levels)] = levels > self.floor_db + ABOVE_FLOOR_DB
        return loud

    def _onset(self, decided_at: float) -> float:
        """Walks back from the model's onset over loud hops, to where the sound began."""
        hop = self.history.hop_at(decided_at)
        reach = round(EDGE_SEARCH_S / HOP_S)
        loud = self._loud(hop - reach, hop + 2)
        loud_now = np.flatnonzero(loud[-4:])
        if loud_now.size == 0:
            return decided_at
        index = len(loud) - 4 + int(loud_now[0])
        while index > 0 and loud[index - 1]:
            index -= 1
        start = self.history.time_of(hop + 2 - len(loud) + index)
        if self._last_end is not None:
            start = max(start, self._last_end + HOP_S)
        return start

    def _offset(self, silent_since: float, now: float) -> float:
        """The end of the last loud hop before (or just after) the window where silence began."""
        hop = self.history.hop_at(silent_since)
        reach = round(EDGE_SEARCH_S / HOP_S)
        first = hop - reach
        loud = self._loud(first, hop + 4)
        if not loud.any():
            return silent_since
        return self.history.time_of(first + int(np.flatnonzero(loud)[-1]) + 1)
