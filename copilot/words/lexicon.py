"""Lexical cues: the phrases of lexicon.toml found in a transcribed utterance.

The file is for people to read and extend; every mistake in it is reported with the
file, the table and what is wrong.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from copilot.errors import CopilotError
from copilot.words.timing import Word

LEXICON_PATH = Path(__file__).with_name("lexicon.toml")
_BREAK = re.compile(r"[,.;:!?…]$")
_EDGES = re.compile(r"^[^\w']+|[^\w']+$")


class LexiconError(CopilotError):
    """lexicon.toml is missing, does not parse, or names something unknown."""


@dataclass(frozen=True, slots=True)
class CueKind:
    name: str  # the table: filler, affirmation, hedge, ...
    feature: str  # the signals feature it feeds
    anywhere: tuple[tuple[str, ...], ...]
    opening: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class LexicalCue:
    kind: str
    feature: str
    start: float
    end: float
    quote: str  # the words as said, e.g. "I'm not sure"


def normalise(word: str) -> str:
    """Lower case without the punctuation around it; apostrophes and inner hyphens stay."""
    return _EDGES.sub("", word.lower().replace("’", "'"))


def load(path: Path = LEXICON_PATH) -> tuple[CueKind, ...]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LexiconError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(f"{path}: does not parse: {exc}") from exc
    from copilot.signals.features import FEATURES

    kinds = []
    for name, table in raw.items():
        if not isinstance(table, dict) or table.get("feature") not in FEATURES:
            raise LexiconError(f"{path}: [{name}] feature: not a signals feature ({table.get('feature')!r})")
        lists = {}
        for key in ("anywhere", "opening"):
            phrases = table.get(key, [])
            if not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip() for p in phrases):
                raise LexiconError(f"{path}: [{name}] {key}: expected a list of phrases")
            lists[key] = tuple(tuple(normalise(w) for w in p.split()) for p in phrases)
        kinds.append(CueKind(name, table["feature"], lists["anywhere"], lists["opening"]))
    return tuple(kinds)


@cache
def lexicon() -> tuple[CueKind, ...]:
    return load()


def find(words: list[Word], kinds: tuple[CueKind, ...] | None = None) -> list[LexicalCue]:
    """Every cue in one utterance's words; a phrase inside a longer one of the same kind counts once."""
    kinds = lexicon() if kinds is None else kinds
    plain = [normalise(w.word) for w in words]
    cues: list[LexicalCue] = []
    for kind in kinds:
        if kind.name == "question":
            asked = [i for i, w in enumerate(words) if w.word.endswith("?")][:1]
            for i in asked:  # the whole sentence the question mark closes
                first = max((k + 1 for k in range(i) if _BREAK.search(words[k].word)
                             and not words[k].word.endswith(",")), default=0)
                cues.append(_cue(kind, words, first, i + 1))
            continue
        taken: list[tuple[int, int]] = []
        spans = [(i, i + len(p)) for p in kind.opening if _opens(plain, words, p) for i in (0,)]
        spans += [(i, i + len(p)) for p in kind.anywhere for i in range(len(plain) - len(p) + 1)
                  if tuple(plain[i:i + len(p)]) == p]
        for first, end in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
            if any(first < e and end > s for s, e in taken):
                continue
            taken.append((first, end))
            cues.append(_cue(kind, words, first, end))
    return sorted(cues, key=lambda c: (c.start, c.kind))


def _opens(plain: list[str], words: list[Word], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    if tuple(plain[:n]) != phrase:
        return False
    return n == len(plain) or bool(_BREAK.search(words[n - 1].word))


def _cue(kind: CueKind, words: list[Word], first: int, end: int) -> LexicalCue:
    quote = " ".join(w.word for w in words[first:end])
    return LexicalCue(kind.name, kind.feature, words[first].start, words[end - 1].end,
                      _EDGES.sub("", quote) or quote)


MIN_PACE_SPAN_S = 1.0  # a pace over less than this is a word or two, not a pace


def spoken_span(words: list[Word]) -> float:
    """Seconds from the first word's start to the last one's end; 0 without words."""
    return words[-1].end - words[0].start if words else 0.0


def words_per_minute(words: list[Word]) -> float | None:
    """Speaking pace over the utterance, fillers included (they take time too); None under 1 s."""
    span = spoken_span(words)
    return round(60.0 * len(words) / span, 1) if span >= MIN_PACE_SPAN_S else None
