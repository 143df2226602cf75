"""Word error rate against a reference transcript, and how far estimated word times are off.

Both texts are normalised the same way first (lower case, no punctuation, digits and
single spelled letters as words) so that "p2" and "p two", or "Fellow-Americans" and
"fellow americans", count as the same words: what is scored is what was heard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_SPLIT = re.compile(r"(\d+)")


def _number(digits: str) -> list[str]:
    if len(digits) == 1:
        return [_ONES[int(digits)]]
    return [_ONES[int(d)] for d in digits]  # read digit by digit: GRID's "x4" style codes


def words_of(text: str) -> list[str]:
    out: list[str] = []
    for raw in text.lower().replace("’", "'").replace("-", " ").split():
        token = re.sub(r"[^a-z0-9']", "", raw).strip("'")
        for part in _SPLIT.split(token):
            if not part:
                continue
            out += _number(part) if part.isdigit() else [part]
    return out


@dataclass(frozen=True, slots=True)
class Score:
    errors: int  # substitutions + deletions + insertions
    reference_words: int

    @property
    def wer(self) -> float:
        return self.errors / max(self.reference_words, 1)


def word_errors(reference: str, hypothesis: str) -> Score:
    ref, hyp = words_of(reference), words_of(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return Score(row[-1], len(ref))


def timing_offsets(reference: list[tuple[str, float, float]],
                   estimated: list[tuple[str, float, float]]) -> list[float]:
    """|start difference| of each reference word matched to the first same word estimated near it,
    in order (words the model got wrong have no partner and are left out)."""
    offsets, k = [], 0
    hyp = [(words_of(w), s) for w, s, _ in estimated]
    for word, start, _ in reference:
        key = words_of(word)
        if not key:
            continue
        for j in range(k, len(hyp)):
            if hyp[j][0][:1] == key[:1] and abs(hyp[j][1] - start) < 2.0:
                offsets.append(abs(hyp[j][1] - start))
                k = j + 1
                break
    return offsets
