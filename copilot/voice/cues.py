"""What the voice analyzer hands on each step: hop-level cues, finished events, conversation stats."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class VoiceNow:
    """The latest hop of one voice: the microphone "you", or a voice v1, v2, ... of a mixed track
    (system audio, a recording's own track); a mixed track not split by voice is "them" or "file"."""

    t: float  # end of the latest analysed hop
    speech_probability: float  # Silero's, for the latest 32 ms window
    speaking: bool  # held through pauses shorter than the gate's minimum pause
    pitch_hz: float | None  # None when unvoiced
    loudness_db: float  # dB full scale of the latest 16 ms
    pitch_vs_usual_st: float | None  # against this speaker's running baseline
    loudness_vs_usual_db: float | None


@dataclass(slots=True)
class VoiceEvent:
    """Something that finished: utterance, pause, filled_pause, backchannel, overlap,
    interruption, turn, response, sigh. `channel` is who did it."""

    kind: str
    channel: str
    start: float
    end: float
    details: dict[str, object] = field(default_factory=dict)


@dataclass(slots=True)
class ConversationStats:
    talk_share_1min: dict[str, float | None]  # share of all talk in the last minute
    talk_share_5min: dict[str, float | None]
    talk_seconds_1min: dict[str, float]  # works with a single channel too
    longest_monologue_s: dict[str, float]
    response_latency_s: dict[str, float]  # of each channel's latest turn
    floor: str | None = None  # the channel (voice) whose turn is under way


@dataclass(slots=True)
class FaceMouth:
    """One on-screen face's mouth movement, beside the file channel's voice activity."""

    participant: str
    mouth_open: float  # lip gap / face height
    mouth_movement: float  # spread of mouth_open over the last half second


@dataclass(slots=True)
class VoiceResult:
    t: float
    now: dict[str, VoiceNow]
    events: list[VoiceEvent]
    conversation: ConversationStats
    faces: list[FaceMouth] = field(default_factory=list)
    # Each voice in `now` and the events -> the audio channel it is heard on ("v2" -> "file");
    # a channel that is one voice maps to itself.
    sources: dict[str, str] = field(default_factory=dict)
    # The latest hop of each audio channel, whoever speaks on it (a mixed track's level and
    # speech probability exist before any voice is known); baselines are its voice's, if one.
    channels: dict[str, VoiceNow] = field(default_factory=dict)
