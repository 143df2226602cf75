"""Word times estimated inside a line: each word gets a share of the line's span by its length.

Moonshine tiny-en says when each line starts and how long it lasts, not where each word
falls. A word's spoken length goes roughly with its syllables, so the line's span is
shared out by a syllable count read off the spelling (vowel groups; a digit is a spoken
number). These are estimates, not alignments: on GRID's hand-checked word timings and
batchalign's aligned ones the tests measure how far off they are (tests/test_words_real.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_VOWEL_GROUPS = re.compile(r"[aeiouy]+")
_DIGIT_SYLLABLES = {"0": 2, "1": 1, "2": 1, "3": 1, "4": 1, "5": 1, "6": 1, "7": 2, "8": 1, "9": 1}


@dataclass(frozen=True, slots=True)
class Word:
    word: str  # as the model wrote it, punctuation included ("Okay.", "you?")
    start: float
    end: float

    def to_json(self) -> dict[str, object]:
        return {"word": self.word, "start": round(self.start, 3), "end": round(self.end, 3)}


def syllables(word: str) -> int:
    """A spelling-based syllable count, at least 1 ("beans" 1, "country" 2, "p2" 2)."""
    text = word.lower()
    count = sum(_DIGIT_SYLLABLES[c] for c in text if c.isdigit())
    letters = re.sub(r"[^a-z]", "", text)
    if letters:
        groups = len(_VOWEL_GROUPS.findall(letters))
        if letters.endswith("e") and not letters.endswith(("le", "ee")) and groups > 1:
            groups -= 1  # a silent final e: "make", "value"
        count += max(groups, 1)
    return max(count, 1)


def spread(text: str, start: float, end: float,
           voiced: list[tuple[float, float]] | None = None) -> list[Word]:
    """The words of `text` placed one after another over [start, end], by syllables.

    `voiced`: the spans where the voice gate heard speech; words are then laid along
    those only, so no word is put inside a pause (the line's span alone would spread
    the words evenly across a 1 s stop in the middle of it).
    """
    tokens = text.split()
    if not tokens:
        return []
    spans = [(max(a, start), min(b, end)) for a, b in (voiced or [])]
    spans = [(a, b) for a, b in spans if b > a] or [(start, max(end, start))]
    spoken = sum(b - a for a, b in spans)
    weights = [syllables(w) for w in tokens]
    total = sum(weights)
    words, done = [], 0.0
    for token, weight in zip(tokens, weights, strict=True):
        length = spoken * weight / total
        words.append(Word(token, _at(spans, done), _at(spans, done + length, end=True)))
        done += length
    return words


def _at(spans: list[tuple[float, float]], offset: float, *, end: bool = False) -> float:
    """The time `offset` seconds of speech into `spans` (an end at a span's edge stays in that span)."""
    for a, b in spans:
        if offset < b - a or (end and offset <= b - a + 1e-9):
            return a + offset
        offset -= b - a
    return spans[-1][1]
