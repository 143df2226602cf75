"""Who spoke when, scored: the diarization error rate (DER) of speaker turns against an RTTM.

DER is the share of reference speech time that is missed, falsely found, or given to the
wrong speaker, after the best one-to-one matching of found speakers to reference ones
(NIST's definition). Overlapped speech counts once per speaker. As is usual for meeting
speech, a collar of COLLAR_S either side of every reference turn edge is left out: human
labellers place edges only that closely. Time is scored in RESOLUTION_S steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from copilot.errors import CopilotError

COLLAR_S = 0.25  # NIST md-eval's -c 0.25: 0.25 s each side of a reference edge is not scored
RESOLUTION_S = 0.01
# A turn change is "found" when a found change lies this close to the reference one (issue 18).
CHANGE_TOLERANCE_S = 0.5


@dataclass(frozen=True)
class Turn:
    speaker: str
    start: float
    end: float


@dataclass(frozen=True)
class DiarizationScore:
    scored_s: float  # reference speech time scored (outside the collars; overlaps count per speaker)
    missed_s: float
    false_alarm_s: float
    confusion_s: float
    speakers_reference: int
    speakers_found: int

    @property
    def der(self) -> float:
        return (self.missed_s + self.false_alarm_s + self.confusion_s) / max(self.scored_s, 1e-9)

    def to_json(self) -> dict[str, float | int]:
        return {"der": round(self.der, 4), "scored_s": round(self.scored_s, 2),
                "missed_s": round(self.missed_s, 2), "false_alarm_s": round(self.false_alarm_s, 2),
                "confusion_s": round(self.confusion_s, 2), "speakers_reference": self.speakers_reference,
                "speakers_found": self.speakers_found}


def read_rttm(path: Path) -> list[Turn]:
    """SPEAKER lines of an RTTM file: field 4 is the onset, 5 the duration, 8 the speaker."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CopilotError(f"cannot read RTTM file {path}: {exc.strerror or exc}") from exc
    turns = []
    for number, line in enumerate(lines, 1):
        fields = line.split()
        if not fields or fields[0] != "SPEAKER":
            continue
        try:
            start, duration = float(fields[3]), float(fields[4])
            turns.append(Turn(fields[7], start, start + duration))
        except (IndexError, ValueError):
            raise CopilotError(f"{path}:{number}: not an RTTM SPEAKER line: {line.strip()!r}") from None
    return turns


def _activity(turns: list[Turn], speakers: list[str], frames: int) -> np.ndarray:
    active = np.zeros((len(speakers), frames), bool)
    for turn in turns:
        first = max(0, round(turn.start / RESOLUTION_S))
        active[speakers.index(turn.speaker), first : max(first, round(turn.end / RESOLUTION_S))] = True
    return active


def score(reference: list[Turn], found: list[Turn], collar_s: float = COLLAR_S,
          duration_s: float | None = None) -> DiarizationScore:
    ref_names = sorted({t.speaker for t in reference})
    hyp_names = sorted({t.speaker for t in found})
    end = max([t.end for t in reference + found] + [duration_s or 0.0])
    frames = round(end / RESOLUTION_S) + 1
    ref, hyp = _activity(reference, ref_names, frames), _activity(found, hyp_names, frames)
    scored = np.ones(frames, bool)
    reach = round(collar_s / RESOLUTION_S)
    for turn in reference:
        for edge in (turn.start, turn.end):
            at = round(edge / RESOLUTION_S)
            scored[max(0, at - reach) : at + reach] = False
    ref, hyp = ref[:, scored], hyp[:, scored]
    n_ref, n_hyp = ref.sum(axis=0), hyp.sum(axis=0)
    overlap = ref.astype(np.int64) @ hyp.T.astype(np.int64)  # frames both speak, per pair
    correct = _best_matching(overlap)
    step = RESOLUTION_S
    return DiarizationScore(
        scored_s=float(n_ref.sum()) * step,
        missed_s=float(np.maximum(n_ref - n_hyp, 0).sum()) * step,
        false_alarm_s=float(np.maximum(n_hyp - n_ref, 0).sum()) * step,
        confusion_s=float(np.minimum(n_ref, n_hyp).sum() - correct) * step,
        speakers_reference=len(ref_names), speakers_found=len(hyp_names))


def _best_matching(overlap: np.ndarray) -> int:
    """The largest total overlap of a one-to-one matching of reference rows to found columns
    (exact, over subsets of columns: meetings have few speakers)."""
    rows, cols = overlap.shape
    if rows == 0 or cols == 0:
        return 0
    if cols > 16:
        raise CopilotError(f"{cols} speakers found: too many to match exactly")

    @cache
    def best(row: int, used: int) -> int:
        if row == rows:
            return 0
        value = best(row + 1, used)  # this reference speaker matched to no one
        for col in range(cols):
            if not used & (1 << col):
                value = max(value, int(overlap[row, col]) + best(row + 1, used | (1 << col)))
        return value

    return best(0, 0)


def turn_changes(turns: list[Turn]) -> list[float]:
    """Moments the floor passes to another speaker: the start of each turn whose speaker differs
    from whoever was heard last before it began (a backchannel inside a turn counts)."""
    changes = []
    for turn in turns:
        before = [t for t in turns if t is not turn and t.start < turn.start]
        if before:
            last = max(before, key=lambda t: (min(t.end, turn.start), t.start))
            if last.speaker != turn.speaker:
                changes.append(turn.start)
    return sorted(changes)


def change_offsets(reference: list[Turn], found: list[Turn]) -> list[float | None]:
    """For every reference turn change, how far the nearest found change is (None: none within
    2 x CHANGE_TOLERANCE_S)."""
    found_changes = np.array(turn_changes(found))
    out: list[float | None] = []
    for change in turn_changes(reference):
        if found_changes.size == 0:
            out.append(None)
            continue
        nearest = float(np.min(np.abs(found_changes - change)))
        out.append(nearest if nearest <= 2 * CHANGE_TOLERANCE_S else None)
    return out


def recording_samples(path: Path) -> np.ndarray:
    """The recording's sound as the app hears it: 16 kHz mono from the media file decoder."""
    from copilot.capture.items import AudioChunk
    from copilot.capture.media_file import MediaFile

    source = MediaFile(path, with_video=False)
    source.open()
    try:
        chunks = [item.samples for item in source.items() if isinstance(item, AudioChunk)]
    finally:
        source.close()
    if not chunks:
        raise CopilotError(f"{path}: has no sound to tell speakers apart in")
    return np.concatenate(chunks)


def speaker_turns(events: list, sources: dict[str, str], channel: str = "file") -> list[Turn]:
    """Each voice's turns on `channel`, from its utterance events: a voice's utterances with no
    one else's between them and a gap under talker.PAUSE_MAX_S form one turn, as reference
    turns hold the pauses inside a person's talk (that is a pause, not a turn change)."""
    from copilot.voice.talker import PAUSE_MAX_S

    turns: list[Turn] = []
    said = sorted((e for e in events if e.kind == "utterance" and sources.get(e.channel) == channel),
                  key=lambda e: e.start)
    for event in said:
        if turns and turns[-1].speaker == event.channel and event.start - turns[-1].end <= PAUSE_MAX_S:
            turns[-1] = Turn(event.channel, turns[-1].start, event.end)
        else:
            turns.append(Turn(event.channel, event.start, event.end))
    return turns


def diarize(samples: np.ndarray, analyzer=None) -> list[Turn]:
    """Speaker turns found in a mono recording by the voice analyzer, as `copilot analyze` runs it."""
    from copilot.voice.analyzer import VoiceAnalyzer
    from copilot.voice.replay import replay

    analyzer = analyzer or VoiceAnalyzer()
    events, sources = [], {}
    for result in replay({"file": samples}, analyzer):
        events += result.events
        sources.update(result.sources)
    return speaker_turns(events, sources)
