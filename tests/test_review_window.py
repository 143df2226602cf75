"""The review window, offscreen: a recorded session's timeline has curves, and a click seeks the video."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6.QtWidgets", reason="the GUI libraries are not installed")
pytest.importorskip("pytestqt", reason="pytest-qt is not installed")

from PySide6.QtCore import QPoint, Qt

from copilot.session.store import DATABASE_ENV
from ui.review_window import ReviewWindow, open_review_window
from ui.settings import SETTINGS_DIR_ENV

CLIP = "reallife_trial_video/trial_truth_043.mp4"


@pytest.fixture(scope="module")
def database(shared_data, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("review") / "s.sqlite3"
    done = subprocess.run([sys.executable, "-m", "copilot", "analyze", str(shared_data / CLIP), "--out",
                           str(path.with_suffix(".json"))], capture_output=True, text=True, timeout=180,
                          env={**os.environ, DATABASE_ENV: str(path)})
    assert done.returncode == 0, done.stderr
    return path


@pytest.fixture
def window(qtbot, database):
    win = ReviewWindow(database=database)
    qtbot.addWidget(win)
    win.show()
    return win


def test_the_timeline_has_curves_and_event_regions(window):
    assert window.sessions.count() == 1
    session_id = window.sessions.item(0).data(Qt.ItemDataRole.UserRole)
    assert window.sessions.item(0).text().startswith(f"#{session_id} ")  # the number the CLI takes
    from ui.review.timeline import SessionTimeline

    empty = SessionTimeline()  # before a session is picked: a plain minute, not "(x0.001)" around 0
    assert empty.viewRange()[0] == [0.0, 60.0] and "(x" not in empty.getAxis("bottom").labelString()
    window.sessions.setCurrentRow(0)
    assert window.participant.currentText() == "p1"
    lengths = [len(curve.getData()[0]) for curve in window.timeline.curves.values()]
    assert min(lengths) > 90  # 22 s at 5 Hz, from when every score has its evidence (~2.5 s in, issue 19)
    events = window.data.document["signals"]
    assert len(window.timeline.decorations) >= len(events) > 0
    assert "p1" in window.summary.toPlainText()
    # Signals with events are drawn, as in the report; the legend sits below the plot, not over it.
    assert all(window.timeline.curves[e["type"]].isVisible() for e in events if e["participant"] == "p1")
    assert not all(curve.isVisible() for curve in window.timeline.curves.values())
    legend = window.timeline.legend.sceneBoundingRect()
    assert legend.top() >= window.timeline.plotItem.vb.sceneBoundingRect().bottom()


def test_clicking_the_timeline_seeks_the_video(window, qtbot):
    window.sessions.setCurrentRow(0)
    window.resize(1280, 800)
    qtbot.wait(50)
    box = window.timeline.plotItem.vb
    scene_point = box.mapViewToScene(pg_point(13.3, 0.5))
    target = window.timeline.mapFromScene(scene_point)
    qtbot.mouseClick(window.timeline.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(target.x(), target.y()))
    qtbot.waitUntil(lambda: window.frame.shown_t is not None and abs(window.frame.shown_t - 13.3) < 0.3,
                    timeout=5000)
    assert abs(window.timeline.cursor.value() - 13.3) < 0.3
    assert not window.frame.pixmap().isNull()


def test_the_caption_says_what_was_said_at_the_scrubbed_moment(window):
    window.sessions.setCurrentRow(0)
    transcript = window.data.document["transcript"]
    assert transcript  # a man testifying: the analysis transcribed him
    line = transcript[-1]
    window.timeline.seek((line["start"] + line["end"]) / 2)
    assert line["text"] in window.captions.text()
    window.timeline.seek(0.0)
    assert line["text"] not in window.captions.text()


def test_a_bad_database_is_reported_in_the_window(qtbot, tmp_path):
    path = tmp_path / "bad.sqlite3"
    path.write_bytes(b"not a database at all" * 50)
    win = open_review_window(database=path)
    qtbot.addWidget(win)
    assert str(path) in win.problem.text() and win.sessions.count() == 0
    assert path.read_bytes() == b"not a database at all" * 50


def pg_point(x: float, y: float):
    from PySide6.QtCore import QPointF

    return QPointF(x, y)


def test_a_report_link_opens_the_review_window_at_its_moment(qtbot, database, tmp_path):
    """Issue 19: a key moment's time in the report opens the review window there (copilot://, which
    the desktop entry hands to `copilot`; or the command printed beside it)."""
    from copilot.errors import CopilotError
    from copilot.session.links import ReviewAt, review_command, review_url
    from ui.launcher import parse_app_args, review_link_args

    listing = ReviewWindow(database=database)
    qtbot.addWidget(listing)
    session_id = listing.sessions.item(0).data(Qt.ItemDataRole.UserRole)
    moment = ReviewAt(session_id, 12.5, database)
    args = review_link_args([review_url(moment)])
    assert args == review_command(moment).replace("'", "").split()[1:]  # the link and the command agree
    options = parse_app_args(args[1:])
    assert (options.review, options.at, options.database) == (session_id, 12.5, database)
    win = ReviewWindow(database=options.database)
    qtbot.addWidget(win)
    win.show()
    assert win.show_moment(options.review, options.at)
    assert win.data.info.id == session_id and win.position.text() == "12.5 s"
    qtbot.waitUntil(lambda: win.frame.shown_t is not None and abs(win.frame.shown_t - 12.5) < 0.3,
                    timeout=5000)
    assert not win.show_moment(session_id + 40, 1.0) and f"No session {session_id + 40}" in win.problem.text()
    with pytest.raises(CopilotError, match=r"^copilot://review/x: not a link to a moment of a session"):
        review_link_args(["copilot://review/x"])
    assert review_link_args(["clip.mp4"]) is None

    shot = tmp_path / "review.png"  # as a click runs it: the review window alone, no camera opened

    def review(session: int) -> subprocess.CompletedProcess:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", SETTINGS_DIR_ENV: str(tmp_path)}
        args = ["app", "--review", str(session), "--at", "12.5", "--database", str(database),
                "--screenshot", str(shot), "--after", "1"]
        return subprocess.run([sys.executable, "-m", "ui.launcher", *args], capture_output=True, text=True,
                              timeout=120, env=env)

    done = review(session_id)
    assert done.returncode == 0, done.stderr
    assert shot.stat().st_size > 10_000
    missing = review(session_id + 40)
    assert missing.returncode == 2 and f"No session {session_id + 40} in {database}" in missing.stderr
