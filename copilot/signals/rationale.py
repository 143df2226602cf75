"""The evidence an event gathers while it runs, and the one sentence that explains it.

An event keeps sums over the instant rows of its ticks (seeded with the short window
that led up to it): counts of nods, fillers and the like, how many ticks showed each
expression, the longest pause. It also keeps how much each feature added to the score,
so the sentence names the behaviours that actually drove it, with their numbers.
"""

from __future__ import annotations

import math

import numpy as np

from copilot.signals.features import AT, FEATURE_NAMES, INSTANTS

MENTION_SHARE = 0.15  # a behaviour is mentioned when it drove at least this share of the main one
SHOWN = 0.25  # an expression instant at or above this counts as shown in that tick
COUNTS = {"nods": "nod_swings", "shakes": "shake_swings", "yawns": "yawns", "blinks": "blinks",
          "fillers": "fillers", "backchannels": "backchannels", "rising": "rising",
          "interruptions": "interruptions", "sighs": "sighs"}
SHARES = {"smile_pct": "smile", "frown_pct": "brow_lower", "raise_pct": "brow_raise",
          "brow_asym_pct": "brow_asymmetry", "press_pct": "lip_press", "corner_pct": "lip_corner_depress",
          "squint_pct": "lid_tighten", "smirk_pct": "mouth_asymmetry", "lean_in_pct": "lean_in",
          "lean_out_pct": "lean_out", "on_pct": "gaze_on"}
SECONDS = {"tilt_s": "tilt", "away_s": "gaze_off", "closed_s": "eyes_closed", "gone_s": "absent",
           "speaking_s": "speaking"}
# Words said, quoted: quote_<feature> for the lexical features (copilot/words/lexicon.toml), and
# quote_backchannel for a short response's words; "" when nothing was said.
QUOTED = ("backchannel", "affirming", "hedging", "pushback", "asking_clarification", "doubting",
          "curious", "frustrated_words", "asking", "fillers")
EXAMPLE_TALLY = {**{f"quote_{k}": "yeah" for k in QUOTED},
                 "span": 4.0, "pause_s": 2.4, "latency_s": 1.8, "laugh_s": 3.2, "smile_s": 2.0,
                 **{k: 2 for k in COUNTS}, **{f"{k}_times": "twice" for k in COUNTS},
                 **{k: 50 for k in SHARES}, **{k: 1.5 for k in SECONDS}}


def times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


class Evidence:
    def __init__(self, seed_rows: np.ndarray, tick_s: float) -> None:
        self.tick_s = tick_s
        self.ticks = len(seed_rows)
        self.sums = seed_rows.sum(axis=0) if len(seed_rows) else np.zeros(len(INSTANTS))
        self.shown = (seed_rows >= SHOWN).sum(axis=0) if len(seed_rows) else np.zeros(len(INSTANTS))
        self.most = seed_rows.max(axis=0) if len(seed_rows) else np.zeros(len(INSTANTS))
        self.drive = np.zeros(len(FEATURE_NAMES))  # summed positive contribution per feature
        self.quotes: dict[str, str] = {}  # feature -> the latest words said that it counted

    def add(self, row: np.ndarray, contribution: np.ndarray) -> None:
        self.ticks += 1
        self.sums += row
        self.shown += row >= SHOWN
        np.maximum(self.most, row, out=self.most)
        self.drive += np.maximum(contribution, 0.0)

    def numbers(self) -> dict[str, object]:
        seen = max(self.sums[AT["seen"]], 1.0)
        out: dict[str, object] = {"span": round(self.ticks * self.tick_s, 1),
                                  **{f"quote_{k}": self.quotes.get(k, "") for k in QUOTED}}
        for key, name in COUNTS.items():
            n = self.sums[AT[name]]
            out[key] = math.ceil(n / 2 - 1e-9) if name.endswith("_swings") else round(float(n))
            out[f"{key}_times"] = times(out[key])
        for key, name in SHARES.items():
            base = self.ticks if name == "gaze_on" else seen
            out[key] = round(100 * min(1.0, float(self.shown[AT[name]] / base)))
        for key, name in SECONDS.items():
            value = self.shown[AT[name]] if name == "tilt" else self.sums[AT[name]]
            out[key] = round(float(value) * self.tick_s, 1)
        # A laugh seen and heard at once is one laugh: the longer of the two readings.
        face_s = float(self.shown[AT["laughing"]]) * self.tick_s
        out["laugh_s"] = round(max(face_s, float(self.sums[AT["laugh_heard_s"]])), 1)
        out["smile_s"] = round(float(self.shown[AT["smiling"]]) * self.tick_s, 1)
        pause, late = self.most[AT["pause_excess_s"]], self.most[AT["latency_excess_s"]]
        out["pause_s"] = round(pause + 1.0, 1) if pause > 0 else 0
        out["latency_s"] = round(late + 1.0, 1) if late > 0 else 0
        return out


def _evidence_of(entry: dict[str, str]) -> str:
    return entry.get("needs") or entry["lead"]


def _phrase(entry: dict[str, str], key: str, numbers: dict[str, object]) -> str:
    """The entry's `lead` or `with`, or its `quoted_` form when the words it names were heard:
    a short response the transcript read as "yeah" is quoted, one heard only as sound is not."""
    quoted = entry.get("quoted")
    if quoted and numbers.get(quoted):
        key = f"quoted_{key}"
    return entry[key].format(**numbers)


def sentence(evidence: Evidence, phrases: dict[str, dict[str, str]]) -> str:
    """One sentence naming up to three behaviours that drove the score most, with numbers."""
    numbers = evidence.numbers()
    order = np.argsort(-evidence.drive, kind="stable")
    usable = []
    for k in order:
        if evidence.drive[k] <= 0:
            break
        entry = phrases[FEATURE_NAMES[k]]
        need = entry.get("needs")
        # Features that report the same evidence (the seconds spent looking away, or speaking)
        # are one behaviour seen through different windows: the sentence names it once.
        said = any(_evidence_of(entry) == _evidence_of(other) for _, other in usable)
        if (need is None or numbers[need]) and not said:
            usable.append((evidence.drive[k], entry))
    usable = [u for u in usable if u[0] >= MENTION_SHARE * usable[0][0]][:3] if usable else []
    if not usable:
        return phrases["fallback"]["lead"].format(**numbers) + "."
    text = _phrase(usable[0][1], "lead", numbers)
    withs = [_phrase(entry, "with", numbers) for _, entry in usable[1:]]
    if withs:  # "Closed the eyes for 3.2 s, looking away for 2.6 s." / "Nodded twice while smiling."
        text += (" " if withs[0].startswith("while ") else ", ") + " and ".join(withs)
    return text + "."
