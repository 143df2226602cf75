"""Voice results as JSON-ready rows for `copilot cues`: one per audio channel per step (with the
voice speaking on it, if any), one per event."""

from __future__ import annotations

import math

from copilot.voice.cues import VoiceResult


def voice_records(result: VoiceResult, t: float) -> list[dict]:
    rows: list[dict] = []
    for channel, now in result.channels.items():
        # who is speaking on the channel: its one voice, or the voice of a mixed track now heard
        voice = next((v for v, n in result.now.items() if result.sources.get(v) == channel and n.speaking),
                     channel if channel in result.now else None)
        rows.append({
            "t": round(t, 4), "kind": "voice_hop", "channel": channel, "voice": voice,
            "speech_probability": round(now.speech_probability, 3), "speaking": now.speaking,
            "pitch_hz": None if now.pitch_hz is None else round(now.pitch_hz, 1),
            "loudness_db": _round(now.loudness_db, 1),  # None before the channel's first hop
            "pitch_vs_usual_st": _round(now.pitch_vs_usual_st),
            "loudness_vs_usual_db": _round(now.loudness_vs_usual_db),
            "talk_share_1min": _round(result.conversation.talk_share_1min.get(voice or "")),
            "talk_share_5min": _round(result.conversation.talk_share_5min.get(voice or "")),
        })
    for event in result.events:
        rows.append({"t": round(t, 4), "kind": event.kind, "channel": event.channel,
                     "start": round(event.start, 3), "end": round(event.end, 3), **event.details})
    for face in result.faces:
        rows.append({"t": round(t, 4), "kind": "mouth", "participant": face.participant,
                     "mouth_open": round(face.mouth_open, 4),
                     "mouth_movement": round(face.mouth_movement, 4)})
    return rows


def _round(value: float | None, digits: int = 3) -> float | None:
    """JSON has no NaN: a value not measured yet is null."""
    return None if value is None or math.isnan(value) else round(value, digits)
