"""How responsive the GUI thread is, and how much CPU the process uses.

The event-loop probe is a 20 ms timer that measures how late each of its ticks comes:
a blocked GUI thread shows up as late ticks. The p95 lateness is shown in the status
bar; the app's promise is that it stays under 50 ms while analysing.
CPU is the process's CPU time over wall time (100% = one core), from the standard
library, so no extra dependency is needed for one number.
"""

from __future__ import annotations

import time
from collections import deque

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer

PROBE_EVERY_MS = 20
SAMPLES = 500  # the last ten seconds of ticks
LATENCY_BUDGET_MS = 50.0


class EventLoopProbe(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lateness_ms: deque[float] = deque(maxlen=SAMPLES)
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(PROBE_EVERY_MS)
        self.timer.timeout.connect(self._tick)
        self._last: float | None = None

    def start(self) -> None:
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self._last = None

    def clear(self) -> None:
        self.lateness_ms.clear()

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            self.lateness_ms.append(max(0.0, (now - self._last) * 1000 - PROBE_EVERY_MS))
        self._last = now

    def p95_ms(self) -> float | None:
        return float(np.percentile(self.lateness_ms, 95)) if len(self.lateness_ms) >= 10 else None


class CpuMeter:
    """Process CPU % since the previous reading."""

    def __init__(self) -> None:
        self._cpu, self._wall = time.process_time(), time.perf_counter()

    def read(self) -> float:
        cpu, wall = time.process_time(), time.perf_counter()
        used = (cpu - self._cpu) / max(wall - self._wall, 1e-6)
        self._cpu, self._wall = cpu, wall
        return 100.0 * used
