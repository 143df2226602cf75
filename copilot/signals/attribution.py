"""Who is speaking: each voice given to a participant, tick by tick.

The microphone ("you") is the user. The voices of system audio and of a recording's own
track (v1, v2, ... once split by speaker; "them" or "file" when not) belong to the people
on screen. While only one such voice has been heard: with one face, that face speaks; with
several, the face whose mouth moved most in step with the voice over the last two seconds
(the covariance of its mouth movement with the voice's speech activity). Once several voices
have been heard, each goes to the face whose mouth moves while that voice speaks more than
while the others do (active speaker, over the whole session so far); a voice no face moves
with is a voice-only participant under its own name. With no face on screen a voice is its
own participant ("v1", "them", or "speaker"), made only once it speaks; a face gone for
under a second (dropped frames, a glance away) keeps its voice (the analyzer passes such
faces in). Finished voice events are given to whoever held the voice at their middle.
"""

from __future__ import annotations

from collections import deque

import numpy as np

VOICE_ONLY = {"you": "you", "them": "them", "file": "speaker"}
HISTORY_S = 60.0  # how far back a finished voice event may reach
MIC = "you"
# Active speaker among several voices: a face's mouth_movement cue must be this much higher
# while the voice speaks than while the other voices do. On that cue's scale talking heads
# have medians of 0.27-0.85 and a still face 0.05 (face_cues.toml speaking_mouth_movement).
LINK_MARGIN = 0.1
LINK_EVIDENCE_TICKS = 10  # ... measured over at least a second of each (at 10 Hz ticks)


class SpeechAttribution:
    def __init__(self, tick_hz: float, window_s: float = 2.0) -> None:
        self.tick_hz = tick_hz
        self.window = max(2, round(window_s * tick_hz))
        self.speaking: dict[str, deque[float]] = {}
        self.mouths: dict[str, deque[float]] = {}
        self.held: dict[str, deque[tuple[float, str]]] = {}  # channel -> (tick t, participant)
        # (voice, face) -> [sum, count] of the face's mouth movement while the voice speaks,
        # and while another voice (not the microphone) does and this one is silent.
        self.during: dict[tuple[str, str], list[float]] = {}
        self.apart: dict[tuple[str, str], list[float]] = {}
        self.heard: set[str] = set()  # voices other than the microphone heard speaking

    def assign(self, t: float, speaking: dict[str, bool], faces: dict[str, float]) -> dict[str, str]:
        """Channel -> participant at this tick; `faces` maps on-screen participants to mouth movement."""
        for pid, mouth in faces.items():
            self.mouths.setdefault(pid, deque(maxlen=self.window)).append(mouth)
        self._gather(speaking, faces)
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

    def _gather(self, speaking: dict[str, bool], faces: dict[str, float]) -> None:
        talking = {ch for ch, on in speaking.items() if on and ch != MIC}
        self.heard |= talking
        for voice in self.heard:
            into = self.during if voice in talking else self.apart if talking else None
            if into is None:
                continue
            for pid, mouth in faces.items():
                total = into.setdefault((voice, pid), [0.0, 0])
                total[0] += mouth
                total[1] += 1

    def _linked(self, voice: str, faces: dict[str, float]) -> str:
        """The face that moves with `voice` rather than with the other voices, else the voice
        alone; while no face has been watched long enough beside the other voices (one just
        began), the face that held the voice keeps it."""
        alone = VOICE_ONLY.get(voice, voice)
        best, best_lead, judged = alone, LINK_MARGIN, False
        for pid in sorted(faces):
            during, apart = self.during.get((voice, pid)), self.apart.get((voice, pid))
            if not during or not apart or min(during[1], apart[1]) < LINK_EVIDENCE_TICKS:
                continue
            judged = True
            lead = during[0] / during[1] - apart[0] / apart[1]
            if lead >= best_lead:
                best, best_lead = pid, lead
        if not judged:
            held = self.held.get(voice)
            if held and held[-1][1] in faces:
                return held[-1][1]
        return best

    def _owner(self, channel: str, history: deque[float], faces: dict[str, float]) -> str:
        if channel == MIC or not faces:
            return VOICE_ONLY.get(channel, channel)
        if len(self.heard - {channel}) > 0:
            return self._linked(channel, faces)
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
        for evidence in (self.during, self.apart):
            for voice, pid in [key for key in evidence if key[1] == old]:
                total = evidence.pop((voice, pid))
                if new is not None:
                    evidence[(voice, new)] = total
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
