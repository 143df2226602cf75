"""The live measures of a conversation: each person's talk so far (talk ratio, pace, fillers,
longest monologue, questions), and the words that explain every live measure (measures.toml).

Issue 19: conversation quality and the speaking numbers were only in the report's tables.
The signal analyzer keeps a `Talk` per person as it routes voice and words to them (the same
attribution, the same filler counted once), and hands `talk_values` on with each step.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from copilot.signals import SignalsConfigError
from copilot.signals.quality import DIMENSIONS
from copilot.voice.conversation import BACKCHANNEL_MAX_S
from copilot.words.lexicon import spoken_span, words_per_minute

MEASURES_PATH = Path(__file__).with_name("measures.toml")
QUALITY = ("quality_index", *DIMENSIONS)
PERSONAL = ("talk_ratio", "pace", "fillers", "longest_monologue", "questions")


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

    speaking_ticks: int = 0
    words: int = 0  # in stretches long enough for a pace (lexicon.MIN_PACE_SPAN_S)
    paced_s: float = 0.0  # the seconds those words took
    fillers: int = 0
    questions: int = 0
    longest_s: float = 0.0

    def add_words(self, words: list) -> None:
        if words_per_minute(words) is not None:
            self.words += len(words)
            self.paced_s += spoken_span(words)

    def count(self, feature: str) -> None:
        """A lexical feature (or a filled pause the sound found) that counts once here."""
        if feature == "fillers":
            self.fillers += 1
        elif feature == "asking":
            self.questions += 1


class Floor:
    """Who holds the floor, tick by tick: a speaker keeps it until someone else has spoken for
    more than a backchannel's length (copilot/voice/conversation.py), so an "mm-hm" from a
    listener does not cut a monologue short. Pauses of the holder do not end it either."""

    def __init__(self, tick_s: float) -> None:
        self.tick_s = tick_s
        self.holder: str | None = None
        self.since = self.last = 0.0
        self.rival: str | None = None
        self.rival_since = 0.0

    def tick(self, t: float, speaking: list[str]) -> tuple[str, float] | None:
        """Feeds who speaks at tick `t`; returns the holder and their monologue's length so far."""
        if self.holder is None:
            if not speaking:
                return None
            self.holder, self.since, self.last = speaking[0], t, t
        if self.holder in speaking:
            self.last = t
        others = [p for p in speaking if p != self.holder]
        if not others:
            self.rival = None
        else:
            if self.rival not in others:
                self.rival, self.rival_since = others[0], t
            if t - self.rival_since + self.tick_s > BACKCHANNEL_MAX_S + 1e-9:
                self.holder, self.since, self.last, self.rival = self.rival, self.rival_since, t, None
        return self.holder, self.last - self.since + self.tick_s


def talk_values(talks: dict[str, Talk], tick_hz: float,
                transcribing: bool) -> dict[str, dict[str, float | None]]:
    """participant -> measure -> value (None: cannot be known: pace and questions need the
    transcript, a ratio needs someone to have spoken)."""
    total = sum(talk.speaking_ticks for talk in talks.values())
    return {pid: {"talk_ratio": talk.speaking_ticks / total if total else None,
                  "pace": 60.0 * talk.words / talk.paced_s if transcribing and talk.paced_s > 0 else None,
                  "fillers": talk.fillers,
                  "longest_monologue": talk.longest_s,
                  "questions": talk.questions if transcribing else None}
            for pid, talk in sorted(talks.items())}
