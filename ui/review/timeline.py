"""The review timeline: every signal of one participant over the session, with its events
as shaded regions, nudges and markers as lines, and a cursor to scrub.

Clicking or dragging moves the cursor and emits `seeked(t)`; the window shows the
frame there. Plot items are made once per session and then only `setData` is called.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal

from copilot.session.charts import COLOUR, shown_at_first  # as in the report
from copilot.session.library import SessionData
from copilot.session.schema import SCORE_COLUMNS
from ui.readings import draw_bands

EVENT_ALPHA = 40


class SessionTimeline(pg.PlotWidget):
    seeked = Signal(float)  # session time the user clicked or dragged the cursor to

    def __init__(self, parent=None) -> None:
        super().__init__(parent, background="w")
        self.setLabel("bottom", "seconds")
        self.setLabel("left", "score")
        draw_bands(self, "#9aa0a6")
        self.getAxis("bottom").enableAutoSIPrefix(False)  # never "seconds (x0.001)"
        self.setXRange(0, 60, padding=0)  # a minute, until a session gives the real span
        self.setYRange(0, 1.05)
        self.setMouseEnabled(y=False)
        self.curves = {name: self.plot([], [], pen=pg.mkPen(COLOUR[name], width=1.5))
                       for name in SCORE_COLUMNS}
        # The legend goes under the plot, not over the data; clicking a name hides or shows its curve.
        self.legend = pg.LegendItem(labelTextSize="8pt", labelTextColor="#222", colCount=6)
        self.plotItem.layout.addItem(self.legend, 4, 1)
        for name in SCORE_COLUMNS:
            self.legend.addItem(self.curves[name], name)
        self.cursor = pg.InfiniteLine(0.0, movable=True, pen=pg.mkPen("#000", width=2))
        self.cursor.setZValue(20)
        self.cursor.sigDragged.connect(lambda line: self.seeked.emit(float(line.value())))
        self.addItem(self.cursor)
        self.decorations: list = []  # event regions, nudge and marker lines of the shown participant
        self.scene().sigMouseClicked.connect(self._clicked)

    def show_session(self, data: SessionData, participant: str | None) -> None:
        for item in self.decorations:
            self.removeItem(item)
        self.decorations = []
        scores = data.scores.get(participant) if participant is not None else None
        shown = shown_at_first(data, participant)
        for k, name in enumerate(SCORE_COLUMNS):
            self.curves[name].setVisible(name in shown)  # as the report opens; a legend click toggles
            if scores is None:
                self.curves[name].setData([], [])
            else:
                self.curves[name].setData(scores.t.astype(np.float64), scores.scores[:, k])
        for event in data.document["signals"]:
            if event["participant"] == participant:
                colour = pg.mkColor(COLOUR.get(event["type"], "#888"))
                colour.setAlpha(EVENT_ALPHA)
                region = pg.LinearRegionItem((event["start"], event["end"]), movable=False, brush=colour,
                                             pen=pg.mkPen(None))
                region.setToolTip(f"{event['type']} ({event['probability']}): {event['rationale']}")
                self._decorate(region)
        for nudge in data.nudges:
            self._decorate(pg.InfiniteLine(nudge["t"], pen=pg.mkPen("#ff7f0e", style=pg.QtCore.Qt.DashLine),
                                           label="nudge", labelOpts={"position": 0.95, "color": "#ff7f0e"}))
        for marker in data.markers:
            self._decorate(pg.InfiniteLine(marker["t"], pen=pg.mkPen("#444"),
                                           label=marker["label"] or "marker",
                                           labelOpts={"position": 0.85, "color": "#444"}))
        self.setXRange(0, max(data.info.duration_s, 1.0), padding=0.01)
        self.cursor.setBounds((0, max(data.info.duration_s, 0.0)))
        self.cursor.setValue(0.0)

    def _decorate(self, item) -> None:
        self.addItem(item)
        self.decorations.append(item)

    def seek(self, t: float) -> None:
        """Moves the cursor to `t` and says so, as a click there would."""
        self.cursor.setValue(t)
        self.seeked.emit(float(self.cursor.value()))

    def _clicked(self, event) -> None:
        if event.button() != pg.QtCore.Qt.MouseButton.LeftButton:
            return
        point = self.plotItem.vb.mapSceneToView(event.scenePos())
        self.seek(float(point.x()))
