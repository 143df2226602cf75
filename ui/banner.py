"""A message strip above the video: says what went wrong without stopping the user.

Used instead of a modal box because a source error (a camera in use, a file that
cannot be read) must leave the window usable: the user picks another source.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

STYLES = {  # kind -> (background, text, border)
    "error": ("#5c1f24", "#ffe3e3", "#a33a43"),
    "info": ("#1f3b5c", "#e3f0ff", "#3a6aa3"),
    "settings": ("#1f3b5c", "#e3f0ff", "#3a6aa3"),  # a settings or rules file's problem: kept till dismissed
    "nudge": ("#4a3b0c", "#ffe9a8", "#c9a227"),
}


class Banner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.kind = "info"
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)  # nudges and file names are not markup
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        dismiss = QToolButton()
        dismiss.setText("✕")
        dismiss.setToolTip("Dismiss")
        dismiss.setAutoRaise(True)
        dismiss.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.text, 1)
        layout.addWidget(dismiss, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(self, message: str, kind: str = "error") -> None:
        background, text, border = STYLES[kind]
        self.setStyleSheet(f"#banner {{ background: {background}; border: 1px solid {border}; "
                           f"border-radius: 4px; }} #banner QLabel, #banner QToolButton "
                           f"{{ color: {text}; background: transparent; border: none; }}")
        self.kind = kind
        self.text.setText(message)
        self.show()
