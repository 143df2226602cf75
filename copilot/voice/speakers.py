"""Who speaks when on a mixed track: speech cut into overlapping windows, each window's voice
embedding given to a voice heard before or, once it holds, to a new one (online clustering).

While someone speaks, a window of `length_s` starts every `hop_s` and is embedded as soon as
it is complete, so a live call learns a new voice within about two seconds of its first
speech. A window is judged when its neighbours are known: it is "steady" (one voice all
through) when it resembles both of them. Steady windows move their voice's mean and may
found a new voice; a window that straddles a turn change only takes the nearest voice's
name. When the gate closes an utterance, its windows' voices (with a lone odd window
smoothed away) cut it into pieces, each said by one voice; a change between two windows is
placed in the middle of their overlap.

Voices are named v1, v2, ... in the order they are first heard; a voice never changes its
name, so what was said about v2 stays v2's. The thresholds live in speakers.toml.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from copilot.engine.buffers import RecentAudio
from copilot.shipped.resources import read_toml
from copilot.voice.embedding import VoiceEncoder

SETTINGS_FILE = Path(__file__).with_name("speakers.toml")
AUDIO_KEEP_S = 6.0  # a window is embedded once complete; the last one of an utterance reaches back length_s
PIECES_KEEP = 64  # finished pieces remembered, to say whose a sound found later on the track was


@dataclass(frozen=True, slots=True)
class SpeakerSettings:
    length_s: float
    hop_s: float
    shortest_s: float
    quiet_below_db: float
    same_voice: float
    steady: float
    new_voice_windows: int
    teaching_s: float


@cache
def speaker_settings() -> SpeakerSettings:
    data = read_toml(SETTINGS_FILE, "speaker settings")
    return SpeakerSettings(**data["windows"], **data["voices"])


@dataclass(slots=True)
class VoicePiece:
    """A stretch of one utterance said by one voice."""

    voice: str
    start: float
    end: float


@dataclass(slots=True)
class Window:
    start: float
    end: float
    embedding: np.ndarray
    voice: str | None = None
    judged: bool = False


@dataclass
class VoiceBook:
    """The voices heard so far, each a running sum of its steady windows' embeddings."""

    names: list[str] = field(default_factory=list)
    sums: list[np.ndarray] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)

    def nearest(self, embedding: np.ndarray) -> tuple[str | None, float]:
        """The most similar voice that has been taught, and its cosine similarity."""
        best, best_sim = None, -1.0
        for name, total, count in zip(self.names, self.sums, self.counts, strict=True):
            if count:
                sim = float(total @ embedding / max(float(np.linalg.norm(total)), 1e-9))
                if sim > best_sim:
                    best, best_sim = name, sim
        return best, best_sim

    def found(self) -> str:
        name = f"v{len(self.names) + 1}"
        self.names.append(name)
        self.sums.append(np.zeros(0, np.float32))
        self.counts.append(0)
        return name

    def teach(self, name: str, embedding: np.ndarray) -> None:
        i = self.names.index(name)
        self.sums[i] = embedding.copy() if self.counts[i] == 0 else self.sums[i] + embedding
        self.counts[i] += 1

    def untaught(self) -> str | None:
        """A voice named before any of its windows could teach it (the first speech was short)."""
        return next((n for n, c in zip(self.names, self.counts, strict=True) if c == 0), None)


class MixedTrack:
    """One mixed channel: its recent audio, the windows of the utterance in progress, their voices."""

    def __init__(self, channel: str, book: VoiceBook, encoder: VoiceEncoder,
                 settings: SpeakerSettings | None = None) -> None:
        self.channel = channel
        self.book = book
        self.encoder = encoder
        self.settings = settings or speaker_settings()
        self.audio = RecentAudio(AUDIO_KEEP_S)
        self.windows: list[Window] = []  # of the utterance in progress
        self.candidates: list[Window] = []  # steady windows like no voice so far, in a row
        self.last_voice: str | None = None
        self.pieces: deque[VoicePiece] = deque(maxlen=PIECES_KEEP)
        self.embedded = 0  # windows embedded, for the benchmark

    def hear(self, t: float, samples: np.ndarray) -> None:
        self.audio.add(t, samples)

    def follow(self, start: float | None, now: float) -> None:
        """Embeds the windows of the utterance in progress (begun at `start`) complete by `now`."""
        if start is None:
            return
        if not self.book.names:  # the first speech on any mixed track: someone, not yet known
            self.book.found()
        s = self.settings
        spans = []
        at = start + len(self.windows) * s.hop_s
        while at + s.length_s <= now + 1e-9:
            spans.append((at, at + s.length_s))
            at += s.hop_s
        self._embed(spans)
        for i in range(len(self.windows) - 1):
            if not self.windows[i].judged:
                self._judge(i)

    def finish(self, start: float, end: float) -> list[VoicePiece]:
        """The utterance [start, end] the gate closed, cut into pieces by voice."""
        s = self.settings
        if not self.windows:
            if end - start >= s.shortest_s:
                self._embed([(start, end)])
        elif end - self.windows[-1].end > s.hop_s / 2:
            self._embed([(max(start, end - s.length_s), end)])
        for i in range(len(self.windows)):
            if not self.windows[i].judged:
                self._judge(i)
        windows, self.windows = self.windows, []
        fallback = self.last_voice or self.book.untaught() or next(iter(self.book.names), None)
        if fallback is None:  # the track's first speech, too short to embed: someone, not yet known
            fallback = self.book.found()
        voices = [w.voice or fallback for w in windows]
        for i in range(1, len(voices) - 1):  # a lone window between two of one voice is that voice
            if voices[i - 1] == voices[i + 1] != voices[i]:
                voices[i] = voices[i - 1]
        pieces = [VoicePiece(voices[0] if voices else fallback, start, end)]
        for a, b, voice in zip(windows, windows[1:], voices[1:], strict=False):
            if voice != pieces[-1].voice:
                cut = min(max((a.end + b.start) / 2, pieces[-1].start), end)
                pieces[-1].end = cut
                pieces.append(VoicePiece(voice, cut, end))
        pieces = [p for p in pieces if p.end > p.start] or [VoicePiece(pieces[0].voice, start, end)]
        self.last_voice = pieces[-1].voice
        self.pieces.extend(pieces)
        return pieces

    def voice_now(self) -> str | None:
        """Who is speaking in the utterance in progress, as far as its windows tell yet
        (before its first window: whoever spoke last)."""
        for window in reversed(self.windows):
            if window.voice is not None:
                return window.voice
        guess = self.book.nearest(self.windows[-1].embedding)[0] if self.windows else None
        return guess or self.last_voice or self.book.untaught()

    def voice_at(self, t: float) -> str:
        """Whose speech covered `t`, or came last before it: a sound found on the track between
        utterances (laughter) goes to the voice heard last, the likeliest of those known."""
        before = [p for p in self.pieces if p.start <= t]
        if before:
            return before[-1].voice
        return self.voice_now() or next(iter(self.book.names), None) or self.book.found()

    def _embed(self, spans: list[tuple[float, float]]) -> None:
        if not spans:
            return
        stretches = [self.audio.cut(a, b)[1] for a, b in spans]
        embeddings = self.encoder.embed(stretches, quiet_below_db=self.settings.quiet_below_db)
        self.embedded += len(spans)
        self.windows += [Window(a, b, e) for (a, b), e in zip(spans, embeddings, strict=True)]

    def _judge(self, i: int) -> None:
        s, window = self.settings, self.windows[i]
        window.judged = True
        neighbours = [self.windows[j].embedding for j in (i - 1, i + 1) if 0 <= j < len(self.windows)]
        steady = all(float(window.embedding @ n) >= s.steady for n in neighbours)
        teaches = steady and window.end - window.start >= s.teaching_s - 1e-6
        voice, similarity = self.book.nearest(window.embedding)
        if voice is None:  # nobody taught yet: the first steady window teaches the first voice
            if teaches:
                voice = self.book.untaught() or self.book.found()
                self.book.teach(voice, window.embedding)
            window.voice = voice
            return
        window.voice = voice
        if similarity >= s.same_voice:
            if teaches:
                self.book.teach(voice, window.embedding)
                self.candidates = []
            return
        if not teaches:
            return
        if self.candidates and float(self.candidates[-1].embedding @ window.embedding) < s.same_voice:
            self.candidates = []
        self.candidates.append(window)
        if len(self.candidates) >= s.new_voice_windows:
            new = self.book.found()
            for candidate in self.candidates:
                self.book.teach(new, candidate.embedding)
                candidate.voice = new
            self.candidates = []
