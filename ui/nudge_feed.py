"""The nudge feed: every nudge and signal event of the session, newest first.

Nudges also show in the window's banner (non-blocking, hidden again after a few
seconds) and may beep; the feed keeps them so nothing is missed while looking away.
A running event's line says its signal's band now, the gauge's word, kept current on
each redraw (`refresh`); once it ends, the band it peaked at.
"""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QGroupBox, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from copilot.coach import Nudge
from copilot.coach.rules import MEASURE_READINGS
from copilot.signals import SIGNALS
from copilot.signals.bands import reading
from ui.bridge import EventMark
from ui.readings import BAND_TIP, clock, event_line

MAX_ITEMS = 200
NUDGE_COLOUR = "#ffca28"
Key = tuple[str, str, float]  # (participant, signal, start): names an event


def nudge_text(nudge: Nudge) -> str:
    """A nudge's line; its value as the rest of the window shows such a value."""
    if nudge.signal in SIGNALS:
        why = f"{nudge.signal} {reading(nudge.value)}"
    else:
        why = MEASURE_READINGS.get(nudge.signal, nudge.signal + " {:.1f}").format(nudge.value)
    return f"{clock(nudge.t)}  {nudge.message}  ({nudge.participant}: {why})"


class NudgeFeed(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Nudges and events", parent)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list)
        self.nudges: list[Nudge] = []
        self._events: dict[Key, tuple[QListWidgetItem, EventMark]] = {}  # still listed, by their start

    def add_nudge(self, nudge: Nudge) -> None:
        self.nudges.append(nudge)
        item = QListWidgetItem("▶ " + nudge_text(nudge))
        item.setForeground(QBrush(QColor(NUDGE_COLOUR)))
        item.setToolTip(f"Rule {nudge.rule}")
        self._add(item)

    def add_event(self, event: EventMark, score: float | None = None) -> None:
        item = QListWidgetItem(event_line(event, score))
        item.setToolTip(f"{event.rationale}\n\n{BAND_TIP}")
        self._events[(event.participant, event.signal, event.t)] = (item, event)
        self._add(item)

    def revise_event(self, event: EventMark, score: float | None = None) -> None:
        """An event's probability and rationale grow while it lasts, and it ends: its line says the latest."""
        key = (event.participant, event.signal, event.t)
        if key in self._events:
            item = self._events[key][0]
            self._events[key] = (item, event)
            item.setText(event_line(event, score))
            item.setToolTip(f"{event.rationale}\n\n{BAND_TIP}")

    def refresh(self, scores: dict[str, dict[str, float | None]]) -> None:
        """Running events' lines take the band of their signal's score now (the display timer's scores)."""
        for item, event in self._events.values():
            if event.end is None:
                text = event_line(event, scores.get(event.participant, {}).get(event.signal))
                if text != item.text():
                    item.setText(text)

    def event_lines(self) -> dict[Key, str]:
        """The text of each event still listed, by (participant, signal, start)."""
        return {key: item.text() for key, (item, _) in self._events.items()}

    def add_marker(self, t: float, label: str) -> None:
        self._add(QListWidgetItem(f"{clock(t)}  ⚑ {label}"))

    def _add(self, item: QListWidgetItem) -> None:
        self.list.insertItem(0, item)
        while self.list.count() > MAX_ITEMS:
            gone = self.list.takeItem(self.list.count() - 1)
            self._events = {key: kept for key, kept in self._events.items() if kept[0] is not gone}

    def clear(self) -> None:
        self.list.clear()
        self.nudges.clear()
        self._events.clear()
