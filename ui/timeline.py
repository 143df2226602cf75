"""The timeline: the last few minutes of signal scores for one participant, with event markers.


Curves are created once and fed with `setData` from ring buffers on the display timer;
x arrays stay float64 (other dtypes make pyqtgraph's clipping far slower). Clicking a
signal's check box hides or shows its curve.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QCheckBox, QGridLayout, QVBoxLayout, QWidget

from copilot.signals import DEFINITIONS, SIGNAL_GROUPS, SIGNALS
from ui.readings import clock, draw_bands

WINDOW_S = 180.0  # what the timeline shows: the last three minutes
CAPACITY = 3600  # ticks kept per participant (six minutes at 10 Hz)
SHOWN_AT_START = ("engagement", "interest", "confusion", "skepticism", "stress")
COLOURS = {name: d.colour for name, d in DEFINITIONS.items()}
BAND_LINE = "#8a9099"  # the band edges: grey that shows on either theme's plot background


class ScoreHistory:
    """One participant's ticks in a sliding buffer: append is O(1) amortised, reads are views."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._t = np.zeros(2 * capacity, np.float64)
        self._scores = np.zeros((2 * capacity, len(SIGNALS)), np.float64)
        self._n = 0

    def add(self, t: float, scores: np.ndarray) -> None:
        if self._n == len(self._t):  # full: keep the newest half at the front
            self._t[: self.capacity] = self._t[self.capacity:]
            self._scores[: self.capacity] = self._scores[self.capacity:]
            self._n = self.capacity
        self._t[self._n] = t
        self._scores[self._n] = scores
        self._n += 1

    @property
    def t(self) -> np.ndarray:
        return self._t[: self._n]

    def scores(self, k: int) -> np.ndarray:
        return self._scores[: self._n, k]


class Timeline(QWidget):
    """The plot with a row of coloured check boxes above it that show or hide each signal."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = TimelinePlot()
        self.toggles: dict[str, QCheckBox] = {}
        boxes = QGridLayout()
        boxes.setSpacing(2)
        for k, name in enumerate(name for names in SIGNAL_GROUPS.values() for name in names):
            box = QCheckBox(name)
            box.setStyleSheet(f"QCheckBox {{ color: {COLOURS[name]}; }}")
            box.setChecked(name in SHOWN_AT_START)
            box.toggled.connect(self.plot.curves[name][1].setVisible)
            boxes.addWidget(box, k // 4, k % 4)  # a row per group, as the gauges
            self.toggles[name] = box
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(boxes)
        layout.addWidget(self.plot, 1)

        self.add_ticks, self.refresh = self.plot.add_ticks, self.plot.refresh
        self._revealed: set[str] = set()

    def add_events(self, events) -> None:
        """Marks them; the first event of a signal also shows its curve, once (the user may hide it)."""
        self.plot.add_events(events)
        for event in events:
            if event.signal not in self._revealed:
                self._revealed.add(event.signal)
                self.toggles[event.signal].setChecked(True)

    def reset(self) -> None:
        self.plot.reset()
        self._revealed.clear()
        for name, box in self.toggles.items():
            box.setChecked(name in SHOWN_AT_START)

    @property
    def event_count(self) -> int:
        return len(self.plot.events)


class TimelinePlot(pg.PlotWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(150)
        self.setLabel("bottom", "session time", units="s")
        draw_bands(self, BAND_LINE)
        self.setYRange(0, 1.1, padding=0)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.showGrid(x=True, y=True, alpha=0.2)
        self.curves = {}
        for k, name in enumerate(SIGNALS):
            # connect="finite": a NaN (no score yet, too little evidence) is a gap, not a drop to 0
            curve = self.plot([], [], pen=pg.mkPen(COLOURS[name], width=2), connect="finite")
            curve.setVisible(name in SHOWN_AT_START)
            curve.setClipToView(True)
            self.curves[name] = (k, curve)
        self.markers = pg.ScatterPlotItem(size=11, symbol="t", pen=pg.mkPen("w"), brush=pg.mkBrush("#ffca28"))
        self.addItem(self.markers)
        self.histories: dict[str, ScoreHistory] = {}
        self.events: list[tuple[float, str, str]] = []  # (t, signal, participant)
        self.shown: str | None = None
        self.now = 0.0

    def add_ticks(self, ticks: tuple[tuple[float, str, np.ndarray], ...]) -> None:
        for t, participant, scores in ticks:
            self.histories.setdefault(participant, ScoreHistory()).add(t, scores)
            self.now = max(self.now, t)

    def add_events(self, events) -> None:
        self.events += [(e.t, e.signal, e.participant) for e in events]

    @property
    def event_count(self) -> int:
        return len(self.events)

    def refresh(self, participant: str | None) -> None:
        """Redraws for `participant` (None: empty); called by the display timer."""
        self.shown = participant
        history = self.histories.get(participant) if participant else None
        for k, curve in self.curves.values():
            if history is None:
                curve.setData([], [])
            else:
                curve.setData(history.t, history.scores(k))
        marks = [(t, s) for t, s, p in self.events if p == participant or participant == "room"]
        self.markers.setData([t for t, _ in marks], [1.04] * len(marks), data=[s for _, s in marks])
        self.markers.setToolTip(", ".join(f"{s} at {clock(t)}" for t, s in marks[-5:]) or None)
        self.setXRange(max(0.0, self.now - WINDOW_S), max(self.now, 10.0), padding=0.01)

    def reset(self) -> None:
        self.histories.clear()
        self.events.clear()
        self.now = 0.0
        self.refresh(None)
