"""The desktop app as a user meets it: a real Qt window, offscreen, playing real recordings."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before pytest-qt creates the QApplication
pytest.importorskip("PySide6.QtWidgets", reason="the GUI libraries are not installed")
pytest.importorskip("pytestqt", reason="pytest-qt is not installed")

from app_fixtures import *  # noqa: F403  (fixtures: window; autouse: no_running_timers, private_settings)
from media import make_clip
from PySide6.QtCore import QThread, QTimer
from PySide6.QtGui import QImage

from copilot.capture.camera import Camera
from copilot.capture.items import SourceError, VideoFrame
from copilot.capture.media_file import MediaFile
from copilot.capture.screen import ScreenRegion
from copilot.engine.stats import EngineStats
from copilot.engine.step import Step
from ui.bridge import EngineBridge
from ui.main_window import DEFAULT_SIZE, MainWindow
from ui.settings import SETTINGS_DIR_ENV, app_settings
from ui.sources import NO_CAMERA_MESSAGE, camera_choices, source_from_choice
from ui.status_bar import health_details, health_line
from ui.video_view import COMPACT_HEIGHT, face_colour

NODDING = "noddingpigeon/head_nodding.mp4"
FIRST_FRAMES_MS = 8000  # generous for a loaded 2-core CI machine; typically under a second


def image_array(image: QImage) -> np.ndarray:
    """An image as an RGB array (rows may be padded in Qt's memory)."""
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    bits = np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes())
    rows = bits.reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width() * 3].reshape(image.height(), image.width(), 3).copy()


def shown_fps(win: MainWindow) -> float:
    match = re.search(r"· (\d+) frames a second", win.status.health.text())
    return float(match.group(1)) if match else 0.0


# -- the window ---------------------------------------------------------------------------
@pytest.mark.skipif(bool(camera_choices()), reason="this machine has a camera")
def test_without_a_camera_the_window_opens_and_says_what_to_do(window):
    window.open_default_camera()
    assert window.banner.isVisible()
    assert window.banner.text.text() == NO_CAMERA_MESSAGE
    assert not window.session.running
    assert window.isVisible()
    assert not window.windowIcon().isNull()  # the icon shipped in assets/app was found and loads


def test_a_camera_that_cannot_open_is_what_the_banner_says_not_the_microphone(window, qtbot):
    """Here there is neither a camera nor a microphone: the camera's reason must be the one left
    on screen (a queued report of the microphone's failure used to arrive after it and cover it)."""
    window.open_choice("camera:7")
    qtbot.wait(100)  # let anything queued arrive
    assert window.banner.isVisible() and window.banner.text.text().startswith("camera 7: cannot be opened")
    assert not window.session.running


def test_a_file_plays_and_its_frames_are_drawn(window, qtbot, shared_data):
    window.open_choice(str(shared_data / NODDING))
    assert window.session.running, window.banner.text.text()
    qtbot.waitUntil(lambda: window.video.frames_drawn >= 5, timeout=FIRST_FRAMES_MS)
    pixels = image_array(window.video.grab().toImage())
    # The placeholder is one flat colour plus a line of text; a frame of a person has
    # thousands of distinct colours and real contrast.
    distinct = len(np.unique(pixels.reshape(-1, 3), axis=0))
    assert distinct > 2000 and pixels.std() > 20, (distinct, pixels.std())
    qtbot.waitUntil(lambda: shown_fps(window) > 0, timeout=FIRST_FRAMES_MS)
    details = window.status.health.toolTip()  # the figures, each said in a sentence, on hover
    assert "frames (" in details and "The models run on the CPU" in details, details
    # The figures must not hold the window wider than half of a 1920-pixel screen, beside a call.
    assert window.minimumSizeHint().width() <= 960, window.minimumSizeHint().width()


def test_faces_get_a_box_and_their_participant_id(window, qtbot, shared_data):
    window.open_choice(str(shared_data / NODDING))
    if "faces" not in [analyzer.name for analyzer in window.session.engine.analyzers]:
        pytest.skip("the standard analyzers do not include the face analyzer yet")
    qtbot.waitUntil(lambda: [f.participant for f in window.video.faces] == ["p1"], timeout=FIRST_FRAMES_MS)
    window.video.repaint()
    pixels = image_array(window.video.grab().toImage()).astype(np.int16)
    box_colour = np.array(face_colour("p1").getRgb()[:3], np.int16)
    outline = np.abs(pixels - box_colour).max(axis=2) <= 12
    assert outline.sum() > 200  # the box's four sides and the id tag, in p1's colour
    assert [f.tag for f in window.video.faces] == ["p1"]  # one face: read every frame, no rate shown


def test_a_gallery_face_tag_says_how_often_the_face_is_read():
    from ui.bridge import FaceMark

    assert FaceMark("p3", (0.0, 0.0, 10.0, 10.0), 12.0).tag == "p3 12/s"


def test_an_unreadable_file_is_reported_and_the_app_keeps_running(window, qtbot, tmp_path, shared_data):
    broken = tmp_path / "broken recording.mp4"
    broken.write_bytes(b"this is not a video" * 100)
    window.open_choice(str(broken))
    assert window.banner.isVisible() and window.banner.kind == "error"
    assert "broken recording.mp4" in window.banner.text.text()
    assert not window.session.running

    window.open_choice(str(tmp_path / "missing.mp4"))
    assert "missing.mp4: no such file" in window.banner.text.text()

    window.open_choice(str(shared_data / NODDING))  # still usable: a good file plays
    assert not window.banner.isVisible()
    qtbot.waitUntil(lambda: window.video.frames_drawn >= 3, timeout=FIRST_FRAMES_MS)


def test_a_new_source_starts_on_a_clean_screen_and_a_failed_one_leaves_no_session(window, qtbot, tmp_path,
                                                                                  shared_data):
    from copilot.session.library import list_sessions
    from copilot.session.store import open_database
    from ui.main_window import TITLE

    window.open_choice(str(shared_data / "liveportrait/d10.mp4"))
    qtbot.waitUntil(lambda: window.dashboard.feed.list.count() > 0, timeout=4 * FIRST_FRAMES_MS)
    window.dashboard.overlay.show_nudge("an old nudge")
    window.open_choice(str(tmp_path / "missing.mp4"))
    assert window.dashboard.feed.list.count() == 0  # the last clip's events are not this source's
    assert window.dashboard.overlay.nudge.text() == ""
    assert window.windowTitle() == TITLE and "d10" not in window.statusBar().currentMessage()
    assert window.statusBar().currentMessage() == "Could not open missing.mp4"
    qtbot.wait(300)  # a result of d10 still on its way must not paint the gauges again
    assert window.dashboard.gauges.state.text() == "No one analysed yet"
    names = [s.source_name for s in list_sessions(open_database(create=False))]
    assert names == ["d10.mp4"], names  # the file that did not open is not a session


def test_a_session_database_that_cannot_be_used_is_said_and_the_clip_still_plays(window, qtbot, tmp_path,
                                                                                  shared_data, monkeypatch):
    database = tmp_path / "sessions.sqlite3"
    database.write_text("a shopping list, not a database")
    monkeypatch.setenv("COPILOT_DATABASE", str(database))
    window.open_choice(str(shared_data / NODDING))
    assert window.session.running
    assert window.banner.isVisible() and "this session is not recorded" in window.banner.text.text()
    assert str(database) in window.banner.text.text()
    qtbot.waitUntil(lambda: window.video.frames_drawn >= 3, timeout=FIRST_FRAMES_MS)


def test_the_end_of_a_file_is_noticed_and_it_can_play_again(window, qtbot, tmp_path):
    clip = make_clip(tmp_path / "short.mp4", seconds=0.6, audio=False)
    window.open_choice(str(clip))
    qtbot.waitUntil(lambda: window.session.engine is None, timeout=FIRST_FRAMES_MS)
    assert window.statusBar().currentMessage() == "Finished short.mp4"
    assert window.toolbar.play_action.isEnabled() and not window.toolbar.stop_action.isEnabled()
    assert shown_fps(window) > 0  # the figures of the finished run stay readable
    drawn = window.video.frames_drawn
    window.toolbar.play_action.trigger()
    qtbot.waitUntil(lambda: window.video.frames_drawn > drawn, timeout=FIRST_FRAMES_MS)


def test_a_recording_without_video_says_so_in_one_line_not_a_large_empty_pane(window, qtbot, tmp_path,
                                                                              shared_data):
    clip = make_clip(tmp_path / "talk.mkv", seconds=0.5, video=False)
    window.open_choice(str(clip))
    assert window.video.placeholder == "♪  talk.mkv: sound only — the voices are analysed, there are no faces"
    qtbot.waitUntil(lambda: window.video.height() <= COMPACT_HEIGHT  # the room goes to the timeline
                    and window.dashboard.timeline.height() > window.left.height() / 2,
                    timeout=FIRST_FRAMES_MS)
    qtbot.waitUntil(lambda: window.session.engine is None, timeout=FIRST_FRAMES_MS)
    assert not window.video.has_image
    window.open_choice(str(shared_data / NODDING))  # a video gets its pane back
    qtbot.waitUntil(lambda: window.video.height() > window.left.height() / 2, timeout=FIRST_FRAMES_MS)


def test_closing_stops_the_engine_and_every_timer(qtbot, shared_data):
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    win.open_choice(str(shared_data / NODDING))
    qtbot.waitUntil(lambda: win.video.frames_drawn >= 2, timeout=FIRST_FRAMES_MS)
    engine = win.session.engine
    assert any(t.name == "analysis" for t in threading.enumerate())
    win.close()
    assert not engine.running
    assert not any(t.name == "analysis" or t.name.startswith("capture") for t in threading.enumerate())
    assert [t for t in win.findChildren(QTimer) if t.isActive()] == []


def test_window_geometry_is_kept_in_the_redirected_settings(qtbot, private_settings):
    first = MainWindow()
    qtbot.addWidget(first)
    first.show()
    first.resize(760, 560)  # the offscreen screen is 800 wide; the toolbar needs most of it
    left_as = (first.width(), first.height())
    assert left_as[1] == 560
    first.close()
    assert list(private_settings.rglob("*.ini")), "settings were not written to the test's folder"
    assert app_settings().value("window/geometry") is not None
    second = MainWindow()
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == left_as
    second.close()


# -- crossing threads -----------------------------------------------------------------------
def test_the_bridge_delivers_on_the_gui_thread_and_the_newest_frame_wins(qtbot):
    bridge = EngineBridge()
    seen: list[tuple[float, bool]] = []
    bridge.frame.connect(lambda view: seen.append((view.t, QThread.currentThread() == bridge.thread())))
    image = np.zeros((4, 4, 3), np.uint8)

    def analysis_thread() -> None:
        for i in range(200):
            bridge.sink(Step(t=i / 30, frame=VideoFrame(i / 30, image, i), audio={}))

    worker = threading.Thread(target=analysis_thread, name="fake analysis")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(seen), timeout=2000)
    qtbot.wait(50)  # room for any further (wrong) deliveries
    # The GUI thread handled no events while the worker ran: one wake-up, carrying the newest frame.
    assert seen == [(pytest.approx(199 / 30), True)]


def test_errors_from_engine_threads_reach_the_banner(window, qtbot):
    worker = threading.Thread(target=window.bridge.report_error, args=("camera 0: stopped",))
    with qtbot.waitSignal(window.bridge.problem, timeout=2000):
        worker.start()
    worker.join()
    assert window.banner.isVisible() and window.banner.text.text() == "camera 0: stopped"


# -- choices and wording, no Qt needed ----------------------------------------------------------
def test_source_choices_build_the_right_sources(tmp_path):
    camera = source_from_choice("camera:2")
    assert isinstance(camera, Camera) and camera.device == 2
    assert source_from_choice("camera:/dev/video4").device == "/dev/video4"
    screen = source_from_choice("screen:2")
    assert isinstance(screen, ScreenRegion) and screen.name == "screen 2"
    assert source_from_choice("screen").name == "screen 1"
    with pytest.raises(SourceError, match="screen number"):
        source_from_choice("screen:left")
    media = source_from_choice(str(tmp_path / "talk.mkv"))
    assert isinstance(media, MediaFile) and media.pace and media.name == "talk.mkv"


def test_a_feed_line_follows_its_event_as_it_grows(qtbot):
    from ui.bridge import EventMark
    from ui.nudge_feed import NudgeFeed

    feed = NudgeFeed()
    qtbot.addWidget(feed)
    feed.add_event(EventMark(4.8, "engagement", "p1", "medium", "Spoke for 1.4 s."), 0.64)
    feed.revise_event(EventMark(4.8, "engagement", "p1", "high", "Spoke for 3.9 s."), 0.9)
    feed.revise_event(EventMark(9.0, "engagement", "p1", "high", "Another event, never listed."))
    assert [feed.list.item(k).text() for k in range(feed.list.count())] == [
        "0:04  p1 engagement · high now — Spoke for 3.9 s."]
    feed.refresh({"p1": {"engagement": 0.7}})  # while it runs, the line says the band of the score now
    assert feed.list.item(0).text() == "0:04  p1 engagement · medium now — Spoke for 3.9 s."
    feed.revise_event(EventMark(4.8, "engagement", "p1", "high", "Spoke for 6.0 s.", end=11.2))
    feed.refresh({"p1": {"engagement": 0.2}})  # once over, the band it peaked at
    assert feed.list.item(0).text() == "0:04–0:11  p1 engagement · peaked high — Spoke for 6.0 s."
    assert "medium (60 to 87)" in feed.list.item(0).toolTip()  # the band words explained on hover
    feed.clear()
    feed.revise_event(EventMark(4.8, "engagement", "p1", "high", "Spoke for 5 s."))
    assert feed.list.count() == 0


def test_a_nudge_line_reads_its_measure_in_words():
    """A practice measure reads as the user would say it, not by its name in the rules file."""
    from copilot.coach import Nudge
    from copilot.coach.rules import MEASURE_READINGS, MEASURES
    from ui.nudge_feed import nudge_text

    assert set(MEASURE_READINGS) == set(MEASURES)
    line = nudge_text(Nudge(14.2, "camera", "p1", "Look into the camera more", "camera_gaze", 0.08))
    assert line == "0:14  Look into the camera more  (p1: looking into the camera 8% of the time)"
    line = nudge_text(Nudge(30.0, "pace", "you", "Slow down", "speaking_rate", 182.4))
    assert line.endswith("(you: 182 words a minute)")
    line = nudge_text(Nudge(9.0, "r", "p2", "Ask a question", "confusion", 0.71))
    assert line.endswith("(p2: confusion 71 · medium)")


def test_status_wording():
    """Issue 19: plain words in the bar ("UI p95", "analysis 9.3 ms" were jargon), figures on hover."""
    stats = EngineStats(frames_in=40, frames_dropped=4, steps=36, steps_per_s=29.94,
                        stage_ms={"faces": 7.25, "face_cues": 0.5}, latency_ms=12.4)
    assert health_line(stats, 0.01) == "Keeping up · 30 frames a second"
    assert health_line(stats, 0.10) == "Busy: skipping some frames · 30 frames a second"
    assert health_line(stats, 0.40) == "Falling behind: skipping many frames · 30 frames a second"
    assert health_line(EngineStats(0, 0, 50, 31.2), 0.0) == "Keeping up · listening"  # a sound file
    details = health_details(stats, "CPUExecutionProvider", 71.4, 9.6).splitlines()
    assert details == [
        "Analysing 29.9 frames a second.",
        "Skipped 4 of 40 frames (10%) because the analysis was still busy with an earlier one.",
        "Results come 12 ms after a frame is captured (median).",
        "Each step takes 7.8 ms of analysis: faces 7.2 ms, face_cues 0.5 ms.",
        "The models run on the CPU (CPUExecutionProvider).",
        "The app uses 71% of one processor core.",
        "The window reacts within 10 ms 95% of the time (feels instant)."]
    assert not any(jargon in "\n".join(details) for jargon in ("p95", "fps", "UI "))


def test_automatic_shows_the_room_else_a_face_on_screen_not_one_who_walked_out():
    from ui.gauges import FOLLOW, pick_participant

    assert pick_participant(FOLLOW, ["room", "p1", "p2"], {"p1", "p2"}) == "room"
    assert pick_participant(FOLLOW, ["p1", "p2"], {"p2"}) == "p2"  # p1 has left the picture
    assert pick_participant(FOLLOW, ["p1"], set()) == "p1"  # no one on screen: whoever is scored
    assert pick_participant("p1", ["p1", "p2"], {"p2"}) == "p1"  # the user's own choice stays
    assert pick_participant(FOLLOW, [], set()) is None


# -- the launcher, as a user runs it --------------------------------------------------------------
def launch(*args: str, settings: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", SETTINGS_DIR_ENV: str(settings),
           "COPILOT_DATABASE": str(settings / "sessions.sqlite3")}
    return subprocess.run([sys.executable, "-m", "ui.launcher", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


def test_launcher_screenshot_shows_the_playing_file(tmp_path, shared_data):
    shot = tmp_path / "window.png"
    done = launch("app", "--source", str(shared_data / NODDING), "--screenshot", str(shot),
                  "--after", "1.5", settings=tmp_path / "settings")
    assert done.returncode == 0, done.stderr
    image = QImage(str(shot))
    assert (image.width(), image.height()) == DEFAULT_SIZE
    pixels = image_array(image)
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 2000  # a video frame, not an empty window
    assert not list((tmp_path / "settings").rglob("*.ini"))  # a screenshot run leaves no settings
    assert not list((tmp_path / "settings").rglob("*.json"))


@pytest.mark.skipif(bool(camera_choices()), reason="this machine has a camera")
def test_launcher_without_a_source_or_camera_starts_cleanly(tmp_path):
    shot = tmp_path / "window.png"
    done = launch("app", "--screenshot", str(shot), "--after", "0.3", settings=tmp_path / "settings")
    assert done.returncode == 0, done.stderr
    assert QImage(str(shot)).width() == DEFAULT_SIZE[0]


def test_launcher_screenshot_of_an_unreadable_file_exits_with_the_reason(tmp_path):
    broken = tmp_path / "broken.webm"
    broken.write_bytes(b"\x00" * 512)
    shot = tmp_path / "window.png"
    done = launch("app", "--source", str(broken), "--screenshot", str(shot), "--after", "0.2",
                  settings=tmp_path / "settings")
    assert done.returncode == 2
    assert "broken.webm" in done.stderr
    assert shot.exists()


def test_engine_commands_run_without_importing_qt(tmp_path):
    clip = make_clip(tmp_path / "clip.webm", seconds=0.5)
    out = tmp_path / "result.json"
    code = ("import sys; from ui.launcher import main; "
            f"rc = main(['analyze', {str(clip)!r}, '--out', {str(out)!r}]); "
            "assert not [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))]; sys.exit(rc)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert out.exists()



def test_a_nudge_rules_threshold_on_a_score_shows_out_of_100_and_saves_as_the_rules_file_has_it(qtbot):
    """The gauges and labels show scores out of 100; the settings' thresholds on them do too, while
    a measure's threshold keeps its own units (a talk share, syllables a second)."""
    from copilot.coach.rules import load_rules
    from copilot.signals import SIGNALS
    from ui.preferences import Preferences
    from ui.settings_dialog import SettingsDialog

    rules = load_rules()
    dialog = SettingsDialog(Preferences(), rules, [])
    qtbot.addWidget(dialog)
    scored = next(row for row, rule in enumerate(rules.rules) if rule.signal in SIGNALS)
    measured = next(row for row, rule in enumerate(rules.rules) if rule.signal not in SIGNALS)
    assert dialog.table.cellWidget(scored, 4).value() == pytest.approx(100 * rules.rules[scored].threshold)
    assert dialog.table.cellWidget(measured, 4).value() == pytest.approx(rules.rules[measured].threshold)
    dialog.table.cellWidget(scored, 4).setValue(70)
    saved = dialog.result_preferences().rules
    assert saved[rules.rules[scored].id]["threshold"] == pytest.approx(0.7)
    assert saved[rules.rules[measured].id]["threshold"] == pytest.approx(rules.rules[measured].threshold)
