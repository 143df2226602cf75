"""Per-participant summaries and practice speaking metrics, from a loaded session.

Shared by the HTML report and the review window, so both say the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from copilot.session.library import SessionData
from copilot.session.schema import SCORE_COLUMNS
from copilot.signals.attribution import MIC

TOP_SIGNALS = 3  # strongest signals named per participant
FLOOR_PERCENTILE = 10


def quality_line(values: dict[str, int]) -> str:
    """Conversation quality in words: "quality index 74, clarity 60, ..." (the JSON keeps its keys)."""
    return ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in values.items())


@dataclass
class ParticipantSummary:
    participant: str
    seen_s: float
    by: str
    first_s: float = 0.0  # when first seen or heard
    last_s: float = 0.0  # ... and last
    state_share: dict[str, float] = field(default_factory=dict)  # engaged/neutral/disengaged -> share
    mean_scores: dict[str, float] = field(default_factory=dict)
    events: dict[str, int] = field(default_factory=dict)  # signal type -> events

    rises: dict[str, float] = field(default_factory=dict)  # mean score above its own session floor

    @property
    def strongest(self) -> list[str]:
        """Signals that rose most above their own floor (raw means mostly show each model's resting value),
        among those that held long enough to raise an event: issue 19 found signals named here that
        never had one, a claim the rest of the report could not back."""
        ranked = sorted(((n, r) for n, r in self.rises.items() if self.events.get(n)), key=lambda kv: -kv[1])
        return [name for name, rise in ranked[:TOP_SIGNALS] if rise > 0]


def participant_summaries(data: SessionData) -> list[ParticipantSummary]:
    doc, out = data.document, []
    for person in doc["participants"]:
        pid = person["id"]
        summary = ParticipantSummary(pid, person["last_seen"] - person["first_seen"], person["by"],
                                     person["first_seen"], person["last_seen"])
        spans = [s for s in doc["engagement_state"] if s["participant"] == pid]
        total = sum(s["end"] - s["start"] for s in spans)
        for s in spans:
            summary.state_share[s["state"]] = summary.state_share.get(s["state"], 0.0) + (
                (s["end"] - s["start"]) / total if total > 0 else 0.0)
        scores = data.scores.get(pid)
        if scores is not None and len(scores.t):
            means = scores.scores.mean(axis=0)
            floor = np.percentile(scores.scores, FLOOR_PERCENTILE, axis=0)
            summary.mean_scores = dict(zip(SCORE_COLUMNS, np.round(means, 3).tolist(), strict=True))
            summary.rises = dict(zip(SCORE_COLUMNS, np.round(means - floor, 3).tolist(), strict=True))
        for event in doc["signals"]:
            if event["participant"] == pid:
                summary.events[event["type"]] = summary.events.get(event["type"], 0) + 1
        out.append(summary)
    return out


@dataclass
class SpeakingMetrics:
    """Practice mode's numbers for one voice channel; None where there was nothing to measure."""

    channel: str
    speaking_s: float
    pace_syl_s: float | None  # syllables per second while speaking
    fillers: int
    fillers_per_min: float | None
    pauses: int
    mean_pause_s: float | None
    talk_ratio: float | None  # share of all talk in the session
    eyes_on_screen: float | None  # share of the frames of this voice's face with the eyes on the screen
    #                                (cue at_screen, the measure the rationale "Kept the eyes on the
    #                                screen" reports); None for a voice heard with no face


def speaking_metrics(data: SessionData) -> list[SpeakingMetrics]:
    events = data.cue_events
    utterances = [e for e in events if e["kind"] == "utterance"]
    channels = sorted({e["who"] for e in utterances})
    said = {ch: sum(e["end"] - e["start"] for e in utterances if e["who"] == ch) for ch in channels}
    # A laugh is no talk: its time inside their utterances is taken out of talk time, the talk ratio
    # and fillers per minute (as in the result's "conversation", signals/measures.py Talk). The
    # pace stays syllables over the utterances' time, since the syllables include the laugh's calls.
    laughs = [e for e in events if e["kind"] == "laughter"]
    talk = {ch: said[ch] - sum(_overlap(laugh, u) for laugh in laughs if laugh["who"] == ch
                               for u in utterances if u["who"] == ch)
            for ch in channels}
    all_talk = sum(talk.values())
    eyes = _eyes_on_screen_by_voice(data, channels)
    out = []
    for ch in channels:
        mine = [e for e in utterances if e["who"] == ch]
        syllables = sum(e.get("syllables", 0) for e in mine)
        fillers = sum(1 for e in events if e["kind"] == "filled_pause" and e["who"] == ch)
        pauses = [e["end"] - e["start"] for e in events if e["kind"] == "pause" and e["who"] == ch]
        minutes = talk[ch] / 60
        out.append(SpeakingMetrics(
            ch, round(talk[ch], 1), round(syllables / said[ch], 2) if said[ch] > 0 else None, fillers,
            round(fillers / minutes, 1) if minutes > 0 else None, len(pauses),
            round(float(np.mean(pauses)), 2) if pauses else None,
            round(talk[ch] / all_talk, 3) if all_talk > 0 else None, eyes.get(ch)))
    return out


def _overlap(a: dict, b: dict) -> float:
    return max(0.0, min(a["end"], b["end"]) - max(a["start"], b["start"]))


def _eyes_on_screen_by_voice(data: SessionData, channels: list[str]) -> dict[str, float]:
    """Each voice's face: the mean of its per-second shares of frames with the eyes on the screen.
    A voice goes with the face the analysis gave it (the result's "conversation" rows). The
    microphone is the user, never given a face by the analysis; the one face a practice session's
    camera sees, that no other voice went to, is theirs. A voice heard with no face has no eyes
    to count."""
    shares = {who: float(np.mean(looks)) for who, rows in data.cue_summaries.items()
              if not who.startswith("voice:")
              and (looks := [v["at_screen"] for _, v in rows if v.get("at_screen") is not None])}
    face_of = {voice: row["participant"] for row in data.document.get("conversation") or []
               for voice in row.get("voices", ())}
    if len(shares) == 1 and not any(face_of.get(ch) in shares for ch in channels):
        (face,) = shares  # the one face, and no voice went to it
        for ch in channels:
            if ch == MIC or (len(channels) == 1 and ch not in face_of):
                face_of[ch] = face
    return {ch: round(shares[face_of[ch]], 3) for ch in channels if face_of.get(ch) in shares}
