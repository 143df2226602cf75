"""The words said of a score (low, medium, high) and of no score yet, from bands.toml.

Issue 19: the face label, the feed, the engagement state and the report each judged a score
their own way, so one moment read "disagreement 73%" and "disagreement (low)". Everything
that puts a word to a score asks `band_of`, and every number shown goes through `reading`,
so the two can only agree. Light on purpose (tomllib only): the app imports it.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

from copilot.signals import SignalsConfigError

BANDS_PATH = Path(__file__).with_name("bands.toml")
WORDS = ("low", "medium", "high")  # in rising order; the result's `probability` enum


@dataclass(frozen=True, slots=True)
class Band:
    word: str
    start: float  # lowest score in the band, 0-1
    means: str


def _load(path: Path = BANDS_PATH) -> tuple[tuple[Band, ...], Band]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SignalsConfigError(f"{path}: {exc}") from exc
    bands = []
    for word in WORDS:
        entry = raw.get(word)
        start = entry.get("from") if isinstance(entry, dict) else None
        if isinstance(start, bool) or not isinstance(start, int | float) or not 0 <= start <= 1 \
                or not isinstance(entry.get("means"), str):
            raise SignalsConfigError(f"{path}: [{word}] needs `from` (a score from 0 to 1) and `means`")
        bands.append(Band(word, float(start), entry["means"]))
    if bands[0].start != 0 or not bands[0].start < bands[1].start < bands[2].start:
        raise SignalsConfigError(f"{path}: the bands must start at 0 and rise: low < medium < high")
    none = raw.get("none")
    if not isinstance(none, dict) or not all(isinstance(none.get(k), str) for k in ("word", "says", "means")):
        raise SignalsConfigError(f"{path}: [none] needs `word`, `says` and `means`")
    return tuple(bands), Band(none["word"], math.nan, none["means"]), none["says"]


BANDS, NONE, NO_EVIDENCE = _load()  # NO_EVIDENCE: "not enough evidence yet", said beside NONE.word
EDGES = {band.word: band.start for band in BANDS[1:]}  # {"medium": 0.6, "high": 0.88}


def has_score(score: float | None) -> bool:
    return score is not None and not math.isnan(score)


def band_of(score: float | None) -> str | None:
    """"low", "medium" or "high"; None for a signal without evidence yet (no score).

    Judged on the number shown (0-100), so 0.598, shown as 60, is "medium" like the legend's
    "60 to 87" says, not "low"."""
    if not has_score(score):
        return None
    shown = percent(score)
    return next(band.word for band in reversed(BANDS) if shown >= percent(band.start))


def percent(score: float) -> int:
    """The number shown for a score: 0-100, rounded the one way everywhere."""
    return round(100 * score)


def reading(score: float | None) -> str:
    """A score as shown beside a gauge, under a face, in the feed: "73 · medium", or "—"."""
    return f"{percent(score)} · {band_of(score)}" if has_score(score) else NONE.word


def span_words(k: int) -> str:
    """Band k's range as people read it: "under 60", "60 to 87", "88 and over"."""
    low = percent(BANDS[k].start)
    if k == 0:
        return f"under {percent(BANDS[1].start)}"
    return f"{low} and over" if k == len(BANDS) - 1 else f"{low} to {percent(BANDS[k + 1].start) - 1}"


def legend() -> list[str]:
    """What each word means, one line each, highest first: for tooltips and the report's legend."""
    return [f"{band.word} ({span_words(k)}): {band.means}" for k, band in reversed(list(enumerate(BANDS)))] \
        + [f"{NONE.word}: {NO_EVIDENCE} ({NONE.means})"]
