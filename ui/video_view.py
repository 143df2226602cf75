"""The video with a box and a participant id on each face.

Frames may arrive faster or slower than the screen refreshes, so arriving only marks
the view dirty; a ~30 Hz display timer converts the newest frame and repaints.
The BGR array is wrapped, not copied: Qt reads BGR888 directly, and the view keeps
the array alive for as long as the QImage that points into it.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt, QTimer, Slot
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.bridge import FaceMark, FrameView

QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no maximum" (QWIDGETSIZE_MAX is not exported to Python)

DISPLAY_HZ = 30
MIN_SIZE = (320, 180)
COMPACT_HEIGHT = 40  # a sound-only source: one line saying so, not a large empty pane (issue 19)
BACKGROUND = QColor(24, 26, 30)
FACE_COLOURS = [QColor(c) for c in ("#4fc3f7", "#ffb74d", "#81c784", "#e57373", "#ba68c8", "#fff176")]


def bgr_image(array: np.ndarray) -> QImage:
    """A QImage over the array's memory (no pixel copy); the caller keeps the array alive."""
    height, width = array.shape[:2]
    return QImage(array.data, width, height, array.strides[0], QImage.Format.Format_BGR888)


def face_colour(participant: str) -> QColor:
    digits = "".join(ch for ch in participant if ch.isdigit())
    return FACE_COLOURS[(int(digits) - 1 if digits else 0) % len(FACE_COLOURS)]


class VideoView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(*MIN_SIZE)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.placeholder = "No video"
        self.compact = False
        self.frames_drawn = 0
        self._pending: FrameView | None = None
        self._array: np.ndarray | None = None  # backs self._image
        self._image: QImage | None = None
        self._faces: tuple[FaceMark, ...] = ()
        self.face_labels: dict[str, str] = {}  # participant -> its top signal, set by the window
        self._timer = QTimer(self)
        self._timer.setInterval(round(1000 / DISPLAY_HZ))
        self._timer.timeout.connect(self._refresh)
        self._timer.start()

    @Slot(object)
    def show_frame(self, view: FrameView) -> None:
        """Called for every analysed step; only remembers it (the timer draws)."""
        if view.image is not None:
            self._pending = view

    def clear(self, placeholder: str = "No video") -> None:
        self._pending, self._array, self._image, self._faces = None, None, None, ()
        self.placeholder = placeholder
        self.update()

    def set_compact(self, compact: bool) -> None:
        """One line high for a source without video, so the rest of the window gets the room."""
        self.compact = compact
        self.setMinimumHeight(COMPACT_HEIGHT if compact else MIN_SIZE[1])
        self.setMaximumHeight(COMPACT_HEIGHT if compact else QWIDGETSIZE_MAX)

    def stop(self) -> None:
        """Stops the display timer; the window calls this when it closes."""
        self._timer.stop()

    @property
    def has_image(self) -> bool:
        return self._image is not None

    @property
    def faces(self) -> tuple[FaceMark, ...]:
        """The faces drawn on the current frame."""
        return self._faces

    @Slot()
    def _refresh(self) -> None:
        view, self._pending = self._pending, None
        if view is None:
            return
        self._array = np.ascontiguousarray(view.image)
        self._image = bgr_image(self._array)
        self._faces = view.faces
        self.frames_drawn += 1
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        if self._image is None:
            painter.setPen(QColor(170, 174, 182))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             self.placeholder)
        else:
            target = self._fit(self._image.width(), self._image.height())
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(target, self._image)
            self._draw_faces(painter, target, target.width() / self._image.width())
        painter.end()

    def _fit(self, width: int, height: int) -> QRectF:
        """The largest rectangle of the frame's aspect ratio centred in the widget."""
        scale = min(self.width() / width, self.height() / height)
        w, h = width * scale, height * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def _draw_faces(self, painter: QPainter, target: QRectF, scale: float) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont(self.font())
        font.setBold(True)
        painter.setFont(font)
        tag_h = painter.fontMetrics().height() + 4
        for face in self._faces:
            x, y, w, h = face.box
            box = QRectF(target.x() + x * scale, target.y() + y * scale, w * scale, h * scale)
            colour = face_colour(face.participant)
            painter.setPen(QPen(colour, 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(box)
            tag_w = painter.fontMetrics().horizontalAdvance(face.tag) + 10
            tag = QRectF(box.x() - 1, max(target.y(), box.y() - tag_h), tag_w, tag_h)
            painter.fillRect(tag, colour)
            painter.setPen(BACKGROUND)
            painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, face.tag)
            label = self.face_labels.get(face.participant)
            if label:
                label_w = painter.fontMetrics().horizontalAdvance(label) + 10
                under = QRectF(box.x() - 1, min(box.bottom() + 2, target.bottom() - tag_h), label_w, tag_h)
                painter.fillRect(under, QColor(0, 0, 0, 170))
                painter.setPen(colour)
                painter.drawText(under, Qt.AlignmentFlag.AlignCenter, label)
