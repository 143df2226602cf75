"""The review window's picture: the recorded file's frame at the cursor, when the source was a file.

Decoding happens on the GUI thread: one seek and at most a GOP of frames, tens of
milliseconds, and only on a click or at the end of a drag (a short timer coalesces drags).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QLabel

from copilot.capture.items import SourceError
from copilot.session.frames import frame_at
from ui.video_view import bgr_image

COALESCE_MS = 60


class FramePane(QLabel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(320, 180)
        self.setStyleSheet("background: #111; color: #bbb;")
        self.media: Path | None = None
        self.shown_t: float | None = None  # time of the frame on screen
        self._wanted: float | None = None
        self._timer = QTimer(self, singleShot=True, interval=COALESCE_MS)
        self._timer.timeout.connect(self.show_now)
        self.setText("Pick a session")

    def set_media(self, path: str | None, why_not: str = "") -> None:
        self.media = Path(path) if path and Path(path).is_file() else None
        self.shown_t = None
        self.clear()
        if self.media is None:
            self.setText(why_not or "No video for this session")

    def seek(self, t: float) -> None:
        """Shows the frame at `t` shortly (several seeks in a row show only the last)."""
        self._wanted = t
        if self.isVisible():  # a closed window decodes nothing; reopening seeks again
            self._timer.start()

    def cancel(self) -> None:
        """Drops a seek that has not been shown yet."""
        self._timer.stop()
        self._wanted = None

    def show_now(self) -> None:
        if self.media is None or self._wanted is None:
            return
        try:
            found = frame_at(self.media, self._wanted)
        except SourceError as exc:
            self.setText(str(exc))
            return
        if found is None:
            self.setText("The recording has no video")
            return
        self.shown_t, image = found
        pixmap = QPixmap.fromImage(bgr_image(image).copy())
        self.setPixmap(pixmap.scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                     Qt.TransformationMode.SmoothTransformation))
