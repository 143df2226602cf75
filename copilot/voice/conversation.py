"""Two sides of a conversation: turns, response latency, backchannels, overlaps, interruptions.

It works on finished utterances of each channel (plus the one in progress), so every
decision is causal and lands once both utterances it compares have ended. A
backchannel ("mm-hm", "yeah") is a short utterance made while the other side holds
the floor; it does not take the floor. Anything else that starts after the other
side began, and outlasts it, takes the floor: an interruption when they overlapped.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from copilot.voice.gate import Utterance

BACKCHANNEL_MAX_S = 1.0  # longer utterances carry content and take the floor
MIN_OVERLAP_S = 0.1  # both speaking for less than this is a hand-over, not an overlap
KEEP_S = 30.0  # how long finished utterances are kept for comparison
RATIO_WINDOWS_S = (60.0, 300.0)


@dataclass(slots=True)
class Happening:
    """A conversational event between two channels (names follow the user's words)."""

    kind: str  # "backchannel", "overlap", "interruption", "turn"
    channel: str  # who did it: the backchanneler, the later starter, the interrupter, the turn's owner
    start: float
    end: float
    details: dict[str, object] = field(default_factory=dict)


class Conversation:
    def __init__(self) -> None:
        self.done: dict[str, deque[Utterance]] = {}
        self.floor: str | None = None  # who holds the floor
        self.turn_start: float | None = None
        self.turn_end: float | None = None
        self.speech_end = 0.0  # where the floor holder's speech last stopped (turn_end less quiet)
        self.response_latency_s: dict[str, float] = {}  # the last one per channel
        self.longest_monologue_s: dict[str, float] = {}

    def finished(self, utterance: Utterance, ongoing: dict[str, float | None]) -> list[Happening]:
        """Called once per utterance when it ends; `ongoing` maps channel -> start of speech in progress."""
        me = utterance.channel
        out: list[Happening] = []
        others = [ch for ch in {*self.done, *ongoing} if ch != me]
        backchannel = False
        for other in others:
            theirs = [u for u in self.done.get(other, ())
                      if u.end > utterance.start and u.start < utterance.end]
            live_start = ongoing.get(other)
            overlapping_live = live_start is not None and live_start < utterance.end
            started_before = any(u.start < utterance.start for u in theirs) or (
                overlapping_live and live_start < utterance.start)
            if utterance.duration <= BACKCHANNEL_MAX_S and started_before and (theirs or overlapping_live):
                backchannel = True
                out.append(Happening("backchannel", me, utterance.start, utterance.end, {"during": other}))
            for u in theirs:  # pairs where both have now ended
                out.extend(self._overlap(utterance, u, backchannel))
        if not backchannel:
            out.extend(self._take_floor(me, utterance))
        self.done.setdefault(me, deque()).append(utterance)
        for queue in self.done.values():
            while queue and queue[0].end < utterance.end - KEEP_S:
                queue.popleft()
        return out

    def _overlap(self, a: Utterance, b: Utterance, a_is_backchannel: bool) -> list[Happening]:
        start, end = max(a.start, b.start), min(a.end, b.end)
        if end - start < MIN_OVERLAP_S:
            return []
        later, earlier = (a, b) if a.start > b.start else (b, a)
        details = {"with": earlier.channel, "duration_s": round(end - start, 3)}
        events = [Happening("overlap", later.channel, start, end, details)]
        if later.end > earlier.end and not (later is a and a_is_backchannel):
            events.append(Happening("interruption", later.channel, later.start, end,
                                    {"interrupted": earlier.channel, "overlap_s": round(end - start, 3)}))
        return events

    def _take_floor(self, me: str, utterance: Utterance) -> list[Happening]:
        if self.floor == me:
            self.turn_end = max(self.turn_end or utterance.end, utterance.end)
            self.speech_end = max(self.speech_end, utterance.speech_end)
            self._note_monologue(me)
            return []
        events = []
        if self.floor is not None and self.turn_start is not None and self.turn_end is not None:
            events.append(Happening("turn", self.floor, self.turn_start, self.turn_end,
                                    {"duration_s": round(self.turn_end - self.turn_start, 3)}))
            # From the last word to the first: a mixed track's change of voice is cut in a pause,
            # whose quiet halves the two utterances hold (gate.Utterance).
            latency = utterance.speech_start - self.speech_end
            self.response_latency_s[me] = latency
            # An answer that starts before the other side stops has a negative latency; the
            # event still spans forward in time, from the earlier of the two moments.
            events.append(Happening("response", me, min(self.speech_end, utterance.speech_start),
                                    max(self.speech_end, utterance.speech_start),
                                    {"latency_s": round(latency, 3), "after": self.floor}))
        self.floor, self.turn_start, self.turn_end = me, utterance.start, utterance.end
        self.speech_end = utterance.speech_end
        self._note_monologue(me)
        return events

    def close(self) -> list[Happening]:
        """The input ended: the turn of whoever holds the floor is over too."""
        if self.floor is None or self.turn_start is None or self.turn_end is None:
            return []
        turn = Happening("turn", self.floor, self.turn_start, self.turn_end,
                         {"duration_s": round(self.turn_end - self.turn_start, 3)})
        self.floor = self.turn_start = self.turn_end = None
        return [turn]

    def _note_monologue(self, me: str) -> None:
        length = (self.turn_end or 0.0) - (self.turn_start or 0.0)
        self.longest_monologue_s[me] = max(self.longest_monologue_s.get(me, 0.0), length)


class TalkTime:
    """Seconds of speech per channel over the last 1 and 5 minutes, from per-window decisions."""

    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self._size = int(max(RATIO_WINDOWS_S) / window_s) + 1
        self._flags: dict[str, np.ndarray] = {}
        self._count: dict[str, int] = {}

    def add(self, channel: str, speaking: np.ndarray) -> None:
        flags = self._flags.setdefault(channel, np.zeros(self._size, bool))
        count = self._count.get(channel, 0)
        flags[(count + np.arange(len(speaking))) % self._size] = speaking
        self._count[channel] = count + len(speaking)

    def seconds(self, channel: str, span_s: float) -> float:
        count = self._count.get(channel, 0)
        if count == 0:  # heard, but not yet a whole window of it
            return 0.0
        n = min(int(span_s / self.window_s), count)
        where = (count - n + np.arange(n)) % self._size
        return float(self._flags[channel][where].sum()) * self.window_s

    def shares(self, span_s: float) -> dict[str, float | None]:
        """Each channel's share of all talk in the span (None before anyone spoke)."""
        spoken = {ch: self.seconds(ch, span_s) for ch in self._flags}
        total = sum(spoken.values())
        return {ch: (s / total if total > 0 else None) for ch, s in spoken.items()}
