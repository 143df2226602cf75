"""Analyzer "voice": per channel, causal voice cues from whatever audio each step brings.

Audio is cut into 512-sample windows (Silero's unit, two 16 ms pitch hops each); the
remainder waits for the next step. All channels' windows go through Silero in one
batched call per window position and through the pitch/spectrum pass in one call,
because per-call overhead, not arithmetic, dominates at 10-30 steps a second.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from copilot.capture.items import SAMPLE_RATE_HZ
from copilot.step import Step
from copilot.voice.channel import ChannelTrack
from copilot.voice.conversation import Conversation, TalkTime
from copilot.voice.cues import ConversationStats, VoiceEvent, VoiceNow, VoiceResult
from copilot.voice.faces import MouthWatch
from copilot.voice.frames import analyse_frames, frames_of
from copilot.voice.history import HOP_S
from copilot.voice.prosody import semitones
from copilot.voice.responses import PendingResponses, listener_response
from copilot.voice.vad import WINDOW, SpeechProbability

WINDOW_S = WINDOW / SAMPLE_RATE_HZ
HOPS_PER_WINDOW = 2
TWO_SIDED = ("you", "them")


class VoiceAnalyzer:
    name = "voice"

    def __init__(self, model: Any | None = None) -> None:
        self.vad = SpeechProbability(model)
        self.channels: dict[str, ChannelTrack] = {}
        self.conversation = Conversation()
        self.talk = TalkTime(WINDOW_S)
        self.mouths = MouthWatch()
        self.responses = PendingResponses()

    def analyze(self, step: Step) -> VoiceResult:
        if step.final:
            return self.finish(step.t)
        windows = {}
        for name, chunk in step.audio.items():
            track = self.channels.get(name)
            if track is None:
                track = self.channels[name] = ChannelTrack(name, chunk.t)
            joined = np.concatenate([track.pending, np.asarray(chunk.samples, np.float32)])
            usable = len(joined) // WINDOW * WINDOW
            track.pending = joined[usable:]
            if usable:
                windows[name] = joined[:usable].reshape(-1, WINDOW)
        events = self._process(windows) if windows else []
        faces = step.results.get("faces")
        return VoiceResult(step.t, {n: self._now(t) for n, t in self.channels.items()}, events,
                           self._stats(), self.mouths.update(faces) if faces else [])

    def _process(self, windows: dict[str, np.ndarray]) -> list[VoiceEvent]:
        probabilities = self.vad.run(windows)
        frames, counts = [], []
        for name, w in windows.items():
            track = self.channels[name]
            block, track.frame_tail = frames_of(track.frame_tail, w.reshape(-1))
            frames.append(block)
            counts.append(len(block))
        hops = analyse_frames(np.concatenate(frames))
        finished, resumed, laughs = [], [], []
        offset = 0
        for (name, w), count in zip(windows.items(), counts, strict=True):
            track = self.channels[name]
            part = _slice(hops, offset, offset + count)
            offset += count
            track.history.add(part)
            track.gate.track_floor(part.loudness_db)
            laughs += track.laughter.add(part)
            speaking = np.zeros(len(w), bool)
            for i, p in enumerate(probabilities[name]):
                start = track.history.t0 + (track.windows_done + i) * WINDOW_S
                finished.extend(track.gate.update(float(p), start, start + WINDOW_S))
                resumed.extend(track.resumed(start + WINDOW_S))
                speaking[i] = track.gate.speaking
            track.windows_done += len(w)
            track.last_probability = float(probabilities[name][-1])
            self.talk.add(name, speaking)
        return self._describe(sorted(finished, key=lambda u: u.end), resumed) + laughs

    def _describe(self, finished: list, resumed: list[VoiceEvent] = ()) -> list[VoiceEvent]:
        two_sided = all(ch in self.channels for ch in TWO_SIDED)
        events = [e for e in resumed if not (two_sided and self._other_spoke(e))]
        ongoing = {n: t.gate.start for n, t in self.channels.items() if n in TWO_SIDED}
        for utterance in finished:
            track = self.channels[utterance.channel]
            silent_since = track.previous.end if track.previous is not None else track.history.t0
            described = track.describe(utterance)
            for event in described:
                if event.kind == "pause" and two_sided and self._other_spoke(event):
                    continue  # the other side talked in the gap: a turn change, not a pause
                events.append(event)
            if two_sided and utterance.channel in TWO_SIDED:
                for h in self.conversation.finished(utterance, ongoing):
                    events.append(VoiceEvent(h.kind, h.channel, h.start, h.end, h.details))
            if len(self.channels) == 1:  # one side only: a response is known by its shape
                self.responses.offer(listener_response(described, silent_since), utterance.channel)
        for name, track in self.channels.items():
            events += self.responses.confirmed(name, track.t, track.gate.start)
        return events

    def _other_spoke(self, gap: VoiceEvent) -> bool:
        for name, track in self.channels.items():
            if name == gap.channel:
                continue
            if track.gate.start is not None and track.gate.start < gap.end:
                return True
            if any(u.start < gap.end and u.end > gap.start for u in self.conversation.done.get(name, ())):
                return True
        return False

    def _now(self, track: ChannelTrack) -> VoiceNow:
        f0 = track.history.latest("f0_hz")
        loudness = track.history.latest("loudness_db")
        pitch = None if np.isnan(f0) else f0
        vs_pitch = vs_loud = None
        if track.usual_pitch_st is not None and track.usual_loudness_db is not None:
            if pitch is not None:
                vs_pitch = float(semitones(np.float32(pitch))) - track.usual_pitch_st
            vs_loud = loudness - track.usual_loudness_db
        return VoiceNow(track.t, track.last_probability, track.gate.speaking, pitch,
                        loudness, vs_pitch, vs_loud)

    def _stats(self) -> ConversationStats:
        names = list(self.channels)
        return ConversationStats(
            talk_share_1min=self.talk.shares(60.0), talk_share_5min=self.talk.shares(300.0),
            talk_seconds_1min={n: self.talk.seconds(n, 60.0) for n in names},
            longest_monologue_s=dict(self.conversation.longest_monologue_s),
            response_latency_s=dict(self.conversation.response_latency_s))

    def finish(self, t: float) -> VoiceResult:
        """Ends the utterances still open when a recording ends, so its last words are described."""
        ended = []
        for track in self.channels.values():
            if track.gate.speaking and track.gate.start is not None:
                ended.extend(track.gate.update(0.0, track.t, track.t + 1.0))  # a long silence
        events = self._describe(sorted(ended, key=lambda u: u.end)) + self.responses.flush()
        events += [laugh for track in self.channels.values() for laugh in track.laughter.flush()]
        return VoiceResult(t, {n: self._now(tr) for n, tr in self.channels.items()}, events, self._stats())

    def close(self) -> None:
        self.channels.clear()


def _slice(hops, first: int, end: int):
    from copilot.voice.frames import HopFeatures

    return HopFeatures(*(getattr(hops, f)[first:end] for f in HopFeatures.__slots__))


assert abs(HOPS_PER_WINDOW * HOP_S - WINDOW_S) < 1e-9
