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
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal, Slot

from copilot.coach import Nudge
from copilot.engine.step import Step


@dataclass(frozen=True, slots=True)
class FaceMark:
    participant: str  # "p1", "p2", ...
    box: tuple[float, float, float, float]  # x, y, w, h in the frame's pixels
    analysed_hz: float | None = None  # in a gallery, how often this face is really read (Face.analysed_hz)

    @property
    def tag(self) -> str:
        """What the video shows by the face: its id, and in a gallery how often it is read."""
        if self.analysed_hz is None:
            return self.participant
        return f"{self.participant} {self.analysed_hz:.0f}/s"


@dataclass(frozen=True, slots=True)
class EventMark:
    """A signal event that started (or, in `revised`, its newer wording): what the timeline marks
    and the feed lists. An event keeps its start, so (participant, signal, t) names it."""

    t: float  # when the score first got high (the event's start)
    signal: str
    participant: str
    probability: str  # the band of its peak so far (bands.band_of)
    rationale: str
    end: float | None = None  # None while it runs


@dataclass(frozen=True, slots=True)
class FrameView:
    """What the window needs from one or more steps, detached from the engine's objects.

    Latest wins for the picture and the scores; ticks, events and nudges are lists that
    accumulate over the steps the GUI did not pick up, so none is lost when it lags.
    """

    t: float
    image: np.ndarray | None  # BGR uint8; frames are immutable, so sharing the array is safe
    faces: tuple[FaceMark, ...]
    scores: dict[str, dict[str, float | None]] = field(default_factory=dict)  # participant -> signal ->
    #                                                     0..1, or None: not enough evidence yet
    ticks: tuple[tuple[float, str, np.ndarray], ...] = ()  # (t, participant, scores in SIGNALS order)
    started: tuple[EventMark, ...] = ()
    nudges: tuple[Nudge, ...] = ()
    revised: tuple[EventMark, ...] = ()  # events under way or just ended, with their latest wording
    gazes: dict[str, tuple[float, float]] = field(default_factory=dict)  # participant -> gaze yaw,
    #                                         pitch (degrees) of a face whose cues are ready (calibration)
    said: tuple[tuple[float, str, str], ...] = ()  # (start, participant, text) just transcribed
    talk: dict[str, dict[str, float | None]] = field(default_factory=dict)  # participant -> live
    #                                                     measure -> value (signals.measures.talk_values)
    quality: dict[str, int] | None = None  # conversation quality so far; None: no evidence yet

    @classmethod
    def from_step(cls, step: Step) -> FrameView:
        faces = tuple(FaceMark(str(f.participant), tuple(float(v) for v in f.box),
                               getattr(f, "analysed_hz", None))
                      for f in step.results.get("faces") or ())
        image = step.frame.image if step.frame is not None else None
        face_cues = step.results.get("face_cues")
        gazes = {p: (c.gaze_yaw, c.gaze_pitch) for p, c in (face_cues.cues if face_cues else {}).items()
                 if c.ready}
        signals = step.results.get("signals")
        if signals is None:
            return cls(step.t, image, faces, nudges=tuple(step.results.get("coach") or ()), gazes=gazes)
        started, revised = (tuple(EventMark(e.start, e.type, e.participant, e.probability, e.rationale, e.end)
                                  for e in events)
                            for events in (signals.started, [*signals.updated, *signals.ended]))
        ticks = tuple((row.t, row.participant, np.array(row.scores, np.float64)) for row in signals.ticks)
        said = tuple((float(d["start"]), str(d["participant"]), str(d["text"])) for d in signals.said)
        return cls(step.t, image, faces, signals.scores, ticks, started,
                   tuple(step.results.get("coach") or ()), revised, gazes, said, signals.talk,
                   signals.quality)

    def after(self, older: FrameView | None) -> FrameView:
        """This view with what `older` (not yet delivered) carried that must not be lost."""
        if older is None:
            return self
        return FrameView(self.t, self.image if self.image is not None else older.image,
                         self.faces if self.image is not None else older.faces,
                         self.scores or older.scores,
                         older.ticks + self.ticks, older.started + self.started,
                         older.nudges + self.nudges, older.revised + self.revised,
                         self.gazes if self.image is not None else older.gazes, older.said + self.said,
                         self.talk or older.talk, self.quality or older.quality)


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
            self._latest = view.after(self._latest)
            wake, self._waiting = not self._waiting, True
        if wake:
            self._posted.emit()

    def drop(self) -> None:
        """Forgets a result not yet delivered: the run it came from is over and another begins."""
        with self._lock:
            self._latest = None

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
