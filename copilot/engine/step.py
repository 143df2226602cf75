"""One analysis step and the small interface every analyzer implements.

The engine builds a `Step` for each video frame it analyses (or each audio hop when
there is no video), plus one `final` step when the session ends, hands it to the
analyzers in registration order, and stores
what each returns under its name, so a later analyzer can read an earlier one's
output (face cues read the face tracker's faces).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from copilot.capture.items import AudioChunk, VideoFrame


@dataclass(slots=True)
class Step:
    t: float  # session time of this step: the frame's time, or the end of the audio hop
    frame: VideoFrame | None  # None for audio-only sources
    audio: dict[str, AudioChunk]  # per channel, the samples since the previous step
    results: dict[str, Any] = field(default_factory=dict)  # analyzer name -> its output
    final: bool = False  # the session's last step: close what is still open (an utterance, a nod)


class Analyzer(Protocol):
    name: str  # key of its output in Step.results and in the per-stage timings

    def analyze(self, step: Step) -> Any:
        """Return this step's output; runs on the analysis thread, uses data up to step.t only."""

    def close(self) -> None:
        """Release models and state; called once when the session ends."""
