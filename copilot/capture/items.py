"""The timestamped items every source yields, on one session clock.

`t` is seconds since the session started; for a media file it is the media
presentation time, so analysing a file fast or paced stamps the same values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from copilot.errors import CopilotError

SAMPLE_RATE_HZ = 16_000
"""Every audio source is resampled to this rate, mono, float32 in [-1, 1]."""


class SourceError(CopilotError):
    """A source could not be opened or stopped working; the message names it and says why."""


def nothing_to_analyse(name: str) -> SourceError:
    """A file that opens but holds neither a frame nor a sample (e.g. a WAV that is only its header)."""
    return SourceError(f"{name}: nothing to analyse (the file holds no frames and no sound)")


@dataclass(frozen=True, slots=True)
class VideoFrame:
    t: float
    image: np.ndarray  # H x W x 3, uint8, BGR (OpenCV's order)
    index: int  # position in the source's own sequence, counting dropped frames too
    captured_at: float = field(default=0.0, compare=False)  # time.monotonic() when it arrived


@dataclass(frozen=True, slots=True)
class AudioChunk:
    t: float  # time of the first sample
    samples: np.ndarray  # 1-D float32 at SAMPLE_RATE_HZ
    channel: str  # "you" (microphone), "them" (system audio) or "file"
    captured_at: float = field(default=0.0, compare=False)

    @property
    def end(self) -> float:
        return self.t + len(self.samples) / SAMPLE_RATE_HZ
