"""Scoring the face behaviours themselves (nods, shakes, smiles, laughter, gaze) against labels.

The signal scores of `copilot eval` sit several steps above what the face shows; a
nod missed there may be the nod detector's fault or the signal model's. These labels
say what the person does, frame by frame, so each detector is scored on its own:

- An expected span is *found* when an event of its behaviour overlaps it, widened by
  `TOLERANCE_S` each side. Recall = found / expected.
- An event of a behaviour the clip is labelled `complete` for that matches no expected
  and no unsure span is a *false alarm*. False alarms are counted per minute of the
  clips complete for that behaviour, since a rate is what a user feels.
- Gaze: each frame of the person inside a `[[gaze]]` span is right when the cue's
  "eyes on the screen" agrees with the label.

Each labels file says which half it belongs to (`split`): thresholds are set on
"tuning" clips only; "checking" clips only measure; "synthetic" clips are the rendered
sweep (tests/scenarios/synth/sweep.py). The format is in tests/scenarios/behaviours/README.md.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copilot.evaluation.labels import LabelsError, _no_unknown_keys, _text, read_labels_file, span_times

BEHAVIOURS = ("nod", "head_shake", "smile", "laughter")
SPLITS = ("tuning", "checking", "synthetic")
TOLERANCE_S = 0.5  # a gesture's edges are labelled to about 0.2 s; detectors confirm a swing late
_TOP_KEYS = {"clip", "split", "kinds", "notes", "complete", "expect", "absent", "unsure", "gaze", "cell",
             "participant"}
_SPAN_KEYS = {"behaviour", "start", "end", "why", "participant"}
_GAZE_KEYS = {"screen", "start", "end", "why", "participant"}


@dataclass(frozen=True)
class BehaviourSpan:
    behaviour: str
    start: float
    end: float
    why: str


@dataclass(frozen=True)
class GazeSpan:
    on_screen: bool
    start: float
    end: float


@dataclass
class BehaviourLabels:
    path: Path
    clip: str
    split: str
    kinds: tuple[str, ...]
    complete: frozenset[str]
    participant: str | None = None  # whose behaviours are labelled; None: the face seen most
    expect: list[BehaviourSpan] = field(default_factory=list)
    absent: list[BehaviourSpan] = field(default_factory=list)
    unsure: list[BehaviourSpan] = field(default_factory=list)
    gaze: list[GazeSpan] = field(default_factory=list)
    cell: dict[str, Any] = field(default_factory=dict)  # the sweep cell a synthetic clip renders

    @property
    def name(self) -> str:
        return self.path.stem


def is_behaviour_labels(path: Path) -> bool:
    """Whether a labels file is of this kind (it names its split) rather than a signal labels file."""
    try:
        return "split" in tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return False  # the signal labels loader will name the fault


def load_behaviour_labels(path: Path) -> BehaviourLabels:
    data = read_labels_file(path)
    where = str(path)
    _no_unknown_keys(data, _TOP_KEYS, where)
    split = _text(data, "split", where)
    if split not in SPLITS:
        raise LabelsError(f"{where}: 'split' is {split!r}, not one of {', '.join(SPLITS)}")
    complete = data.get("complete", [])
    if not isinstance(complete, list) or any(c not in BEHAVIOURS for c in complete):
        raise LabelsError(f"{where}: 'complete' must be a list of {', '.join(BEHAVIOURS)}, got {complete!r}")
    kinds = data.get("kinds", [])
    if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
        raise LabelsError(f"{where}: 'kinds' must be a list of words, got {kinds!r}")
    labels = BehaviourLabels(path, _text(data, "clip", where), split, tuple(kinds), frozenset(complete),
                             data.get("participant"), cell=dict(data.get("cell", {})))
    for table, out in (("expect", labels.expect), ("absent", labels.absent), ("unsure", labels.unsure)):
        for k, entry in enumerate(_tables(data, table, where)):
            out.append(_span(entry, f"{where}: {table}[{k}]"))
    for k, entry in enumerate(_tables(data, "gaze", where)):
        here = f"{where}: gaze[{k}]"
        _no_unknown_keys(entry, _GAZE_KEYS, here)
        screen = entry.get("screen")
        if screen not in ("on", "off"):
            raise LabelsError(f"{here}: 'screen' must be \"on\" or \"off\", got {screen!r}")
        start, end = span_times(entry, here)
        labels.gaze.append(GazeSpan(screen == "on", start, end))
    return labels


def _tables(data: dict, table: str, where: str) -> list[dict]:
    entries = data.get(table, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise LabelsError(f"{where}: '{table}' must be an array of tables ([[{table}]])")
    return entries


def _span(entry: dict, where: str) -> BehaviourSpan:
    _no_unknown_keys(entry, _SPAN_KEYS, where)
    behaviour = _text(entry, "behaviour", where)
    if behaviour not in BEHAVIOURS:
        raise LabelsError(f"{where}: 'behaviour' is {behaviour!r}, not one of {', '.join(BEHAVIOURS)}")
    start, end = span_times(entry, where)
    return BehaviourSpan(behaviour, start, end, _text(entry, "why", where))


@dataclass(frozen=True)
class Observed:
    """What the engine made of one clip: behaviour events and, per frame, eyes on the screen."""

    duration_s: float
    events: tuple[tuple[str, str, float, float], ...]  # (behaviour, participant, start, end)
    screen: tuple[tuple[str, float, bool], ...]  # (participant, t, eyes on the screen)

    def to_json(self) -> dict[str, Any]:
        return {"duration_s": self.duration_s, "events": [list(e) for e in self.events],
                "screen": [list(s) for s in self.screen]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Observed:
        return cls(float(data["duration_s"]), tuple(tuple(e) for e in data["events"]),
                   tuple(tuple(s) for s in data["screen"]))


def observe(clip: Path) -> tuple[Observed, list[str]]:
    """Runs the face and voice stages over a clip, as `copilot cues` does; returns what they saw."""
    from copilot.capture.media_file import MediaFile
    from copilot.engine.loop import Engine
    from copilot.engine.step import Step
    from copilot.vision.analyzer import FaceAnalyzer
    from copilot.vision.cues.analyzer import FaceCueAnalyzer
    from copilot.voice.analyzer import VoiceAnalyzer

    events: list[tuple[str, str, float, float]] = []
    screen: list[tuple[str, float, bool]] = []
    last = [0.0]

    def sink(step: Step) -> None:
        last[0] = max(last[0], step.t)
        face_cues = step.results.get("face_cues")
        if face_cues is not None:
            events.extend((e.kind, e.participant, e.start, e.end) for e in face_cues.events)
            screen.extend((pid, step.t, bool(c.at_screen)) for pid, c in face_cues.cues.items())
        voice = step.results.get("voice")
        for segment in getattr(voice, "segments", None) or ():
            kind = getattr(segment, "kind", "")
            if kind in BEHAVIOURS:  # laughter heard in the sound
                events.append((kind, getattr(segment, "channel", "voice"), segment.start, segment.end))

    source = MediaFile(clip)
    source.open()
    engine = Engine([source], [FaceAnalyzer(), FaceCueAnalyzer(), VoiceAnalyzer()], [sink], lossless=True)
    engine.run()
    observed = Observed(max(last[0], getattr(source, "duration_s", 0.0) or 0.0), tuple(events), tuple(screen))
    return observed, list(engine.errors)


@dataclass
class Tally:
    """Counts for one behaviour over some clips, added with `+`."""

    expected: int = 0
    found: int = 0
    false_alarms: int = 0
    minutes: float = 0.0  # of clips complete for the behaviour: what false alarms are a rate of

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.expected + other.expected, self.found + other.found,
                     self.false_alarms + other.false_alarms, self.minutes + other.minutes)

    @property
    def recall(self) -> float | None:
        return self.found / self.expected if self.expected else None

    @property
    def false_per_minute(self) -> float | None:
        return self.false_alarms / self.minutes if self.minutes else None


@dataclass
class GazeTally:
    frames: int = 0
    right: int = 0

    def __add__(self, other: GazeTally) -> GazeTally:
        return GazeTally(self.frames + other.frames, self.right + other.right)

    @property
    def share(self) -> float | None:
        return self.right / self.frames if self.frames else None


@dataclass
class BehaviourScore:
    labels: BehaviourLabels
    tallies: dict[str, Tally]
    gaze: GazeTally
    misses: list[str] = field(default_factory=list)  # what went wrong, one line each
    false_alarms: list[str] = field(default_factory=list)


def _overlaps(start: float, end: float, span_start: float, span_end: float, tolerance: float) -> bool:
    return start <= span_end + tolerance and end >= span_start - tolerance


def _main_participant(labels: BehaviourLabels, observed: Observed) -> str | None:
    if labels.participant:
        return labels.participant
    frames: dict[str, int] = defaultdict(int)
    for pid, _, _ in observed.screen:
        frames[pid] += 1
    return max(frames, key=frames.__getitem__) if frames else None


def score_behaviours(labels: BehaviourLabels, observed: Observed,
                     tolerance: float = TOLERANCE_S) -> BehaviourScore:
    """Matches one clip's observed behaviours and gaze with its labels (the rules at the top)."""
    score = BehaviourScore(labels, {}, GazeTally())
    minutes = observed.duration_s / 60.0
    single = "multi_face" not in labels.kinds
    who = _main_participant(labels, observed) if single else None
    for behaviour in BEHAVIOURS:
        tally = Tally(minutes=minutes if behaviour in labels.complete else 0.0)
        mine = [(s, e) for kind, pid, s, e in observed.events if kind == behaviour
                and (who is None or pid == who or not pid.startswith("p"))]
        for span in (x for x in labels.expect if x.behaviour == behaviour):
            tally.expected += 1
            if any(_overlaps(s, e, span.start, span.end, tolerance) for s, e in mine):
                tally.found += 1
            else:
                score.misses.append(f"missed {behaviour} {span.start:.1f}-{span.end:.1f} s: {span.why}")
        excused = [x for x in labels.expect + labels.unsure if x.behaviour == behaviour]
        forbidden = [x for x in labels.absent if x.behaviour == behaviour]
        for s, e in mine:
            if any(_overlaps(s, e, x.start, x.end, tolerance) for x in excused):
                continue
            if behaviour in labels.complete or any(_overlaps(s, e, x.start, x.end, 0.0) for x in forbidden):
                tally.false_alarms += 1
                score.false_alarms.append(f"false {behaviour} {s:.1f}-{e:.1f} s")
        score.tallies[behaviour] = tally
    if labels.gaze and who is not None:
        for pid, t, on in observed.screen:
            if pid != who:
                continue
            for span in labels.gaze:
                if span.start <= t <= span.end:
                    score.gaze.frames += 1
                    score.gaze.right += on == span.on_screen
                    break
    return score


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def summed(scores: list[BehaviourScore], behaviour: str) -> Tally:
    total = Tally()
    for score in scores:
        total += score.tallies[behaviour]
    return total


def summed_gaze(scores: list[BehaviourScore]) -> GazeTally:
    total = GazeTally()
    for score in scores:
        total += score.gaze
    return total


def gestures(scores: list[BehaviourScore]) -> Tally:
    """Nods and shakes together; minutes once (a clip is labelled for both or neither)."""
    both = summed(scores, "nod") + summed(scores, "head_shake")
    both.minutes = max(summed(scores, "nod").minutes, summed(scores, "head_shake").minutes)
    return both


def halves_table(scores: list[BehaviourScore]) -> str:
    """Tuning and checking side by side (and synthetic), per behaviour and for gaze."""
    splits = [s for s in SPLITS if any(x.labels.split == s for x in scores)]
    head = "behaviour    " + "".join(f"| {s:^30s} " for s in splits)
    sub = "             " + "".join("| recall (n)  false/min (min)  " for _ in splits)
    lines = [head, sub]
    for behaviour in BEHAVIOURS:
        row = f"{behaviour:12s} "
        for split in splits:
            t = summed([x for x in scores if x.labels.split == split], behaviour)
            row += (f"| {_percent(t.recall):>6s} ({t.expected:3d})  "
                    f"{_rate(t.false_per_minute):>5s} ({t.minutes:5.1f})  ")
        lines.append(row)
    row = f"{'gaze right':12s} "
    for split in splits:
        g = summed_gaze([x for x in scores if x.labels.split == split])
        row += f"| {_percent(g.share):>6s} of {g.frames:5d} frames        "
    lines.append(row)
    by_kind = ["", "false alarms per minute (nods + shakes) by what the face does, real clips:"]
    kinds = sorted({k for x in scores if x.labels.split != "synthetic" for k in x.labels.kinds})
    for kind in kinds:
        cells = []
        for split in ("tuning", "checking"):
            chosen = [x for x in scores if x.labels.split == split and kind in x.labels.kinds]
            t = gestures(chosen)
            cells.append(f"{split} {_rate(t.false_per_minute):>5s} ({t.false_alarms} in {t.minutes:.1f} min)")
        by_kind.append(f"  {kind:11s} " + "   ".join(cells))
    return "\n".join(lines + (by_kind if kinds else []))


def sweep_table(scores: list[BehaviourScore]) -> str:
    """One row per rendered sweep cell: the cell, whether its gesture was found, false alarms per minute."""
    rows = [x for x in scores if x.labels.cell]
    if not rows:
        return ""
    lines = ["gesture/negative  half-swing  amplitude  orientation  condition  expression  recall  false/min"]
    def order(score: BehaviourScore) -> tuple:
        c = score.labels.cell
        return (str(c.get("gesture")), c.get("orientation", ""), c.get("condition", ""),
                c.get("expression", ""), c.get("half_swing_s", 0), c.get("amplitude_deg", 0))

    for x in sorted(rows, key=order):
        c = x.labels.cell
        tally = gestures([x])
        half = f"{c.get('half_swing_s', 0):g} s" if c.get("half_swing_s") else "-"
        lines.append(f"{c.get('gesture', '?'):17s} {half:>10s}  {c.get('amplitude_deg', 0):>7g}°  "
                     f"{c.get('orientation', ''):11s}  {c.get('condition', ''):9s}  "
                     f"{c.get('expression', ''):10s}  {_percent(tally.recall):>6s}  "
                     f"{_rate(tally.false_per_minute):>9s}")
    found, false = gestures(rows), gestures([x for x in rows if not x.labels.expect])
    lines.append(f"sweep: recall {_percent(found.recall)} over {found.expected} gestures; "
                 f"{found.false_alarms} false alarms in {found.minutes:.1f} min of all cells, "
                 f"{false.false_alarms} in {false.minutes:.1f} min of the hard negatives")
    return "\n".join(lines)


def details(scores: list[BehaviourScore]) -> str:
    lines = []
    for score in scores:
        if score.misses or score.false_alarms:
            lines.append(f"{score.labels.path} ({score.labels.split}, {score.labels.clip})")
            lines += [f"  {line}" for line in score.misses + score.false_alarms]
    return "\n".join(lines)


def as_json(scores: list[BehaviourScore]) -> dict[str, Any]:
    def tally(t: Tally) -> dict[str, Any]:
        return {"expected": t.expected, "found": t.found, "recall": t.recall, "false_alarms": t.false_alarms,
                "minutes": round(t.minutes, 3), "false_per_minute": t.false_per_minute}

    halves = {}
    for split in SPLITS:
        chosen = [x for x in scores if x.labels.split == split]
        if chosen:
            gaze = summed_gaze(chosen)
            halves[split] = {**{b: tally(summed(chosen, b)) for b in BEHAVIOURS},
                             "gaze": {"frames": gaze.frames, "right": gaze.right, "share": gaze.share}}
    return {"halves": halves,
            "clips": [{"labels": str(x.labels.path), "split": x.labels.split, "cell": x.labels.cell or None,
                       **{b: tally(x.tallies[b]) for b in BEHAVIOURS},
                       "gaze": {"frames": x.gaze.frames, "right": x.gaze.right}} for x in scores]}
