"""Live captions: the last few things said, under the video, as the transcription worker finishes them.

Words arrive a stretch of speech at a time (copilot/words): a caption appears a moment
after the speaker pauses, not word by word, because the model reads a whole stretch.
"""

from __future__ import annotations

from collections import deque

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QWidget

SHOWN_LINES = 3  # enough to follow an exchange of turns without covering the window
NOTHING_YET = "What is said shows here, a moment after each pause."
NOT_TRANSCRIBING = "Not transcribing: switched off in Settings (Words)."


def caption_line(participant: str, text: str) -> str:
    return f"{participant}: {text}"


class Captions(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("captions")
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setToolTip("What was said, transcribed on this machine a moment after each pause")
        # room for the lines from the start: captions arriving must not push the video up (issue 19);
        # a line that wraps is cut at the top, the newest words stay in view
        self.setFixedHeight(self.fontMetrics().lineSpacing() * SHOWN_LINES + 2 * self.margin() + 4)
        self.lines: deque[str] = deque(maxlen=SHOWN_LINES)
        self.transcribing = True
        self.clear()

    def add(self, said: tuple[tuple[float, str, str], ...]) -> None:
        """(start, participant, text) of stretches just transcribed."""
        for _, participant, text in said:
            self.lines.append(caption_line(participant, text))
        if said:
            self.set_lines("\n".join(self.lines))

    def set_lines(self, text: str) -> None:
        """Shows `text`, or while there is none a faint line saying what will be here: the room kept
        for the captions is not a blank band."""
        self.setForegroundRole(QPalette.ColorRole.WindowText if text else QPalette.ColorRole.PlaceholderText)
        self.setText(text or (NOTHING_YET if self.transcribing else NOT_TRANSCRIBING))

    def clear(self, *, transcribing: bool | None = None) -> None:
        """Empties the lines; `transcribing` (when given) says whether words will come at all."""
        if transcribing is not None:
            self.transcribing = transcribing
        self.lines.clear()
        self.set_lines("")


HELD_S = 3.0  # in review, a line stays up this long after it was said, as a caption would live


def caption_at(transcript: list[dict], t: float) -> str:
    """The caption a viewer would see at session time `t`: the lines said then, or just before."""
    lines = [caption_line(s["participant"], s["text"]) for s in transcript
             if s["start"] <= t + 1e-9 and t <= s["end"] + HELD_S]
    return "\n".join(lines[-SHOWN_LINES:])
