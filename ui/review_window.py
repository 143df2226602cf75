"""The review window: pick a past session, scrub its timeline, see its events, nudges, markers
and per-participant summaries; for a file session the picture follows the cursor.

It reads the session database on the GUI thread (a session is a few thousand rows);
the connection is opened per read and closed, so the recorder's writer is never blocked.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from copilot.errors import CopilotError
from copilot.session.library import SessionData, list_sessions, load_session
from copilot.session.store import open_database, resolve, said_as_database_errors
from ui.captions import Captions, caption_at
from ui.review.frame_pane import FramePane
from ui.review.summary import summary_html
from ui.review.timeline import SessionTimeline


class ReviewWindow(QMainWindow):
    def __init__(self, parent: QWidget | None = None, database: Path | str | None = None) -> None:
        super().__init__(parent)
        self.database = resolve(database)
        self.setWindowTitle("Review sessions — Meeting Copilot")
        self.resize(1280, 800)
        self.data: SessionData | None = None
        self.sessions = QListWidget()
        self.sessions.currentItemChanged.connect(self._picked)
        self.problem = QLabel(wordWrap=True)
        self.participant = QComboBox()
        self.participant.currentTextChanged.connect(self._show_participant)
        self.frame = FramePane()
        self.timeline = SessionTimeline()
        self.timeline.seeked.connect(self._seeked)
        self.position = QLabel("0.0 s")
        self.captions = Captions()  # what was being said at the scrubbed moment
        self.summary = QTextBrowser()

        left = QWidget()
        column = QVBoxLayout(left)
        column.addWidget(QLabel("Sessions"))
        column.addWidget(self.sessions, 1)
        column.addWidget(self.problem)
        middle = QWidget()
        stack = QVBoxLayout(middle)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Participant"))
        bar.addWidget(self.participant, 1)
        bar.addWidget(self.position)
        stack.addLayout(bar)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.frame)
        split.addWidget(self.captions)
        split.addWidget(self.timeline)
        split.setSizes([380, 50, 360])
        stack.addWidget(split, 1)
        outer = QSplitter(Qt.Orientation.Horizontal)
        for widget in (left, middle, self.summary):
            outer.addWidget(widget)
        outer.setSizes([260, 760, 280])
        self.setCentralWidget(outer)
        self.reload()

    def closeEvent(self, event) -> None:
        self.frame.cancel()  # a seek still waiting would decode a frame for a closed window
        super().closeEvent(event)

    def reload(self) -> None:
        """Lists the sessions again (newest first); a bad database is reported in the window."""
        self.sessions.clear()
        self.problem.clear()
        if not self.database.exists():
            self.problem.setText(f"No sessions recorded yet ({self.database}).")
            return
        try:
            db = open_database(self.database, create=False)
            try:
                with said_as_database_errors(self.database):
                    found = list_sessions(db)
            finally:
                db.close()
        except CopilotError as exc:
            self.problem.setText(str(exc))
            return
        for info in reversed(found):
            # the number is the one `copilot sessions` and `copilot report` take
            when = info.started_at[:16].replace("T", " ")
            item = QListWidgetItem(f"#{info.id}  {when}\n{info.source_name}\n"
                                   f"{info.duration_s:.0f} s · {', '.join(info.participants) or 'nobody'}")
            item.setToolTip(f"session {info.id}: {info.source_name} ({info.source_kind}, {info.mode} mode)")
            item.setData(Qt.ItemDataRole.UserRole, info.id)
            self.sessions.addItem(item)

    def show_moment(self, session_id: int, t: float) -> bool:
        """Session `session_id` at `t` seconds, as a report's key moment asks; False (and the reason
        in the window) when the database has no such session."""
        try:
            self.open_session(session_id)
        except KeyError:  # a database that could not be read has said why already
            self.problem.setText(self.problem.text() or f"No session {session_id} in {self.database}.")
            return False
        self.timeline.seek(t)
        return True

    def open_session(self, session_id: int) -> None:
        for row in range(self.sessions.count()):
            if self.sessions.item(row).data(Qt.ItemDataRole.UserRole) == session_id:
                self.sessions.setCurrentRow(row)
                return
        raise KeyError(f"no session {session_id} in {self.database}")

    def _picked(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        try:
            db = open_database(self.database, create=False)
            try:
                with said_as_database_errors(self.database):
                    self.data = load_session(db, item.data(Qt.ItemDataRole.UserRole))
            finally:
                db.close()
        except CopilotError as exc:
            self.problem.setText(str(exc))
            return
        info = self.data.info
        why_not = "" if info.source_kind == "file" else f"A {info.source_kind} session: no video was kept"
        has_media = info.source_kind == "file" or info.record_media
        self.frame.set_media(info.media_path if has_media else None, why_not)
        self.summary.setHtml(summary_html(self.data))
        self.participant.blockSignals(True)
        self.participant.clear()
        people = list(self.data.scores) or [p["id"] for p in self.data.document["participants"]]
        self.participant.addItems(people)
        self.participant.blockSignals(False)
        self._show_participant(self.participant.currentText())

    def _show_participant(self, participant: str) -> None:
        if self.data is not None:
            self.timeline.show_session(self.data, participant or None)
            self.timeline.seek(0.0)

    def _seeked(self, t: float) -> None:
        self.position.setText(f"{t:.1f} s")
        self.frame.seek(t)
        transcript = self.data.document.get("transcript", []) if self.data is not None else []
        self.captions.set_lines(caption_at(transcript, t))


def open_review_window(parent: QWidget | None = None, database: Path | str | None = None) -> ReviewWindow:
    """Opens (shows) the review window on `database` (default: the user's session database).

    Keep the returned window (or give a parent): it is not deleted on close, because
    Qt deleting pyqtgraph items under Python's feet aborted the interpreter at exit.
    Showing it again later calls `reload()` to list new sessions."""
    window = ReviewWindow(parent, database)
    if parent is not None:
        window.setWindowFlag(Qt.WindowType.Window)  # its own top-level window, not a child widget
    window.show()
    return window
