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
from copilot.voice.speakers import VoicePiece as Turn  # who spoke from when to when, found or labelled

COLLAR_S = 0.25  # NIST md-eval's -c 0.25: 0.25 s each side of a reference edge is not scored
RESOLUTION_S = 0.01
# A turn change is "found" when a found change lies this close to the reference one (issue 18).
CHANGE_TOLERANCE_S = 0.5


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
        active[speakers.index(turn.voice), first : max(first, round(turn.end / RESOLUTION_S))] = True
    return active


def score(reference: list[Turn], found: list[Turn], collar_s: float = COLLAR_S,
          duration_s: float | None = None) -> DiarizationScore:
    ref_names = sorted({t.voice for t in reference})
    hyp_names = sorted({t.voice for t in found})
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
            if last.voice != turn.voice:
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
        if turns and turns[-1].voice == event.channel and event.start - turns[-1].end <= PAUSE_MAX_S:
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


RTTM_SUFFIX = ".rttm"
AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".m4a", ".ogg", ".mp4", ".mkv", ".webm", ".avi", ".mov")


@dataclass
class RecordingDiarization:
    """One recording's voices as found, scored when it has reference turns."""

    recording: Path
    reference: Path | None
    duration_s: float
    found: list[Turn]
    score: DiarizationScore | None = None
    change_offsets_s: list[float | None] | None = None

    def talk_s(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for turn in self.found:
            out[turn.voice] = out.get(turn.voice, 0.0) + turn.end - turn.start
        return out

    def changes_within(self, tolerance_s: float = CHANGE_TOLERANCE_S) -> tuple[int, int]:
        offsets = self.change_offsets_s or []
        return sum(o is not None and o <= tolerance_s for o in offsets), len(offsets)

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "recording": str(self.recording), "reference": str(self.reference) if self.reference else None,
            "duration_s": round(self.duration_s, 2),
            "voices": {v: round(s, 2) for v, s in self.talk_s().items()},
            "turns": [{"voice": t.voice, "start": round(t.start, 3), "end": round(t.end, 3)}
                      for t in self.found]}
        if self.score is not None:
            within, changes = self.changes_within()
            out |= {"score": self.score.to_json(), "turn_changes": changes,
                    "turn_changes_within_s": CHANGE_TOLERANCE_S, "turn_changes_found": within,
                    "turn_change_offsets_s": [None if o is None else round(o, 3)
                                              for o in self.change_offsets_s or []]}
        return out


def recording_of(reference: Path) -> Path:
    """The recording an RTTM file describes: the audio or video file of the same name beside it."""
    for suffix in AUDIO_SUFFIXES:
        candidate = reference.with_suffix(suffix)
        if candidate.is_file():
            return candidate
    raise CopilotError(f"{reference}: no recording of the same name beside it "
                       f"({', '.join(AUDIO_SUFFIXES)})")


def evaluate(path: Path) -> RecordingDiarization:
    """Diarizes a recording (or the one an RTTM file names) and scores it against the RTTM if any."""
    reference = path if path.suffix == RTTM_SUFFIX else None
    recording = recording_of(path) if reference is not None else path
    if reference is None and path.with_suffix(RTTM_SUFFIX).is_file():
        reference = path.with_suffix(RTTM_SUFFIX)
    truth = read_rttm(reference) if reference is not None else None
    samples = recording_samples(recording)
    found = diarize(samples)
    result = RecordingDiarization(recording, reference, len(samples) / 16000, found)
    if truth is not None:
        result.score = score(truth, found, duration_s=result.duration_s)
        result.change_offsets_s = change_offsets(truth, found)
    return result


def speakers_table(results: list[RecordingDiarization]) -> str:
    lines = [f"speakers on one track: diarization error rate (collar {COLLAR_S:g} s each side of a "
             f"reference edge, overlaps scored), turn changes found within {CHANGE_TOLERANCE_S:g} s",
             f"  {'recording':28s} {'DER':>6s} {'missed':>7s} {'false':>6s} {'confused':>8s} "
             f"{'speakers':>9s} {'changes':>8s}  voices found (talk s)"]
    for r in results:
        voices = ", ".join(f"{v} {s:.1f}" for v, s in sorted(r.talk_s().items()))
        name = r.recording.name
        if r.score is None:
            lines.append(f"  {name:28s} {'-':>6s} {'-':>7s} {'-':>6s} {'-':>8s} "
                         f"{'?/' + str(len(r.talk_s())):>9s} {'-':>8s}  {voices}")
            continue
        s = r.score
        within, changes = r.changes_within()
        counts = f"{s.speakers_reference}/{s.speakers_found}"
        lines.append(f"  {name:28s} {s.der:6.3f} {s.missed_s:6.1f}s {s.false_alarm_s:5.1f}s "
                     f"{s.confusion_s:7.1f}s {counts:>9s} {f'{within}/{changes}':>8s}  {voices}")
    return "\n".join(lines)
