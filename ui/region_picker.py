"""Pick a screen region by dragging a rubber band over the call window.

A frameless, translucent window covers the whole virtual desktop; pressing and
dragging draws the band, releasing returns the rectangle in desktop pixels (what
mss grabs), Esc cancels. The chosen rectangle becomes a `ScreenRegion` source.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QKeyEvent, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QRubberBand, QWidget

MIN_SIDE_PX = 40  # smaller drags are taken as a slip, not a choice
HINT = "Drag over the call window to watch it · Esc cancels"


def region_choice(rect: tuple[int, int, int, int]) -> str:
    """The source choice text for a desktop rectangle (see ui/sources.py)."""
    return "region:{},{},{},{}".format(*rect)


class RegionPicker(QWidget):
    picked = Signal(tuple)  # (left, top, width, height) in desktop pixels
    cancelled = Signal()

    def __init__(self) -> None:
        flags = Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint | Qt.WindowType.Tool
        super().__init__(None, flags)
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setCursor(Qt.CursorShape.CrossCursor)
        desktop = QRect()
        for screen in QGuiApplication.screens():
            desktop = desktop.united(screen.geometry())
        self.setGeometry(desktop)
        self.band = QRubberBand(QRubberBand.Shape.Rectangle, self)
        self._origin: QPoint | None = None
        primary = QGuiApplication.primaryScreen()
        self._ratio = primary.devicePixelRatio() if primary is not None else 1.0

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(0, 0, 0, 90))
        painter.setPen(QColor("#ffffff"))
        painter.drawText(self.rect().adjusted(0, 40, 0, 0), Qt.AlignmentFlag.AlignHCenter, HINT)
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._origin = event.position().toPoint()
        self.band.setGeometry(QRect(self._origin, QSize()))
        self.band.show()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._origin is not None:
            self.band.setGeometry(QRect(self._origin, event.position().toPoint()).normalized())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._origin is None:
            return
        rect = QRect(self._origin, event.position().toPoint()).normalized()
        self._origin = None
        self.band.hide()
        if rect.width() < MIN_SIDE_PX or rect.height() < MIN_SIDE_PX:
            return  # a click or a slip: let the user drag again
        self.finish(rect)

    def finish(self, rect: QRect) -> None:
        """Emits the rectangle in desktop pixels and closes."""
        top_left = self.mapToGlobal(rect.topLeft())
        r = self._ratio
        self.picked.emit((round(top_left.x() * r), round(top_left.y() * r),
                          round(rect.width() * r), round(rect.height() * r)))
        self.close()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            self.close()
