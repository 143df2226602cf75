"""Who is speaking: each audio channel's voice given to a participant, tick by tick.

The microphone ("you") is the user. System audio ("them") and a recording's own
track ("file") belong to the people on screen: with one face, that face speaks; with
several, the face whose mouth moved most in step with the voice over the last two
seconds (the covariance of its mouth movement with the channel's speech activity).
With no face on screen the voice is its own participant ("them", or "speaker"), made
only once it speaks; a face gone for under a second (dropped frames, a glance away)
keeps its voice (the analyzer passes such faces in).
Finished voice events are given to whoever held the channel at their middle.
"""

from __future__ import annotations

from collections import deque

import numpy as np

VOICE_ONLY = {"you": "you", "them": "them", "file": "speaker"}
HISTORY_S = 60.0  # how far back a finished voice event may reach


class SpeechAttribution:
    def __init__(self, tick_hz: float, window_s: float = 2.0) -> None:
        self.tick_hz = tick_hz
        self.window = max(2, round(window_s * tick_hz))
        self.speaking: dict[str, deque[float]] = {}
        self.mouths: dict[str, deque[float]] = {}
        self.held: dict[str, deque[tuple[float, str]]] = {}  # channel -> (tick t, participant)

    def assign(self, t: float, speaking: dict[str, bool], faces: dict[str, float]) -> dict[str, str]:
        """Channel -> participant at this tick; `faces` maps on-screen participants to mouth movement."""
        for pid, mouth in faces.items():
            self.mouths.setdefault(pid, deque(maxlen=self.window)).append(mouth)
        out = {}
        for channel, talking in speaking.items():
            history = self.speaking.setdefault(channel, deque(maxlen=self.window))
            history.append(1.0 if talking else 0.0)
            out[channel] = self._owner(channel, history, faces)
            held = self.held.setdefault(channel, deque())
            held.append((t, out[channel]))
            while held and held[0][0] < t - HISTORY_S:
                held.popleft()
        return out

    def _owner(self, channel: str, history: deque[float], faces: dict[str, float]) -> str:
        if channel == "you" or not faces:
            return VOICE_ONLY.get(channel, channel)
        if len(faces) == 1:
            return next(iter(faces))
        voice = np.array(history)
        best, best_score = None, -np.inf
        for pid in sorted(faces):
            mouth = np.array(self.mouths[pid])[-len(voice):]
            v = voice[-len(mouth):]
            score = float(np.mean((mouth - mouth.mean()) * (v - v.mean()))) + 1e-3 * mouth[-1]
            if score > best_score:
                best, best_score = pid, score
        return best

    def rename(self, old: str, new: str | None) -> None:
        """A candidate face's key becomes a participant's id; None: the candidate vanished, and what
        it held goes back to each channel's voice alone."""
        mouths = self.mouths.pop(old, None)
        if new is not None and mouths is not None:
            self.mouths[new] = mouths
        for channel, held in self.held.items():
            owner = new or self.voice_only(channel)
            self.held[channel] = deque((t, owner if pid == old else pid) for t, pid in held)

    @staticmethod
    def voice_only(channel: str) -> str:
        """The participant a channel's voice is when no face holds it."""
        return VOICE_ONLY.get(channel, channel)

    def owner_at(self, channel: str, start: float, end: float) -> str:
        """Who held `channel` at the middle of [start, end] (the latest holder if not recorded)."""
        held = self.held.get(channel)
        if not held:
            return VOICE_ONLY.get(channel, channel)
        middle = (start + end) / 2
        best = held[-1][1]
        for t, pid in reversed(held):
            best = pid
            if t <= middle:
                break
        return best
