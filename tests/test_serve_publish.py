"""The desktop app publishes its live session on the stream protocol: a real window offscreen plays a
real recording, a real WebSocket client follows it over loopback."""

from __future__ import annotations

import json
import os
import threading

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6.QtWidgets", reason="the GUI libraries are not installed")
pytest.importorskip("pytestqt", reason="pytest-qt is not installed")

from app_fixtures import *  # noqa: F403  (autouse: no_running_timers, private_settings)
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from copilot.serve.auth import stored_token
from copilot.serve.shapes import QUALITY_OVERALL
from ui import preferences
from ui.main_window import MainWindow

TALKING = "video_retalking/2.mp4"  # a man talking to the camera, 5.0 s
WAIT_MS = 60_000


class Follower:
    """A program following the live session: connects with the key, asks for quality, reads all."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.ws.send(json.dumps({"include": [QUALITY_OVERALL]}))
        self.ws.send(b"a segment it may not send")
        self.seen: list[dict] = []
        self.thread = threading.Thread(target=self._read, name="follower")
        self.thread.start()

    def _read(self) -> None:
        try:
            for message in self.ws:
                self.seen.append(json.loads(message))
        except ConnectionClosed:
            pass

    def types(self) -> list[str]:
        return [e["type"] for e in self.seen]


def test_publishing_is_off_by_default_and_a_switch_in_settings(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    assert window.session.publisher is None
    window.prefs.publish_port = 0
    dialog = window.actions.open_settings()
    assert not dialog.publish.isChecked()
    dialog.publish.setChecked(True)
    dialog.accept()
    assert window.prefs.publish_live and preferences.load()[0].publish_live  # kept for next time
    publisher = window.session.publisher
    assert publisher is not None and publisher.url.startswith("ws://127.0.0.1:")
    dialog = window.actions.open_settings()
    dialog.publish.setChecked(False)
    dialog.accept()
    assert window.session.publisher is None
    window.close()


def test_a_follower_receives_the_live_sessions_events_as_the_app_finds_them(qtbot, shared_data):
    preferences.save(preferences.Preferences(publish_live=True, publish_port=0))
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    url = window.session.publisher.url
    with pytest.raises(InvalidStatus) as refused, \
            connect(url, additional_headers={"Authorization": "Bearer not-the-key-0123456789"}):
        pass
    assert refused.value.response.status_code == 401
    with connect(url, additional_headers={"Authorization": f"Bearer {stored_token()}"}) as ws:
        follower = Follower(ws)
        try:
            qtbot.waitUntil(lambda: "error" in follower.types() and "session.updated" in follower.types(),
                            timeout=WAIT_MS)
            window.open_choice(str(shared_data / TALKING))
            qtbot.waitUntil(lambda: "signal.detected" in follower.types(), timeout=WAIT_MS)
            qtbot.waitUntil(lambda: not window.session.running, timeout=WAIT_MS)  # the clip plays to its end
            qtbot.waitUntil(lambda: follower.types()[-1] == "session.updated", timeout=WAIT_MS)
        finally:
            window.close()  # stops the publisher: the follower's connection ends
            follower.thread.join(10)
    assert not follower.thread.is_alive()

    seen = follower.seen
    assert seen[0]["type"] == "session.ready" and seen[0]["data"]["subscribe_only"]
    assert next(e for e in seen if e["type"] == "error")["data"]["code"] == "subscribe_only"
    assert next(e for e in seen if e["type"] == "session.updated")["data"]["include"] == [QUALITY_OVERALL]
    run = [e for e in seen if e["correlation_id"] == seen[-1]["correlation_id"]]
    assert run[0]["type"] == "session.updated" and run[0]["data"]["running"]
    assert run[0]["data"]["source"] == "2.mp4"
    assert run[-1]["type"] == "session.updated" and not run[-1]["data"]["running"]
    events = [s for e in run if e["type"] == "signal.detected" for s in e["data"]["signals"]]
    assert events and all(0 <= s["start"] <= 5.1 for s in events)
    assert "engagement.updated" in [e["type"] for e in run]
    ended = [s for e in run if e["type"] == "signal.ended" for s in e["data"]["signals"]]
    assert {(s["type"], s["start"]) for s in ended} <= {(s["type"], s["start"]) for s in events}
    quality = [e["data"] for e in run if e["type"] == "conversation_quality.updated"]
    assert quality and all(set(q) == {"overall"} for q in quality)  # as this follower asked
