"""The live measures of a conversation: each person's talk so far (talk ratio, pace, fillers,
longest monologue, questions), and the words that explain every live measure (measures.toml).

Issue 19: conversation quality and the speaking numbers were only in the report's tables.
The signal analyzer keeps a `Talk` per person as it routes voice and words to them (the same
attribution, the same filler counted once), and hands `talk_values` on with each step.
"""

from __future__ import annotations

import statistics
import tomllib
from collections import deque
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from copilot.signals import SignalsConfigError
from copilot.signals.quality import DIMENSIONS
from copilot.voice.responses import SILENCE_AFTER_S
from copilot.words.lexicon import MIN_PACE_SPAN_S

MEASURES_PATH = Path(__file__).with_name("measures.toml")
QUALITY = ("quality_index", *DIMENSIONS)
PERSONAL = ("talk_ratio", "pace", "fillers", "longest_monologue", "turns", "interruptions", "reply_gap",
            "questions")
# How long a finished utterance or laugh is kept to be met with the other (Talk._said): a laugh
# is found within a second of the utterance it sits in, so this leaves room for a laugh inside an
# utterance of up to a minute being reported before it ends.
SPANS_KEPT_S = 60.0


@dataclass(frozen=True, slots=True)
class Measure:
    name: str
    label: str  # short, for the panel
    definition: str  # shown on hover


def _words(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@cache
def asks() -> dict[str, str]:
    """The question each quality dimension answers ("are things getting across")."""
    raw = _read()
    return {dim: raw[dim]["asks"] for dim in DIMENSIONS}


def _read() -> dict:
    try:
        raw = tomllib.loads(MEASURES_PATH.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SignalsConfigError(f"{MEASURES_PATH}: {exc}") from exc
    for name in (*QUALITY, *PERSONAL):
        entry = raw.get(name)
        needs = ("label", "asks") if name in DIMENSIONS else ("label", "definition")
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in needs):
            raise SignalsConfigError(f"{MEASURES_PATH}: [{name}] needs {' and '.join(needs)}")
    return raw


@cache
def measures() -> dict[str, Measure]:
    """Every live measure by name, in the panel's order; a quality dimension's definition names
    the signals that raise and lower it, read from weights.toml, so it cannot drift from them."""
    from copilot.signals import SIGNALS
    from copilot.signals.config import model

    raw, quality = _read(), model().quality
    out = {}
    for name in (*QUALITY, *PERSONAL):
        entry = raw[name]
        definition = entry.get("definition", "")
        if name in DIMENSIONS:
            plus, minus = ([SIGNALS[k] for k in quality[f"{name}.{side}"]] for side in ("plus", "minus"))
            definition = (f"{entry['asks'][0].upper()}{entry['asks'][1:]}? Raised by {_words(plus)}, lowered "
                          f"by {_words(minus)}, over everyone seen or heard so far; 0-100, 50 means no "
                          "evidence either way.")
        out[name] = Measure(name, entry["label"], definition)
    return out


@dataclass(slots=True)
class Talk:
    """One person's talk so far. Counted where the signal analyzer hands them voice and words."""

    speaking_ticks: int = 0  # ticks their voice was speaking, less those a laugh of theirs covers
    spoken_at: deque[float] = field(default_factory=deque)  # the voice's time at each recent one
    # Pace counts runs of lines: lines read apart (each utterance is read as it ends) but said
    # with a pause shorter than SILENCE_AFTER_S between them, which continues a turn, are one
    # run, so phrase breaks count as speaking time as in a speaking rate; runs under
    # lexicon.MIN_PACE_SPAN_S are a word or two, not a pace.
    words: int = 0  # in the runs settled so far
    paced_s: float = 0.0  # the seconds those words took
    run: tuple[float, float, int] | None = None  # the run under way: (start, end, words)
    fillers: int = 0
    questions: int = 0
    # Their longest turn (copilot/voice/conversation.py): the settled turns, for the result document;
    # live, the conversation's reading of the turn under way as well (it grows at each utterance's end).
    longest_s: float = 0.0
    holding_s: float = 0.0
    holding: bool = False  # live: their turn is under way (the live count adds it; `turns` once it ends)
    # From the voice's finished events (issue 18), settled once each utterance has ended (a mixed
    # track's voice is known then): for the result document's per-person "conversation".
    said_s: float = 0.0  # seconds of their utterances, less the laughter in them: a laugh is no talk
    turns: int = 0  # times they held the floor (copilot/voice/conversation.py)
    interruptions: int = 0  # times they cut in and kept talking
    interrupted: int = 0  # times someone cut in on them
    latencies_s: list[float] = field(default_factory=list)  # of each response to the previous turn
    voices: set[str] = field(default_factory=set)  # the voices heard as this person
    # Their recent utterances and laughs, (start, end, kind): a laugh is found just after the
    # utterance it sits in has ended, or while a long one goes on, so each is met with the other.
    spans: deque[tuple[float, float, str]] = field(default_factory=deque)

    def add_event(self, event) -> None:
        """A voice event (utterance, turn, interruption, response, ...) said by this person."""
        self.voices.add(event.channel)
        if event.kind in ("utterance", "laughter"):
            self._said(event.kind, event.start, event.end)
        elif event.kind == "turn":
            self.turns += 1
            self.longest_s = max(self.longest_s, event.end - event.start)
        elif event.kind == "interruption":
            self.interruptions += 1
        elif event.kind == "response":
            self.latencies_s.append(float(event.details["latency_s"]))

    def spoke(self, t: float) -> None:
        """A tick with their voice speaking, heard at voice time `t` (the live talk ratio)."""
        self.speaking_ticks += 1
        self.spoken_at.append(t)
        while self.spoken_at and self.spoken_at[0] < t - SPANS_KEPT_S:
            self.spoken_at.popleft()

    def _said(self, kind: str, start: float, end: float) -> None:
        other = "laughter" if kind == "utterance" else "utterance"
        laughed = sum(max(0.0, min(end, e) - max(start, s)) for s, e, k in self.spans if k == other)
        self.said_s += (end - start if kind == "utterance" else 0.0) - laughed
        self.spans.append((start, end, kind))
        while self.spans and self.spans[0][1] < end - SPANS_KEPT_S:
            self.spans.popleft()
        if kind == "laughter":  # the live ratio's ticks of the laugh are no talk either
            kept = deque(at for at in self.spoken_at if not start <= at < end)
            self.speaking_ticks -= len(self.spoken_at) - len(kept)
            self.spoken_at = kept

    def add_words(self, words: list) -> None:
        if not words:
            return
        if self.run is not None and words[0].start - self.run[1] < SILENCE_AFTER_S:
            start, end, count = self.run
            self.run = (start, max(end, words[-1].end), count + len(words))
            return
        self.words, self.paced_s = self._with_run()
        self.run = (words[0].start, words[-1].end, len(words))

    def _with_run(self) -> tuple[int, float]:
        """Words and seconds of the settled runs, and of the run under way if it is long enough."""
        if self.run is None or self.run[1] - self.run[0] < MIN_PACE_SPAN_S:
            return self.words, self.paced_s
        start, end, count = self.run
        return self.words + count, self.paced_s + end - start

    def pace(self) -> float | None:
        """Words a minute while speaking; None before a run of a second."""
        words, seconds = self._with_run()
        return 60.0 * words / seconds if seconds > 0 else None

    def count(self, feature: str) -> None:
        """A lexical feature (or a filled pause the sound found) that counts once here."""
        if feature == "fillers":
            self.fillers += 1
        elif feature == "asking":
            self.questions += 1


def talk_values(talks: dict[str, Talk], tick_hz: float,
                transcribing: bool) -> dict[str, dict[str, float | None]]:
    """participant -> measure -> value (None: cannot be known: pace and questions need the
    transcript, a ratio needs someone to have spoken)."""
    total = sum(talk.speaking_ticks for talk in talks.values())
    return {pid: {"talk_ratio": talk.speaking_ticks / total if total else None,
                  "pace": talk.pace() if transcribing else None,
                  "fillers": talk.fillers,
                  "longest_monologue": max(talk.longest_s, talk.holding_s),
                  "turns": talk.turns + int(talk.holding), "interruptions": talk.interruptions,
                  "reply_gap": statistics.median(talk.latencies_s) if talk.latencies_s else None,
                  "questions": talk.questions if transcribing else None}
            for pid, talk in sorted(talks.items())}


def conversation_rows(talks: dict[str, Talk]) -> list[dict[str, object]]:
    """The result document's "conversation": one row per person who talked, most talk first.
    Talk time and share count their finished utterances."""
    total = sum(talk.said_s for talk in talks.values())
    rows = []
    for pid, talk in sorted(talks.items(), key=lambda kv: (-kv[1].said_s, kv[0])):
        if talk.said_s <= 0:
            continue
        rows.append({
            "participant": pid, "voices": sorted(talk.voices), "talk_s": round(talk.said_s, 2),
            "talk_share": round(talk.said_s / total, 3), "turns": talk.turns,
            "interruptions": talk.interruptions, "interrupted": talk.interrupted,
            "longest_monologue_s": round(talk.longest_s, 2), "responses": len(talk.latencies_s),
            "response_latency_s": round(statistics.median(talk.latencies_s), 3) if talk.latencies_s else None,
        })
    return rows
