"""Analyzer "voice": per channel, causal voice cues from whatever audio each step brings.

Audio is cut into 512-sample windows (Silero's unit, two 16 ms pitch hops each); the
remainder waits for the next step. All channels' windows go through Silero in one
batched call per window position and through the pitch/spectrum pass in one call,
because per-call overhead, not arithmetic, dominates at 10-30 steps a second.

A mixed track (a recording's own track "file", or system audio "them", where several
people may talk) is split by voice (copilot/voice/speakers.py): its utterances come out
as pieces said by voices v1, v2, ..., each described against its own habits, and the
conversation (turns, overlaps, interruptions, response latency, talk time) is between
those voices and the microphone ("you", always one voice: the user).
"""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np

from copilot.capture.items import SAMPLE_RATE_HZ
from copilot.engine.step import Step
from copilot.voice.channel import ChannelTrack
from copilot.voice.conversation import Conversation, TalkTime
from copilot.voice.cues import ConversationStats, VoiceEvent, VoiceNow, VoiceResult
from copilot.voice.faces import MouthWatch
from copilot.voice.frames import analyse_frames, frames_of
from copilot.voice.gate import Utterance
from copilot.voice.history import HOP_S
from copilot.voice.laughter import settings as laughter_settings
from copilot.voice.prosody import semitones
from copilot.voice.responses import PendingResponses, listener_response
from copilot.voice.speakers import MixedTrack, SpeakerSettings, VoiceBook
from copilot.voice.talker import Talker
from copilot.voice.vad import WINDOW, SpeechProbability

WINDOW_S = WINDOW / SAMPLE_RATE_HZ
KEEP_LAUGHS_S = 30.0  # laughs kept for the utterances awaiting them (they wait well under a second)
HOPS_PER_WINDOW = 2
MIXED = ("file", "them")  # tracks that may carry several people's voices


class VoiceAnalyzer:
    name = "voice"

    def __init__(self, model: Any | None = None, *, speakers: bool = True, encoder: Any | None = None,
                 speaker_settings: SpeakerSettings | None = None) -> None:
        """`speakers`: split mixed tracks by voice (off: each channel is one voice, as the
        microphone always is). `encoder`: the voice encoder to use (loaded when first needed);
        `speaker_settings`: instead of speakers.toml's (for tuning)."""
        self.vad = SpeechProbability(model)
        self.channels: dict[str, ChannelTrack] = {}
        self.split = speakers
        self.encoder = encoder
        self.speaker_settings = speaker_settings
        self.book = VoiceBook()  # the voices of every mixed track, named v1, v2, ... across them
        self.mixed: dict[str, MixedTrack] = {}
        self.talkers: dict[str, Talker] = {}  # each voice heard so far, by name
        self.sources: dict[str, str] = {}  # voice -> the channel it is heard on
        self.conversation = Conversation()
        # Utterances that ended but that the conversation has not yet been told of: whether one
        # was a laugh is known only once the laughter watch of its channel has passed its end
        # (about 0.4 s later), and laughing along with someone is not taking the floor from them.
        self.undecided: list[Utterance] = []
        self.laughs: deque[tuple[str, float, float]] = deque()  # (channel, start, end) of recent laughs
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
                track = self._open(name, chunk.t)
            joined = np.concatenate([track.pending, np.asarray(chunk.samples, np.float32)])
            usable = len(joined) // WINDOW * WINDOW
            track.pending = joined[usable:]
            if usable:
                windows[name] = joined[:usable].reshape(-1, WINDOW)
        events = self._process(windows) if windows else []
        faces = step.results.get("faces")
        mouths = self.mouths.update(faces) if faces else []
        return VoiceResult(step.t, self._all_now(), events, self._stats(), mouths, dict(self.sources),
                           self._channels_now())

    def _open(self, name: str, t0: float) -> ChannelTrack:
        track = self.channels[name] = ChannelTrack(name, t0)
        if self.split and name in MIXED:
            if self.encoder is None:
                from copilot.voice.voiceprint import VoiceprintEncoder

                self.encoder = VoiceprintEncoder()
            self.mixed[name] = MixedTrack(name, self.book, self.encoder, self.speaker_settings)
        else:
            self.talkers[name] = track.talker
            self.sources[name] = name
        return track

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
            mixed = self.mixed.get(name)
            part = _slice(hops, offset, offset + count)
            offset += count
            track.history.add(part)
            track.gate.track_floor(part.loudness_db)
            if mixed is not None:
                mixed.hear(track.history.t0 + track.windows_done * WINDOW_S, w.reshape(-1))
            speaking = np.zeros(len(w), bool)
            for i, p in enumerate(probabilities[name]):
                start = track.history.t0 + (track.windows_done + i) * WINDOW_S
                ended = track.gate.update(float(p), start, start + WINDOW_S)
                if mixed is None:
                    finished.extend(ended)
                else:
                    finished.extend(self._pieces(mixed, ended))
                talker = self._resuming(name)
                if talker is not None:
                    resumed.extend(talker.resumed(track.gate.start, start + WINDOW_S))
                speaking[i] = track.gate.speaking
            track.windows_done += len(w)
            track.last_probability = float(probabilities[name][-1])
            heard = self._heard_laughs(name, track.laughter.add(part))
            if mixed is None:
                self.talk.add(name, speaking)
                laughs += heard
            else:
                mixed.follow(track.gate.start, track.t)
                now = mixed.voice_now()
                for voice in self._voices_of(name):
                    self.talk.add(voice, speaking & (voice == now))
                laughs += [self._said_by(mixed, e) for e in heard]
        return self._describe(sorted(finished, key=lambda u: u.end), resumed) + laughs

    def _heard_laughs(self, channel: str, found: list[VoiceEvent]) -> list[VoiceEvent]:
        """Keeps the laughs found on a channel for the utterances still undecided."""
        for event in found:
            self.laughs.append((channel, event.start, event.end))
        while self.laughs and self.laughs[0][2] < self.laughs[-1][2] - KEEP_LAUGHS_S:
            self.laughs.popleft()
        return found

    def _resuming(self, channel: str) -> Talker | None:
        """Whose pause ends when speech resumes on `channel`: its one voice. A mixed track with
        several voices says who resumed only once it has heard them (the pause is then told
        when the utterance ends, or not at all when someone else took the turn)."""
        mixed = self.mixed.get(channel)
        if mixed is None:
            return self.talkers[channel]
        voices = self._voices_of(channel)
        return self.talkers[voices[0]] if len(voices) == 1 else None

    def _pieces(self, mixed: MixedTrack, ended: list[Utterance]) -> list[Utterance]:
        out = []
        for utterance in ended:
            mixed.follow(utterance.start, utterance.end)
            for piece in mixed.finish(utterance.start, utterance.end):
                self._voice(piece.voice, mixed.channel)
                out.append(Utterance(piece.voice, piece.start, piece.end, piece.quiet_before_s,
                                     piece.quiet_after_s))
        return out

    def _voice(self, voice: str, channel: str) -> Talker:
        if voice not in self.talkers:
            self.talkers[voice] = Talker(voice, self.channels[channel].history)
            self.sources[voice] = channel
        return self.talkers[voice]

    def _voices_of(self, channel: str) -> list[str]:
        mixed = self.mixed[channel]
        now = mixed.voice_now()
        if now is not None:
            self._voice(now, channel)
        return [v for v, source in self.sources.items() if source == channel]

    def _said_by(self, mixed: MixedTrack, event: VoiceEvent) -> VoiceEvent:
        """A sound found on the whole track (laughter) given to the voice heard around it."""
        voice = mixed.voice_at((event.start + event.end) / 2)
        self._voice(voice, mixed.channel)
        return VoiceEvent(event.kind, voice, event.start, event.end, event.details)

    def _describe(self, finished: list[Utterance], resumed: list[VoiceEvent] = ()) -> list[VoiceEvent]:
        conversing = len(self.talkers) >= 2
        events = [e for e in resumed if not (conversing and self._other_spoke(e))]
        for utterance in finished:
            talker = self.talkers[utterance.channel]
            silent_since = talker.previous.end if talker.previous is not None else talker.history.t0
            described = talker.describe(utterance)
            for event in described:
                if event.kind == "pause" and conversing and self._other_spoke(event):
                    continue  # someone else talked in the gap: a turn change, not a pause
                events.append(event)
            # Kept from the first utterance on, so a voice heard later meets the talk before it.
            self.undecided.append(utterance)
            if not conversing:  # one voice only: a response is known by its shape
                self.responses.offer(listener_response(described, silent_since), utterance.channel)
        events += self._decide()
        for name in self.talkers:
            track = self.channels[self.sources[name]]
            speech_start = track.gate.start if self._speaking(name) else None
            events += self.responses.confirmed(name, track.t, speech_start)
        return events

    def _decide(self, *, all_of_them: bool = False) -> list[VoiceEvent]:
        """Tells the conversation of the undecided utterances, in the order they ended, as far as
        the laughter watches have decided (`all_of_them`: the input ended, every laugh is known).
        One mostly covered by a laugh on its channel is left out: it neither takes the floor nor
        cuts in, and no turn is counted for it."""
        events = []
        share = laughter_settings()["conversation"]["laugh_share"]
        while self.undecided:
            utterance = self.undecided[0]
            channel = self.sources[utterance.channel]
            if not all_of_them and self.channels[channel].laughter.decided_until() < utterance.end:
                break
            self.undecided.pop(0)
            laughed = sum(max(0.0, min(end, utterance.end) - max(start, utterance.start))
                          for ch, start, end in self.laughs if ch == channel)
            if utterance.duration > 0 and laughed >= share * utterance.duration:
                continue
            for h in self.conversation.finished(utterance, self._ongoing_at(utterance)):
                events.append(VoiceEvent(h.kind, h.channel, h.start, h.end, h.details))
        return events

    def _ongoing_at(self, utterance: Utterance) -> dict[str, float | None]:
        """Each other voice -> the start of its speech in progress when `utterance` ended (None:
        silent then), as the conversation would have been told at that moment: speech still under
        way, or an utterance that has ended since but is itself still undecided."""
        out: dict[str, float | None] = {}
        for voice, start in self._ongoing().items():
            later = [u.start for u in self.undecided
                     if u.channel == voice and u.start < utterance.end <= u.end]
            out[voice] = later[0] if later else start
        return out

    def _speaking(self, voice: str) -> bool:
        """Whether `voice` is the one speaking on its channel now."""
        channel = self.sources[voice]
        if not self.channels[channel].gate.speaking:
            return False
        return channel not in self.mixed or self.mixed[channel].voice_now() == voice

    def _ongoing(self) -> dict[str, float | None]:
        """Each voice -> the start of its speech in progress (None: silent)."""
        return {v: self.channels[self.sources[v]].gate.start if self._speaking(v) else None
                for v in self.talkers}

    def _other_spoke(self, gap: VoiceEvent) -> bool:
        for name, start in self._ongoing().items():
            if name == gap.channel:
                continue
            if start is not None and start < gap.end:
                return True
            heard = [*self.conversation.done.get(name, ()), *(u for u in self.undecided if u.channel == name)]
            if any(u.start < gap.end and u.end > gap.start for u in heard):
                return True
        return False

    def _all_now(self) -> dict[str, VoiceNow]:
        return {name: self._now(self.channels[self.sources[name]], self.talkers[name],
                                self._speaking(name)) for name in self.talkers}

    def _channels_now(self) -> dict[str, VoiceNow]:
        out = {}
        for name, track in self.channels.items():
            mixed = self.mixed.get(name)
            voice = track.talker if mixed is None else self.talkers.get(mixed.voice_now() or "")
            out[name] = self._now(track, voice, track.gate.speaking)
        return out

    def _now(self, track: ChannelTrack, talker: Talker | None, speaking: bool) -> VoiceNow:
        f0 = track.history.latest("f0_hz")
        loudness = track.history.latest("loudness_db")
        pitch = None if np.isnan(f0) else f0
        vs_pitch = vs_loud = None
        if talker is not None and talker.usual_pitch_st is not None and talker.usual_loudness_db is not None:
            if pitch is not None:
                vs_pitch = float(semitones(np.float32(pitch))) - talker.usual_pitch_st
            vs_loud = loudness - talker.usual_loudness_db
        return VoiceNow(track.t, track.last_probability, speaking, pitch, loudness, vs_pitch, vs_loud)

    def _stats(self) -> ConversationStats:
        names = list(self.talkers)
        return ConversationStats(
            talk_share_1min=self.talk.shares(60.0), talk_share_5min=self.talk.shares(300.0),
            talk_seconds_1min={n: self.talk.seconds(n, 60.0) for n in names},
            longest_monologue_s=dict(self.conversation.longest_monologue_s),
            response_latency_s=dict(self.conversation.response_latency_s), floor=self.conversation.floor)

    def finish(self, t: float) -> VoiceResult:
        """Ends the utterances still open when a recording ends, so its last words are described."""
        ended = []
        for name, track in self.channels.items():
            if track.gate.speaking and track.gate.start is not None:
                closed = track.gate.update(0.0, track.t, track.t + 1.0)  # a long silence
                mixed = self.mixed.get(name)
                ended.extend(closed if mixed is None else self._pieces(mixed, closed))
        events = self._describe(sorted(ended, key=lambda u: u.end)) + self.responses.flush()
        for name, track in self.channels.items():
            mixed = self.mixed.get(name)
            laughs = self._heard_laughs(name, track.laughter.flush())
            events += laughs if mixed is None else [self._said_by(mixed, e) for e in laughs]
        events += self._decide(all_of_them=True)
        last_turn = self.conversation.close()
        events += [VoiceEvent(h.kind, h.channel, h.start, h.end, h.details) for h in last_turn]
        return VoiceResult(t, self._all_now(), events, self._stats(), [], dict(self.sources),
                           self._channels_now())

    def close(self) -> None:
        self.channels.clear()
        self.mixed.clear()


def _slice(hops, first: int, end: int):
    from copilot.voice.frames import HopFeatures

    return HopFeatures(*(getattr(hops, f)[first:end] for f in HopFeatures.__slots__))


assert abs(HOPS_PER_WINDOW * HOP_S - WINDOW_S) < 1e-9
