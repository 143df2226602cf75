"""Who is speaking: each voice given to a participant, tick by tick.

The microphone ("you") is the user. The voices of system audio and of a recording's own
track (v1, v2, ... once split by speaker; "them" or "file" when not) belong to the people
on screen. While only one such voice has been heard: with one face, that face speaks; with
several, the face whose mouth moved most in step with the voice over the last two seconds
(the covariance of its mouth movement with the voice's speech activity). Once several voices
have been heard, each goes to the face whose mouth moves while that voice speaks more than
while the others do (active speaker, over the whole session so far). The voice split can hear
one person as two voices; then their one face moves as much with both, and no face leads. So
a voice no face leads goes to the one face on screen when that face was the only one there
whenever the voice spoke, moved its mouth with it about as much as with its other voices (a
listener's mouth is stiller while someone else talks), and, where there was silence to
compare, more than in silence (a chewing mouth moves all the time). Any other voice is a
voice-only participant under its own name. A new voice, while it speaks with a face on
screen but too little has been watched to judge it, is said of no one yet (as a face is nobody
until it is confirmed); once judged, what it said meanwhile goes to its owner. With no face
on screen a voice is its own participant ("v1", "them", or "speaker"), made only once it
speaks; a face gone for under a second (dropped frames, a glance away) keeps its voice (the
analyzer passes such faces in). Finished voice events are given to whoever held the voice at their middle.
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
# The same margin judges the one face on screen (_sole_talker). Measured in `copilot analyze`
# ticks: tuning-half talkers move 0.19-0.25 more while speaking than in silence
# (video_retalking/5 0.46 vs 0.27, tpsmm/driving 0.42 vs 0.17); lightasd_tiwater/00000.avi's
# man 0.32 with his voice, 0.18 while the other man speaks off screen, 0.13 in silence; the
# woman of trial_truth_001.mp4, heard as two voices, 0.23 and 0.21 with them.
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
        self.quiet: dict[str, list[float]] = {}  # face -> [sum, count] while no voice speaks
        # Voices not yet judged while faces are on screen -> since when: nobody's yet.
        self.undecided: dict[str, float] = {}
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
            out[channel], sure = self._owner(channel, history, faces)
            held = self.held.setdefault(channel, deque())
            if not sure and talking:  # being watched: judged within about a second
                self.undecided.setdefault(channel, t)
            elif channel in self.undecided:  # judged, or silent before it could be: settled now
                since, alone = self.undecided.pop(channel), self.voice_only(channel)
                self.held[channel] = held = deque((at, out[channel] if at >= since and pid == alone else pid)
                                                  for at, pid in held)
            held.append((t, out[channel]))
            while held and held[0][0] < t - HISTORY_S:
                held.popleft()
        return out

    def _gather(self, speaking: dict[str, bool], faces: dict[str, float]) -> None:
        talking = {ch for ch, on in speaking.items() if on and ch != MIC}
        self.heard |= talking
        if not talking:
            for pid, mouth in faces.items():
                total = self.quiet.setdefault(pid, [0.0, 0])
                total[0] += mouth
                total[1] += 1
        for voice in self.heard:
            into = self.during if voice in talking else self.apart if talking else None
            if into is None:
                continue
            for pid, mouth in faces.items():
                total = into.setdefault((voice, pid), [0.0, 0])
                total[0] += mouth
                total[1] += 1

    def _linked(self, voice: str, faces: dict[str, float]) -> tuple[str, bool]:
        """The face that moves with `voice` rather than with the other voices, else the one
        face that talks with every voice (see _sole_talker), else the voice alone; while no face
        has been watched long enough beside the other voices (one just began), the face that
        held the voice keeps it. Also whether the evidence decided it."""
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
        if best != alone:
            return best, True
        sole, watched = self._sole_talker(voice, faces)
        if sole is not None:
            return sole, True
        if not judged:
            held = self.held.get(voice)
            if held and held[-1][1] in faces:
                return held[-1][1], True
        return alone, judged or watched

    def _sole_talker(self, voice: str, faces: dict[str, float]) -> tuple[str | None, bool]:
        """The one face on screen if it was the only face there while `voice` spoke and its
        mouth says nothing against the voice being its own: it moved with this voice no less
        (by LINK_MARGIN) than with each other voice it was watched with, and, given a second of
        silence to compare, more (by LINK_MARGIN) than in silence. Also whether that face was
        watched long enough with the voice to judge at all."""
        watched = [pid for (v, pid) in self.during if v == voice]
        if len(faces) != 1 or watched != list(faces):
            return None, False
        pid = watched[0]
        total, count = self.during[(voice, pid)]
        if count < LINK_EVIDENCE_TICKS:
            return None, False
        moving = total / count
        for (other, face), (other_total, other_count) in self.during.items():
            if face == pid and other != voice and other_count >= LINK_EVIDENCE_TICKS \
                    and moving - other_total / other_count <= -LINK_MARGIN:
                return None, True  # stiller than with another voice: listening to someone else
        quiet = self.quiet.get(pid)
        if quiet and quiet[1] >= LINK_EVIDENCE_TICKS and moving - quiet[0] / quiet[1] < LINK_MARGIN:
            return None, True  # moves as much in silence: not with speech
        return pid, True

    def _owner(self, channel: str, history: deque[float], faces: dict[str, float]) -> tuple[str, bool]:
        """Who holds `channel` now, and whether that is settled (False: a voice nobody holds
        yet, with too little watched to judge it)."""
        if channel == MIC or not faces:
            return VOICE_ONLY.get(channel, channel), True
        if len(self.heard - {channel}) > 0:
            return self._linked(channel, faces)
        if len(faces) == 1:
            return next(iter(faces)), True
        voice = np.array(history)
        best, best_score = None, -np.inf
        for pid in sorted(faces):
            mouth = np.array(self.mouths[pid])[-len(voice):]
            v = voice[-len(mouth):]
            score = float(np.mean((mouth - mouth.mean()) * (v - v.mean()))) + 1e-3 * mouth[-1]
            if score > best_score:
                best, best_score = pid, score
        return best, True

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
        quiet = self.quiet.pop(old, None)
        if new is not None and quiet is not None:
            self.quiet[new] = quiet
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
