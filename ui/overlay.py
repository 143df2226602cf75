"""A compact always-on-top overlay for use during a call: the top signals and the latest nudge.

It stays above the call window, takes no focus, and can be dragged by any point.
It is a separate top-level window that the main window owns and refreshes.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from copilot.signals.bands import reading
from ui.readings import BAND_TIP, WAITING, top_signals

TOP_N = 3
STYLE = ("#overlay { background: rgba(20, 22, 26, 225); border: 1px solid #4fc3f7; border-radius: 8px; }"
         "#overlay QLabel { color: #e8eaed; background: transparent; }"
         "#overlayNudge { color: #ffca28; font-weight: bold; }")


class Overlay(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        flags = (Qt.WindowType.Tool | Qt.WindowType.FramelessWindowHint
                 | Qt.WindowType.WindowStaysOnTopHint | Qt.WindowType.WindowDoesNotAcceptFocus)
        super().__init__(parent, flags)
        self.setObjectName("overlay")
        self.setWindowTitle("Meeting Copilot overlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setStyleSheet(STYLE)
        self.who, self.signals, self.nudge = QLabel(), QLabel(), QLabel()
        self.clear()
        self.nudge.setObjectName("overlayNudge")
        self.nudge.setWordWrap(True)
        self.signals.setToolTip(BAND_TIP)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        for label in (self.who, self.signals, self.nudge):
            layout.addWidget(label)
        self.setFixedWidth(260)
        self._drag_from: QPoint | None = None

    def clear(self) -> None:
        self.who.setText("Meeting Copilot")
        self.signals.setText("waiting for signals…")
        self.nudge.setText("")

    def refresh(self, participant: str | None, scores: dict[str, float | None], state: str) -> None:
        """`state`: the header's words for the same scores (ui.readings.state_words)."""
        if participant is None:
            return
        self.who.setText(f"<b>{participant}</b> · {state}")
        top = top_signals(scores, TOP_N)
        self.signals.setText("<br>".join(f"{name} <b>{reading(value)}</b>" for name, value in top)
                             or WAITING)

    def show_nudge(self, message: str) -> None:
        self.nudge.setText(f"▶ {message}")

    def place_near(self, anchor: QWidget) -> None:
        """Top-right corner of the screen the main window is on."""
        screen = (anchor.screen() or self.screen()).availableGeometry()
        self.adjustSize()
        self.move(screen.right() - self.width() - 24, screen.top() + 24)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._drag_from = event.globalPosition().toPoint() - self.frameGeometry().topLeft()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is not None:
            self.move(event.globalPosition().toPoint() - self._drag_from)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._drag_from = None
