"""The nudge feed: every nudge and signal event of the session, newest first.

Nudges also show in the window's banner (non-blocking, hidden again after a few
seconds) and may beep; the feed keeps them so nothing is missed while looking away.
"""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QGroupBox, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from copilot.coach import Nudge
from ui.bridge import EventMark

MAX_ITEMS = 200
NUDGE_COLOUR = "#ffca28"


def clock(t: float) -> str:
    minutes, seconds = divmod(int(t), 60)
    return f"{minutes}:{seconds:02d}"


def nudge_text(nudge: Nudge) -> str:
    return f"{clock(nudge.t)}  {nudge.message}  ({nudge.participant}: {nudge.signal} {nudge.value:.2f})"


def event_text(event: EventMark) -> str:
    return f"{clock(event.t)}  {event.participant} {event.signal} ({event.probability}) — {event.rationale}"


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
        self._events: dict[tuple[str, str, float], QListWidgetItem] = {}  # still listed, by their start

    def add_nudge(self, nudge: Nudge) -> None:
        self.nudges.append(nudge)
        item = QListWidgetItem("▶ " + nudge_text(nudge))
        item.setForeground(QBrush(QColor(NUDGE_COLOUR)))
        item.setToolTip(f"Rule {nudge.rule}")
        self._add(item)

    def add_event(self, event: EventMark) -> None:
        item = QListWidgetItem(event_text(event))
        item.setToolTip(event.rationale)
        self._events[(event.participant, event.signal, event.t)] = item
        self._add(item)

    def revise_event(self, event: EventMark) -> None:
        """An event's probability and rationale grow while it lasts: its line says the latest."""
        item = self._events.get((event.participant, event.signal, event.t))
        if item is not None:
            item.setText(event_text(event))
            item.setToolTip(event.rationale)

    def add_marker(self, t: float, label: str) -> None:
        self._add(QListWidgetItem(f"{clock(t)}  ⚑ {label}"))

    def _add(self, item: QListWidgetItem) -> None:
        self.list.insertItem(0, item)
        while self.list.count() > MAX_ITEMS:
            gone = self.list.takeItem(self.list.count() - 1)
            self._events = {key: item for key, item in self._events.items() if item is not gone}

    def clear(self) -> None:
        self.list.clear()
        self.nudges.clear()
        self._events.clear()
