"""Who speaks when on a mixed track: speech cut where it pauses into phrases, each phrase's
voiceprint given to a voice heard before or, when it is like none of them, to a new one.

People change turns where the sound pauses, mostly after a gap of a fifth of a second or less
(speakers.toml), so the track's speech is cut at every pause of `pause_s` or more, and speech
that runs on without one is cut at its quietest moment into pieces no longer than `longest_s`.
Each piece of `shortest_s` or more gets a voiceprint as soon as it ends. A piece close enough
(`same_voice`) to a voice's mean voiceprint is that voice (and, if `teaching_s` long, moves the
mean). Pieces like no voice are grouped by likeness; a group holding `found_s` of speech founds
a new voice, so a live call names a new person within about a second of their first words,
while one odd piece (a laugh, a cough) makes no one. Until then such a piece goes with the
nearest voice, and pieces too short for a steady voiceprint go with the piece before them.
When the gate closes an utterance, its pieces give its turns: a change of voice between two
pieces is placed in the pause between them.

Voices are named v1, v2, ... in the order they are first heard and never change name, so what
was said about v2 stays v2's. The settings live in speakers.toml.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from copilot.capture.items import SAMPLE_RATE_HZ
from copilot.engine.buffers import RecentAudio
from copilot.shipped.resources import read_toml
from copilot.voice.voiceprint import VoiceprintEncoder

SETTINGS_FILE = Path(__file__).with_name("speakers.toml")
AUDIO_KEEP_S = 8.0  # a piece is cut within longest_s of its start, and the loud level reads back further
PIECES_KEEP = 64  # finished pieces remembered, to say whose a sound found later on the track was
FRAME_S = 0.01  # loudness is read in 10 ms frames
FRAME = round(FRAME_S * SAMPLE_RATE_HZ)


@dataclass(frozen=True, slots=True)
class SpeakerSettings:
    pause_s: float
    pause_db: float
    longest_s: float
    shortest_s: float
    same_voice: float
    teaching_s: float
    found_s: float
    candidates_s: float


@cache
def speaker_settings() -> SpeakerSettings:
    data = read_toml(SETTINGS_FILE, "speaker settings")
    return SpeakerSettings(**data["pieces"], **data["voices"])


@dataclass(slots=True)
class VoicePiece:
    """A stretch of one utterance said by one voice."""

    voice: str
    start: float
    end: float
    # Where one voice hands over to another, the cut lies in the middle of a pause: its halves
    # are in the pieces (who spoke when, as diarization scores it, counts a turn's pauses as the
    # turn's) but are quiet, so a reply's gap is measured between the speech, not the cut.
    quiet_before_s: float = 0.0
    quiet_after_s: float = 0.0


@dataclass
class VoiceBook:
    """The voices heard so far, each a running sum of its pieces' voiceprints."""

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
        """A voice named before any voiceprint could teach it (the first speech was short)."""
        return next((n for n, c in zip(self.names, self.counts, strict=True) if c == 0), None)


@dataclass(slots=True)
class Piece:
    """A stretch of speech between two pauses (or cuts), and whose voice it is."""

    start: float
    end: float
    voice: str | None = None
    said_from: float = 0.0  # where its speech begins: the end of the pause it was cut in
    said_to: float = 0.0  # and ends: the start of the next cut's pause (at a cut without one, the cut)


class MixedTrack:
    """One mixed channel: its recent audio, the pieces of the utterance in progress, their voices."""

    def __init__(self, channel: str, book: VoiceBook, encoder: VoiceprintEncoder,
                 settings: SpeakerSettings | None = None) -> None:
        self.channel = channel
        self.book = book
        self.encoder = encoder
        self.settings = settings or speaker_settings()
        self.audio = RecentAudio(AUDIO_KEEP_S)
        self.loudness = RecentLoudness(AUDIO_KEEP_S)
        self.cut_at: float | None = None  # where the utterance in progress was last cut
        self.quiet_to = 0.0  # where the pause of that cut ended (the cut itself when it had none)
        self.done: list[Piece] = []  # of the utterance in progress
        self.candidates: list[list[tuple[Piece, np.ndarray]]] = []  # groups of recent pieces like no voice
        self.last_voice: str | None = None
        self.pieces: deque[VoicePiece] = deque(maxlen=PIECES_KEEP)
        self.embedded = 0  # voiceprints taken, for the benchmark

    def hear(self, t: float, samples: np.ndarray) -> None:
        self.audio.add(t, samples)
        self.loudness.add(t, samples)

    def follow(self, start: float | None, now: float) -> None:
        """Cuts the utterance in progress (begun at `start`) at the pauses heard by `now`, and
        names the voice of each piece that ended."""
        if start is None:
            return
        if not self.book.names:  # the first speech on any mixed track: someone, not yet known
            self.book.found()
        if self.cut_at is None or self.cut_at < start:
            self.cut_at, self.quiet_to, self.done = start, start, []
        while (cut := self._next_cut(now)) is not None:
            at, quiet_from, quiet_to = cut
            self._close(self.cut_at, at, quiet_from)
            self.cut_at, self.quiet_to = at, quiet_to

    def finish(self, start: float, end: float) -> list[VoicePiece]:
        """The utterance [start, end] the gate closed, cut into pieces by voice."""
        self.follow(start, end)
        if end - self.cut_at > 1e-6 or not self.done:
            self._close(self.cut_at, end, end)
        done, self.done, self.cut_at = self.done, [], None
        fallback = self.last_voice or self.book.untaught() or self.book.names[0]
        voices, before = [], None
        for piece in done:  # unnamed short pieces go with the piece before (the first: after)
            before = piece.voice or before
            voices.append(before)
        after = next((v for v in voices if v is not None), fallback)
        voices = [v or after for v in voices]
        turns = [VoicePiece(voices[0], start, end)]
        for prior, piece, voice in zip(done[:-1], done[1:], voices[1:], strict=True):
            if voice != turns[-1].voice:
                turns[-1].end, turns[-1].quiet_after_s = piece.start, piece.start - prior.said_to
                turns.append(VoicePiece(voice, piece.start, end, piece.said_from - piece.start))
        self.last_voice = turns[-1].voice
        self.pieces.extend(turns)
        return turns

    def voice_now(self) -> str | None:
        """Who is speaking in the utterance in progress, as far as its pieces tell yet (before
        its first named piece: whoever spoke last)."""
        for piece in reversed(self.done):
            if piece.voice is not None:
                return piece.voice
        return self.last_voice or self.book.untaught()

    def voice_at(self, t: float) -> str:
        """Whose speech covered `t`, or came last before it: a sound found on the track between
        utterances (laughter) goes to the voice heard last, the likeliest of those known."""
        before = [p for p in self.pieces if p.start <= t]
        if before:
            return before[-1].voice
        return self.voice_now() or next(iter(self.book.names), None) or self.book.found()

    def _next_cut(self, now: float) -> tuple[float, float, float] | None:
        """The first place after `cut_at` to cut the utterance, heard by `now`: the middle of a
        pause that has ended, or, once longest_s has gone by without one, the quietest moment of
        its second half; with the pause's start and end (the cut itself when there was none).
        None while neither is there yet."""
        s = self.settings
        level = self.loudness.between(now - AUDIO_KEEP_S, now)[1]
        if len(level) == 0:
            return None
        loud = float(np.percentile(level, 95))  # the speech's level over the last seconds
        first, level = self.loudness.between(self.cut_at, now)
        quiet, need, k = level < loud - s.pause_db, max(1, round(s.pause_s / FRAME_S)), 0
        while k < len(quiet):
            if not quiet[k]:
                k += 1
                continue
            end = k
            while end < len(quiet) and quiet[end]:
                end += 1
            if k > 0 and end < len(quiet) and end - k >= need:  # sound on both sides
                return first + (k + end) / 2 * FRAME_S, first + k * FRAME_S, first + end * FRAME_S
            k = end
        longest = round(s.longest_s / FRAME_S)
        if len(level) >= longest:
            k = longest // 2 + int(np.argmin(level[longest // 2:longest]))
            at = first + (k + 0.5) * FRAME_S
            return at, at, at
        return None

    def _close(self, start: float, end: float, said_to: float) -> None:
        """A piece [start, end] has ended, its speech at `said_to`: its voice, if it is long
        enough to tell."""
        s, piece = self.settings, Piece(start, end, said_from=self.quiet_to, said_to=said_to)
        self.done.append(piece)
        if end - start < s.shortest_s - 1e-6:
            return
        samples = self.audio.cut(start, end)[1]
        embedding = self.encoder.embed([samples])[0]
        self.embedded += 1
        voice, similarity = self.book.nearest(embedding)
        # for now the nearest voice (the first, before any is taught), even if like nobody: a new
        # voice must first be confirmed
        piece.voice = voice or self.book.untaught() or self.book.names[0]
        if voice is not None and similarity >= s.same_voice:
            if end - start >= s.teaching_s - 1e-6:
                self.book.teach(voice, embedding)
            return
        self._candidate(piece, embedding)

    def _candidate(self, piece: Piece, embedding: np.ndarray) -> None:
        """A piece like no voice joins the group of recent such pieces it is like (or starts one);
        a group holding found_s of speech founds a new voice, and its pieces are that voice.
        Groups whose last piece ended over candidates_s ago are forgotten."""
        s = self.settings
        groups = [g for g in self.candidates if piece.end - g[-1][0].end <= s.candidates_s]
        best, best_sim = None, s.same_voice
        for group in groups:
            mean = np.sum([e for _, e in group], axis=0)
            sim = float(mean @ embedding) / max(float(np.linalg.norm(mean)), 1e-9)
            if sim >= best_sim:
                best, best_sim = group, sim
        if best is None:
            best = []
            groups.append(best)
        best.append((piece, embedding))
        self.candidates = groups
        if sum(p.end - p.start for p, _ in best) < s.found_s - 1e-6:
            return
        voice = self.book.untaught() or self.book.found()
        for p, e in best:
            p.voice = voice
            self.book.teach(voice, e)
        groups.remove(best)


class RecentLoudness:
    """The loudness of the last `keep_s` of a track in 10 ms frames, each frame measured once as
    its audio arrives (the cuts read the same seconds again at every step)."""

    def __init__(self, keep_s: float) -> None:
        self.keep_s = keep_s
        self.starts = np.zeros(0)  # each frame's start, session time
        self.db = np.zeros(0)
        self._rest = np.zeros(0, np.float32)  # samples after the last whole frame
        self._rest_t: float | None = None

    def add(self, t: float, samples: np.ndarray) -> None:
        samples = np.asarray(samples, np.float32)
        rest_end = None if self._rest_t is None else self._rest_t + len(self._rest) / SAMPLE_RATE_HZ
        if rest_end is not None and abs(rest_end - t) < 0.5 / SAMPLE_RATE_HZ:  # goes on where it was
            t, samples = self._rest_t, np.concatenate([self._rest, samples])
        count = len(samples) // FRAME
        if count:
            self.starts = np.concatenate([self.starts, t + np.arange(count) * FRAME_S])
            self.db = np.concatenate([self.db, _levels(samples[: count * FRAME])])
            keep = self.starts >= self.starts[-1] + FRAME_S - self.keep_s - 1e-6
            self.starts, self.db = self.starts[keep], self.db[keep]
        self._rest, self._rest_t = samples[count * FRAME:], t + count * FRAME_S

    def between(self, start: float, end: float) -> tuple[float, np.ndarray]:
        """(start of the first frame, the levels of the frames wholly inside [start, end])."""
        inside = (self.starts >= start - 1e-6) & (self.starts + FRAME_S <= end + 1e-6)
        chosen = self.db[inside]
        return (float(self.starts[inside][0]) if len(chosen) else start), chosen


def _levels(samples: np.ndarray) -> np.ndarray:
    """The loudness of each 10 ms frame, in dB."""
    count = len(samples) // FRAME
    energy = np.square(samples[: count * FRAME].reshape(count, FRAME), dtype=np.float64).mean(axis=1)
    return 10 * np.log10(energy + 1e-12)
