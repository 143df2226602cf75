"""The one place where the engine's threads hand results to Qt.

The engine calls its sinks and its error handler on its own threads. Here those
calls become queued signals that reach the widgets on the GUI thread; no widget is
ever called from a worker, and no widget holds an engine object.

Latest wins: the analysis thread overwrites one slot and posts at most one wake-up
at a time, so a GUI thread that stalls for a moment finds the newest frame waiting,
not a backlog of old ones.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal, Slot

from copilot.step import Step


@dataclass(frozen=True, slots=True)
class FaceMark:
    participant: str  # "p1", "p2", ...
    box: tuple[float, float, float, float]  # x, y, w, h in the frame's pixels


@dataclass(frozen=True, slots=True)
class FrameView:
    """What the window needs from one step, detached from the engine's objects."""

    t: float
    image: np.ndarray | None  # BGR uint8; frames are immutable, so sharing the array is safe
    faces: tuple[FaceMark, ...]

    @classmethod
    def from_step(cls, step: Step) -> FrameView:
        faces = tuple(FaceMark(str(f.participant), tuple(float(v) for v in f.box))
                      for f in step.results.get("faces") or ())
        return cls(step.t, step.frame.image if step.frame is not None else None, faces)


class EngineBridge(QObject):
    """Give `sink` and `report_error` to the Engine; connect widgets to `frame` and `problem`."""

    frame = Signal(object)  # FrameView, emitted on the GUI thread
    problem = Signal(str)  # a source or analysis error, emitted on the GUI thread

    _posted = Signal()  # worker -> GUI: a new FrameView waits in the slot
    _failed = Signal(str)  # worker -> GUI

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._latest: FrameView | None = None
        self._waiting = False
        self.delivered = 0
        self._posted.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._failed.connect(self.problem, Qt.ConnectionType.QueuedConnection)

    def sink(self, step: Step) -> None:
        """Engine sink; runs on the analysis thread and never blocks on the GUI."""
        view = FrameView.from_step(step)
        with self._lock:
            self._latest = view
            wake, self._waiting = not self._waiting, True
        if wake:
            self._posted.emit()

    def report_error(self, message: str) -> None:
        """Engine error handler; runs on capture or analysis threads."""
        self._failed.emit(message)

    @Slot()
    def _deliver(self) -> None:
        with self._lock:
            view, self._latest, self._waiting = self._latest, None, False
        if view is not None:
            self.delivered += 1
            self.frame.emit(view)
