"""Listener responses on a single track: "yeah", "mm-hmm", "right, exactly" heard without the other side.

With two channels a backchannel is a short utterance made while the other side holds
the floor (conversation.py). A recording with one audio track, or a microphone with
no system audio, only carries one side: while the other person talks, this track is
silent. What is left to recognise a response by is its shape, as conversation
analysis describes continuers and acknowledgement tokens: short (a word or two), with
few syllables, said after a stretch of silence in which somebody else could have
been speaking, not a hesitation sound ("umm" is the speaker holding a turn, not
answering one), and standing alone: when the same voice goes on at once, the short
word was the start of a turn ("Well, I suppose...", "Yes, that works"). Such an
utterance is reported as a backchannel with `"during": None`.

The rule is causal: a candidate is kept when the utterance ends and reported once
the channel has stayed silent for `SILENCE_AFTER_S` (or dropped when speech resumes).
"""

from __future__ import annotations

from copilot.voice.cues import VoiceEvent

RESPONSE_MAX_S = 1.5  # "right, exactly" takes about 1.3 s; a sentence takes longer
RESPONSE_MAX_SYLLABLES = 4  # one to three short words
SILENCE_BEFORE_S = 1.0  # time enough for the other side to have said something
SILENCE_AFTER_S = 0.6  # the same voice going on sooner continues a turn (phrase breaks are shorter)
FILLED_SHARE = 0.5  # an utterance that is mostly "umm"/"uhh" is hesitation, not a response


def listener_response(described: list[VoiceEvent], silent_since: float) -> VoiceEvent | None:
    """A backchannel event for the utterance in `described` (its utterance, filled pauses and
    pause, from ChannelTrack.describe) when it has a listener response's shape, else None.
    `silent_since` is where this channel's previous utterance ended (or where the channel began)."""
    utterance = next(e for e in described if e.kind == "utterance")
    duration = utterance.end - utterance.start
    syllables = int(utterance.details.get("syllables", 0) or 0)
    filled = sum(e.end - e.start for e in described if e.kind == "filled_pause")
    if not (0 < syllables <= RESPONSE_MAX_SYLLABLES and duration <= RESPONSE_MAX_S):
        return None
    if utterance.start - silent_since < SILENCE_BEFORE_S or filled > FILLED_SHARE * duration:
        return None
    return VoiceEvent("backchannel", utterance.channel, utterance.start, utterance.end,
                      {"during": None, "silence_before_s": round(utterance.start - silent_since, 3)})


class PendingResponses:
    """Candidates waiting for the silence after them, one per channel."""

    def __init__(self) -> None:
        self.waiting: dict[str, VoiceEvent] = {}

    def offer(self, candidate: VoiceEvent | None, channel: str) -> None:
        """A finished utterance of `channel`: its candidate replaces (and so drops) any earlier one."""
        if candidate is None:
            self.waiting.pop(channel, None)
        else:
            self.waiting[channel] = candidate

    def confirmed(self, channel: str, heard_until: float, speech_start: float | None) -> list[VoiceEvent]:
        """The candidate of `channel` once silence has followed it long enough (`speech_start`:
        the start of speech now in progress, if any; `heard_until`: how far the channel is analysed)."""
        candidate = self.waiting.get(channel)
        if candidate is None:
            return []
        resumed = speech_start is not None and speech_start > candidate.end
        if resumed and speech_start - candidate.end < SILENCE_AFTER_S:
            del self.waiting[channel]
            return []
        if resumed or heard_until - candidate.end >= SILENCE_AFTER_S - 1e-9:
            del self.waiting[channel]
            return [candidate]
        return []

    def flush(self) -> list[VoiceEvent]:
        """The input ended: nothing more follows the candidates still waiting, so they stand alone."""
        out, self.waiting = list(self.waiting.values()), {}
        return out
