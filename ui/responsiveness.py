"""How responsive the GUI thread is, and how much CPU the process uses.

The event-loop probe is a 20 ms timer that measures how late each of its ticks comes:
a blocked GUI thread shows up as late ticks. The p95 lateness is shown in the status
bar; the app's promise is that it stays under 50 ms while analysing. Lateness also
grows when other programs take the cores, so the probe also keeps the GUI thread's own
CPU time: the part of the delay that is this thread's work, whatever the machine's load.
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
        self._since: tuple[float, float] | None = None  # (GUI thread's CPU time, wall time) at start

    def start(self) -> None:
        self._last = time.perf_counter()
        self._since = (time.thread_time(), self._last)  # start() runs on the GUI thread
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self._last = None

    def clear(self) -> None:
        self.lateness_ms.clear()
        if self._since is not None:
            self._since = (time.thread_time(), time.perf_counter())

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            self.lateness_ms.append(max(0.0, (now - self._last) * 1000 - PROBE_EVERY_MS))
        self._last = now

    def p95_ms(self) -> float | None:
        return float(np.percentile(self.lateness_ms, 95)) if len(self.lateness_ms) >= 10 else None

    def busy_share(self) -> float | None:
        """The GUI thread's CPU time over wall time since start or clear (1.0 = one core all
        along); read it on the GUI thread."""
        if self._since is None:
            return None
        cpu, wall = self._since
        return (time.thread_time() - cpu) / max(time.perf_counter() - wall, 1e-6)


class CpuMeter:
    """Process CPU % since the previous reading."""

    def __init__(self) -> None:
        self._cpu, self._wall = time.process_time(), time.perf_counter()

    def read(self) -> float:
        cpu, wall = time.process_time(), time.perf_counter()
        used = (cpu - self._cpu) / max(wall - self._wall, 1e-6)
        self._cpu, self._wall = cpu, wall
        return 100.0 * used
