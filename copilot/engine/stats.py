"""Numbers that say how well the engine keeps up: what the status bar and `copilot bench` show."""

from __future__ import annotations

import statistics
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from copilot.capture.items import SAMPLE_RATE_HZ
from copilot.engine.buffers import AudioRing, LatestFrame

WINDOW = 120  # recent steps the medians and the rate are computed over


@dataclass(frozen=True)
class EngineStats:
    frames_in: int  # video frames the capture thread delivered
    frames_dropped: int  # delivered but superseded before analysis took them
    steps: int  # analysis steps done (frames analysed, or audio hops)
    steps_per_s: float  # recent analysis rate
    stage_ms: dict[str, float] = field(default_factory=dict)  # median per analyzer, recent steps
    latency_ms: float = 0.0  # median capture-to-result time of recent frames
    audio_dropped_s: float = 0.0  # audio overwritten before analysis read it
    last_t: float = 0.0  # session time of the latest step

    @property
    def drop_rate(self) -> float:
        return self.frames_dropped / self.frames_in if self.frames_in else 0.0


class StatsRecorder:
    """Written by the analysis thread, read from any thread as an immutable snapshot."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stage: dict[str, deque[float]] = {}
        self._latency: deque[float] = deque(maxlen=WINDOW)
        self._step_times: deque[float] = deque(maxlen=WINDOW)
        self._steps = 0
        self._last_t = 0.0

    def stage(self, name: str, ms: float) -> None:
        with self._lock:
            self._stage.setdefault(name, deque(maxlen=WINDOW)).append(ms)

    def step_done(self, t: float, captured_at: float | None) -> None:
        now = time.monotonic()
        with self._lock:
            self._steps += 1
            self._last_t = t
            self._step_times.append(now)
            if captured_at:
                self._latency.append((now - captured_at) * 1000)

    def snapshot(self, video: LatestFrame, rings: list[AudioRing]) -> EngineStats:
        with self._lock:
            times = list(self._step_times)
            span = times[-1] - times[0] if len(times) > 1 else 0.0
            rate = (len(times) - 1) / span if span > 0 else 0.0
            return EngineStats(
                frames_in=video.received,
                frames_dropped=video.dropped,
                steps=self._steps,
                steps_per_s=rate,
                stage_ms={k: statistics.median(v) for k, v in self._stage.items() if v},
                latency_ms=statistics.median(self._latency) if self._latency else 0.0,
                audio_dropped_s=sum(r.dropped_samples for r in rings) / SAMPLE_RATE_HZ,
                last_t=self._last_t,
            )
