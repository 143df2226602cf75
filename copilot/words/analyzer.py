"""Analyzer "words": each voice's utterances transcribed on a worker thread, released on the session clock.

The voice analyzer says where utterances are. Each utterance goes to the worker as soon as
the voice analyzer closes it, which transcribes it with Moonshine while the analysis thread
goes on: a caption must follow its utterance within about 1.5 s, and a monologue gathered
into one stretch would only be read once it all ended (measured live: p95 6-24 s; in a
file, no caption for the first 14 s of a 13.7 s monologue).

The model reads each utterance on its own (`_utterances`; how, and the measurements behind
it, in reading.toml): our voice gate says where lines of speech start and end, not the
library's own detector, which cut quiet or acted speech mid-sentence and dropped words.

One read is one audio channel's, not one voice's: on a mixed track the voices are told
apart on a grid of half-second windows, so a turn change is placed up to a quarter second
off and a read cut there cuts the words either side of it in half (gloria.mp3: "of course
she can" read as "And you can see that." + "666 See candy"). So the voices' pieces of one
utterance are read together, and each word goes to the voice whose piece holds the word's
middle.

Determinism: with `wait=True` (files) an utterance's words are handed on at the first step
at or after its end + `RELEASE_S`, waiting for the worker only if it is later than that,
so a file analysed flat out or paced gives the same words at the same steps, and the
signals stay identical. Live (`wait=False`) they are handed on as soon as they are ready.

Short listener responses (voice "backchannel" events) are judged by their words: one
that says yes ("yeah", "mm-hmm", "right") is handed on in `responses`; one that is a
filler ("um") or anything else is not a response at all.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from copilot.capture.items import SAMPLE_RATE_HZ
from copilot.engine.buffers import RecentAudio
from copilot.engine.step import Step
from copilot.voice.cues import VoiceEvent
from copilot.voice.history import HOP_S
from copilot.voice.responses import SILENCE_AFTER_S
from copilot.words.lexicon import LexicalCue, find, words_per_minute
from copilot.words.speech_to_text import SpeechToText
from copilot.words.timing import Word, spread

log = logging.getLogger(__name__)

MAX_STRETCH_S = 25.0  # a longer utterance is cut where it is quietest (Moonshine reads up to ~30 s)
PAD_S = 0.15  # audio kept either side of the voice gate's edges: Silero's edges lag by a window
RELEASE_S = 1.5  # files: words enter the session this long after the utterance ended (a pause + model time)
HISTORY_S = MAX_STRETCH_S + 10.0  # audio kept per audio channel
LIVE_BACKLOG = 8  # live: stretches waiting for the worker beyond this drop the oldest (counted)
MATCH_KEEP_S = 10.0  # released stretches kept this long for a late backchannel to find its words


@dataclass(slots=True)
class Said:
    """One transcribed stretch of one channel's speech."""

    channel: str
    start: float
    end: float
    text: str
    words: list[Word]
    cues: list[LexicalCue]
    wpm: float | None
    responses: list[str] = field(default_factory=list)  # quotes of affirmations that were responses

    def to_json(self, participant: str) -> dict[str, object]:
        return {"participant": participant, "start": round(self.start, 3), "end": round(self.end, 3),
                "text": self.text, "words": [w.to_json() for w in self.words],
                "channel": self.channel, "timing": "estimated",
                **({"words_per_minute": self.wpm} if self.wpm is not None else {}),
                "cues": [{"kind": c.kind, "quote": c.quote, "start": round(c.start, 3)} for c in self.cues]}


@dataclass(slots=True)
class WordsResult:
    t: float
    said: list[Said] = field(default_factory=list)  # stretches handed on at this step
    responses: list[VoiceEvent] = field(default_factory=list)  # backchannels that said yes
    waiting: int = 0  # stretches still with the worker
    dropped: int = 0  # live stretches dropped so far because the worker fell behind


@dataclass(slots=True)
class _Job:
    channel: str  # the audio channel
    start: float
    end: float
    clip_t0: float
    samples: np.ndarray
    voiced: list[tuple[str, float, float]]  # the utterances the stretch joined: (voice, start, end)
    said: list[Said] = field(default_factory=list)  # one per run of words of one voice
    done: threading.Event = field(default_factory=threading.Event)


class TranscriptionWorker:
    """One thread and one model; jobs in, finished in order of arrival. Lives until `stop`."""

    def __init__(self, model_factory: Callable[[], SpeechToText] = SpeechToText) -> None:
        self._factory = model_factory
        self._jobs: deque[_Job] = deque()
        self._wake = threading.Condition()
        self._stop = threading.Event()
        self.error: str | None = None
        # For `copilot bench`: seconds spent reading audio, and seconds of audio read (the
        # transcription real-time factor is their ratio).
        self.busy_s = 0.0
        self.audio_s = 0.0
        self._thread = threading.Thread(target=self._run, name="transcription", daemon=True)
        self._thread.start()

    def submit(self, job: _Job) -> None:
        with self._wake:
            self._jobs.append(job)
            self._wake.notify()

    def drop_oldest(self) -> _Job | None:
        with self._wake:
            return self._jobs.popleft() if self._jobs else None

    def backlog(self) -> int:
        with self._wake:
            return len(self._jobs)

    def _run(self) -> None:
        model = None
        try:
            model = self._factory()
        except Exception as exc:  # one line to the user; the rest of the session goes on
            self.error = str(exc)
            log.error("transcription is off: %s", exc)
        while True:
            with self._wake:
                while not self._jobs and not self._stop.is_set():
                    self._wake.wait(0.5)
                if not self._jobs:
                    break
                job = self._jobs.popleft()
            try:
                if model is not None:
                    started = time.perf_counter()
                    job.said = _transcribe(model, job)
                    self.busy_s += time.perf_counter() - started
                    self.audio_s += len(job.samples) / SAMPLE_RATE_HZ
            except Exception:
                log.exception("transcribing %s %.2f-%.2f s failed", job.channel, job.start, job.end)
            finally:
                job.done.set()
        if model is not None:
            model.close()

    def stop(self, timeout_s: float = 3.0) -> None:
        self._stop.set()
        with self._wake:
            self._wake.notify()
        self._thread.join(timeout_s)


def _transcribe(model: SpeechToText, job: _Job) -> list[Said]:
    spans = [(a, b) for _, a, b in job.voiced]
    words = []
    for t0, samples in _utterances(job):
        for line in model.lines(samples):
            words += spread(line.text, t0 + line.start, t0 + line.end, spans)
    runs: list[tuple[str, list[Word]]] = []
    for word in words:
        voice = _voice_at(job.voiced, (word.start + word.end) / 2)
        if runs and runs[-1][0] == voice:
            runs[-1][1].append(word)
        else:
            runs.append((voice, [word]))
    return [Said(voice, run[0].start, run[-1].end, " ".join(w.word for w in run), run, find(run),
                 words_per_minute(run)) for voice, run in runs]


def _utterances(job: _Job) -> list[tuple[float, np.ndarray]]:
    """The stretch's audio cut into the voice gate's utterances, each as (start time, samples).

    The pieces one utterance was cut into by voice touch (they share their cut), so they are
    joined back: a cut on the half-second voice grid falls inside words. Each utterance gets
    up to PAD_S either side, at most half the pause to its neighbour, so no audio is read twice.
    """
    merged: list[list[float]] = []
    for _, start, end in sorted(job.voiced, key=lambda p: p[1]):
        if merged and start - merged[-1][1] < HOP_S / 2:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    last = len(job.samples)
    out = []
    for k, (start, end) in enumerate(merged):
        before = PAD_S if k == 0 else min(PAD_S, (start - merged[k - 1][1]) / 2)
        after = PAD_S if k == len(merged) - 1 else min(PAD_S, (merged[k + 1][0] - end) / 2)
        first = min(max(round((start - before - job.clip_t0) * SAMPLE_RATE_HZ), 0), last)
        stop = min(max(round((end + after - job.clip_t0) * SAMPLE_RATE_HZ), first), last)
        out += _within_reach(job.clip_t0 + first / SAMPLE_RATE_HZ, job.samples[first:stop])
    return out


def _within_reach(t0: float, samples: np.ndarray) -> list[tuple[float, np.ndarray]]:
    """An utterance longer than MAX_STRETCH_S, cut at its quietest hop in the middle half until
    each part is shorter: with its own voice detector off the model reads whatever it is given
    as one line, and slows down and drifts on long ones (52 s read at real-time factor 0.45)."""
    if len(samples) <= MAX_STRETCH_S * SAMPLE_RATE_HZ:
        return [(t0, samples)]
    hop = round(HOP_S * SAMPLE_RATE_HZ)
    hops = len(samples) // hop
    energy = np.square(samples[: hops * hop].reshape(hops, hop)).sum(axis=1)
    cut = (hops // 4 + int(np.argmin(energy[hops // 4 : 3 * hops // 4]))) * hop
    return _within_reach(t0, samples[:cut]) + _within_reach(t0 + cut / SAMPLE_RATE_HZ, samples[cut:])


def _voice_at(pieces: list[tuple[str, float, float]], t: float) -> str:
    """The voice whose piece holds `t`, else the one of the nearest piece (a word laid in a gap)."""
    return min(pieces, key=lambda p: max(p[1] - t, t - p[2], 0.0))[0]


class _Channel:
    """The utterance pieces one audio channel closed at this step (its voices' pieces of one
    utterance), gathered to go to the worker together at the step's end."""

    def __init__(self) -> None:
        self.stretch: tuple[float, float] | None = None
        self.voiced: list[tuple[str, float, float]] = []  # ... each of them: (voice, start, end)


class WordsAnalyzer:
    name = "words"

    def __init__(self, *, wait: bool = True,
                 model_factory: Callable[[], SpeechToText] = SpeechToText) -> None:
        self.wait = wait
        self.worker = TranscriptionWorker(model_factory)
        self.channels: dict[str, _Channel] = {}  # by audio channel
        self.audio: dict[str, RecentAudio] = {}  # by audio channel
        self.sources: dict[str, str] = {}  # voice -> audio channel (a voice of a mixed track)
        self.jobs: deque[_Job] = deque()
        self.held: list[VoiceEvent] = []  # backchannels waiting for their words
        self.recent: deque[Said] = deque()
        self.dropped = 0

    @property
    def error(self) -> str | None:
        """Why transcription is off (the model would not load), else None."""
        return self.worker.error

    def analyze(self, step: Step) -> WordsResult:
        for name, chunk in step.audio.items():
            self.audio.setdefault(name, RecentAudio(HISTORY_S)).add(chunk.t, chunk.samples)
        voice = step.results.get("voice")
        if voice is not None:
            self.sources.update(voice.sources)
            heard = set()
            for event in voice.events:
                if event.kind == "utterance":
                    heard.add(self._gather(event))
                elif event.kind == "backchannel":
                    self.held.append(event)
            for name in heard:  # each utterance is read as soon as it ends
                self._send(name)
        if step.final:
            for name in self.channels:
                self._send(name)
        out = WordsResult(step.t)
        self._release(step.t, out, final=step.final)
        self._match(out, final=step.final)
        out.waiting, out.dropped = len(self.jobs), self.dropped
        return out

    def _gather(self, utterance: VoiceEvent) -> str:
        """Adds the piece to what its audio channel sends at this step; returns that channel's name."""
        name = self._source(utterance.channel)
        channel = self.channels.setdefault(name, _Channel())
        piece = (utterance.channel, utterance.start, utterance.end)
        if channel.stretch is not None:
            start, end = channel.stretch
            if utterance.end - start <= MAX_STRETCH_S:
                channel.stretch = (start, max(end, utterance.end))
                channel.voiced.append(piece)
                return name
            self._send(name)
        channel.stretch = (utterance.start, utterance.end)
        channel.voiced = [piece]
        return name

    def _source(self, voice: str) -> str:
        return self.sources.get(voice, voice)

    def _send(self, name: str) -> None:
        channel = self.channels[name]
        if channel.stretch is None:
            return
        start, end = channel.stretch
        channel.stretch = None
        audio = self.audio.get(name)
        if audio is None:
            return
        clip_t0, samples = audio.cut(start - PAD_S, end + PAD_S)
        job = _Job(name, start, end, clip_t0, samples, channel.voiced)
        channel.voiced = []
        self.jobs.append(job)
        self.worker.submit(job)
        if not self.wait and self.worker.backlog() > LIVE_BACKLOG:
            old = self.worker.drop_oldest()
            if old is not None:
                old.done.set()
                self.dropped += 1

    def _release(self, t: float, out: WordsResult, *, final: bool) -> None:
        while self.jobs:
            job = self.jobs[0]
            if self.wait:
                if not final and t < job.end + RELEASE_S - 1e-9:
                    return
                job.done.wait()
            elif not job.done.is_set() or (not final and t < job.end + SILENCE_AFTER_S + 0.1):
                if not final:
                    return  # live: a backchannel for it is confirmed SILENCE_AFTER_S after its end
                job.done.wait(10.0)
            self.jobs.popleft()
            out.said += job.said
            self.recent += job.said
        while self.recent and self.recent[0].end < t - MATCH_KEEP_S:
            self.recent.popleft()

    def _match(self, out: WordsResult, *, final: bool) -> None:
        """Backchannels meet the words said in them: a yes is a response, anything else is dropped."""
        still = []
        for event in self.held:
            said = next((s for s in self.recent if s.channel == event.channel
                         and s.start < event.end + PAD_S and s.end > event.start - PAD_S), None)
            source = self._source(event.channel)  # every piece is sent by the step's end: only jobs wait
            pending = any(j.channel == source and j.start < event.end and j.end > event.start
                          for j in self.jobs)
            if said is None:
                if pending and not final:
                    still.append(event)
                continue  # no words came out of it: not a response we can vouch for
            yes = [c for c in said.cues if c.kind == "affirmation"]
            if yes:
                said.responses.append(yes[0].quote)
                out.responses.append(VoiceEvent(event.kind, event.channel, event.start, event.end,
                                                {**event.details, "words": yes[0].quote}))
        self.held = still

    def close(self) -> None:
        self.worker.stop()
