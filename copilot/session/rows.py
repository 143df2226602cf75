"""One engine Step -> the rows the recorder stores; runs on the analysis thread, so it stays cheap.

The result document's parts (finished events, engagement segments, quality periods,
participants) come out of the same `ResultCollector` that `copilot analyze` uses, so an
export rebuilds exactly what the analysis alone would have written. Scores are kept at
`SCORE_HZ` (the signals tick at 10 Hz; 5 Hz is plenty to review and halves the file);
face and voice cues are kept as one-second summaries plus their finished events.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from copilot.engine.step import Step
from copilot.result.document import ResultCollector
from copilot.session.schema import SCORE_COLUMNS
from copilot.session.writer import latest_progress
from copilot.signals import SIGNALS

SCORE_HZ = 5.0
SUMMARY_S = 1.0
FACE_MEANS = ("smile", "brow_raise", "brow_lower", "lid_tighten", "lip_press", "lean", "motion_energy",
              "yaw", "pitch", "roll")
FACE_SHARES = ("at_camera", "at_screen", "eyes_closed")  # share of the second's frames

# A tick's scores come in SIGNALS order (the display order); the table's columns are in
# SCORE_COLUMNS order (the file format). Each value must land under its own signal's name.
TO_COLUMNS = [SIGNALS.index(name) for name in SCORE_COLUMNS]

Row = tuple[str, tuple]  # (table, values without the session id)


def dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), default=_plain)


def _plain(value: object) -> object:
    """numpy scalars (float32 has no JSON form) as Python numbers."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


@dataclass
class _Second:
    """Sums over the current summary second for one participant or voice channel."""

    sums: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, value: float | None) -> None:
        if value is not None:
            self.sums[name] = self.sums.get(name, 0.0) + float(value)
            self.counts[name] = self.counts.get(name, 0) + 1

    def means(self) -> dict[str, float]:
        return {name: round(total / self.counts[name], 3) for name, total in self.sums.items()}


class StepRows:
    def __init__(self, source_kind: str) -> None:
        self.collector = ResultCollector(source_kind=source_kind)
        self.frames = 0
        self._kept: dict[str, float] = {}  # participant -> time of the last score row kept
        self._second_start = 0.0
        self._seconds: dict[str, _Second] = {}

    def rows(self, step: Step) -> list[Row]:
        c = self.collector
        events, segments, periods, said = len(c.events), len(c.segments), len(c.periods), len(c.transcript)
        c(step)
        signals = step.results.get("signals")
        self.frames += step.frame is not None
        out: list[Row] = [("signal_events", _event_row(e)) for e in c.events[events:]]
        out += [("engagement", (s["participant"], s["state"], s["start"], s["end"]))
                for s in c.segments[segments:]]
        out += [("quality_periods", (p["start"], p["end"], dumps(p["values"]))) for p in c.periods[periods:]]
        out += [("transcript", (d["participant"], d.get("channel", ""), d["start"], d["end"], d["text"],
                                dumps(d["words"]), dumps(d.get("cues", [])), d.get("words_per_minute")))
                for d in c.transcript[said:]]
        if signals is not None and signals.conversation is not None:  # the end of the input
            out += [("talk", (row["participant"], dumps(row))) for row in signals.conversation]
        out += self._participants(step)
        out += self._scores(step)
        out += self._cues(step)
        for nudge in step.results.get("coach") or ():
            out.append(("nudges", (float(nudge.t), str(nudge.rule), nudge.participant, str(nudge.message),
                                   getattr(nudge, "signal", None), _float(getattr(nudge, "value", None)))))
        quality = dumps(c.quality) if c.quality is not None else None
        out.append(("progress", (step.t, c.steps, self.frames, quality)))
        return out

    def _participants(self, step: Step) -> list[Row]:
        c, out = self.collector, []
        faces = step.results.get("faces")
        listed = [face.participant for face in faces or ()]
        # confirmed as the input ended (a photo's people): no frame lists them
        listed += [pid for pid in getattr(faces, "confirmed", {}).values()
                   if pid in c.participants and pid not in listed]
        for pid in listed:
            seen = c.participants[pid]
            out.append(("participants", (pid, "face", seen.first, seen.last)))
        signals = step.results.get("signals")
        for pid in {row.participant for row in signals.ticks} if signals is not None else ():
            seen = c.voices.get(pid)
            if seen is not None:
                out.append(("participants", (pid, "voice", seen.first, seen.last)))
        return out

    def _scores(self, step: Step) -> list[Row]:
        signals = step.results.get("signals")
        out = []
        for row in signals.ticks if signals is not None else ():
            if np.isnan(row.scores).any():
                continue  # a signal still without its evidence has no score to keep (issue 19)
            last = self._kept.get(row.participant)
            if last is None or row.t >= last + 1 / SCORE_HZ - 1e-6:
                self._kept[row.participant] = row.t
                out.append(("scores", (round(row.t, 3), row.participant,
                                       *(round(float(v), 4) for v in row.scores[TO_COLUMNS]), row.state)))
        return out

    def _cues(self, step: Step) -> list[Row]:
        out: list[Row] = []
        if step.t >= self._second_start + SUMMARY_S or step.final:
            out += [("cue_summaries", (round(self._second_start, 3), who, dumps(second.means())))
                    for who, second in sorted(self._seconds.items()) if second.sums]
            self._seconds.clear()
            self._second_start = step.t // SUMMARY_S * SUMMARY_S
        face_step, voice = step.results.get("face_cues"), step.results.get("voice")
        if face_step is not None:
            for pid, cues in face_step.cues.items():
                second = self._seconds.setdefault(pid, _Second())
                for name in FACE_MEANS:
                    second.add(name, getattr(cues, name))
                for name in FACE_SHARES:
                    second.add(name, float(bool(getattr(cues, name))))
            out += [("cue_events", (e.kind, e.participant, round(e.start, 3), round(e.end, 3),
                                    dumps({"count": e.count, "strength": round(float(e.strength), 3)})))
                    for e in face_step.events]
        if voice is not None:
            for channel, now in voice.now.items():
                second = self._seconds.setdefault(f"voice:{channel}", _Second())
                second.add("speaking", float(now.speaking))
                second.add("pitch_hz", now.pitch_hz)
                second.add("loudness_db", now.loudness_db)
                second.add("talk_share_1min", voice.conversation.talk_share_1min.get(channel))
            out += [("cue_events", (e.kind, e.channel, round(e.start, 3), round(e.end, 3),
                                    dumps(e.details))) for e in voice.events]
        return out


class KeptRows:
    """A sink that keeps a whole session's rows in memory, for a recorder in another process.

    A batch worker analyses and the driver records (`SessionRecorder.put`): SQLite takes one
    writer at a time, and a cluster's workers may not share the database's disk at all. Only the
    latest participant and progress rows are kept, as the writer would keep them: 30 progress
    rows a second would otherwise be most of what crosses to the driver.
    """

    def __init__(self, source_kind: str) -> None:
        self._steps = StepRows(source_kind)
        self._rows: list[Row] = []
        self._people: dict[tuple, tuple] = {}
        self._progress: tuple | None = None

    def __call__(self, step: Step) -> None:
        for table, values in self._steps.rows(step):
            if table == "participants":
                self._people[values[:2]] = values
            elif table == "progress":
                self._progress = latest_progress(self._progress, values)
            else:
                self._rows.append((table, values))

    @property
    def rows(self) -> list[Row]:
        last = [("progress", self._progress)] if self._progress is not None else []
        return [*self._rows, *(("participants", values) for values in self._people.values()), *last]


def _event_row(event: dict) -> tuple:
    return (event["type"], event["participant"], event["start"], event["end"], event["probability"],
            event["peak"], event["rationale"], dumps(event["modality"]))


def _float(value: object) -> float | None:
    return None if value is None else float(value)
