"""One honest picture in the app (issue 19): at every redraw of a real recording played in the real
window, the gauge, the label under the face, the feed's running events, the header's engagement
state and the overlay say the same of the same score; nothing is scored before its evidence;
the live measures fill in; a nudge does not move the layout."""

from __future__ import annotations

import os
import re

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6.QtWidgets", reason="the GUI libraries are not installed")
pytest.importorskip("pytestqt", reason="pytest-qt is not installed")

from app_fixtures import *  # noqa: F403  (fixtures: window; autouse: no_running_timers, private_settings)
from PySide6.QtCore import QPoint, QRect

from copilot.signals import SIGNALS
from copilot.signals.bands import NO_EVIDENCE, NONE, band_of, has_score, percent, reading
from copilot.signals.engagement import state_of
from copilot.signals.measures import PERSONAL, measures
from ui.readings import WAITING

FACE = "reallife_trial_video/trial_truth_043.mp4"  # a man answering questions, 22 s; a nudge at 14 s
PLAYED_MS = 60000  # paced: 22 s of clip, with room for a loaded machine
LINE = re.compile(r"^\d+:\d\d  (?P<who>\S+) (?P<signal>\w+) · (?P<band>low|medium|high) now — ")


def moment(window) -> dict:
    """What the window shows now, read back from its widgets, beside the scores it drew from."""
    dash, gauges = window.dashboard, window.signals_panel
    who = gauges.shown
    return {"who": who, "scores": dict(dash.scores.get(who, {})) if who else {},
            "readings": {name: label.text() for name, label in gauges.readings.items()},
            "bars": {name: bar.value() for name, bar in gauges.bars.items()},
            "header": gauges.state.text(), "labels": dict(window.video.face_labels),
            "lines": list(dash.feed.event_lines().values()),
            "overlay": dash.overlay.signals.text() if dash.overlay.isVisible() else None}


@pytest.mark.timeout(1800)
def test_gauge_face_label_feed_header_and_overlay_agree_at_every_redraw(window, qtbot, shared_data):
    seen: list[dict] = []
    window.signals_timer.timeout.connect(lambda: seen.append(moment(window)))  # after the redraw
    window.toolbar.overlay_action.trigger()
    window.open_choice(str(shared_data / FACE))
    assert window.session.running, window.banner.text.text()
    qtbot.waitUntil(lambda: window.video.frames_drawn > 5, timeout=PLAYED_MS)
    layout_before = (window.splitter.geometry(), window.video.geometry(), window.readings.geometry())
    qtbot.waitUntil(window.nudge_banner.isVisible, timeout=PLAYED_MS)  # "Look into the camera more", ~14 s
    # the banner floats over the video: nothing below it moved or shrank
    assert (window.splitter.geometry(), window.video.geometry(), window.readings.geometry()) == layout_before
    banner = window.nudge_banner.geometry()  # in the central widget's coordinates, as is `video`
    video = QRect(window.video.mapTo(window.centralWidget(), QPoint(0, 0)), window.video.size())
    assert video.contains(banner.topLeft()) and banner.width() < video.width()
    qtbot.waitUntil(lambda: window.session.engine is None, timeout=PLAYED_MS)  # played to its end
    window.toolbar.overlay_action.trigger()

    checked = {"moments": 0, "labels": 0, "running events": 0, "overlay": 0, "waiting": 0}
    for shown in seen:
        who, scores = shown["who"], shown["scores"]
        if who is None or not scores:
            continue
        checked["moments"] += 1
        for name in SIGNALS:  # the gauge: the bar and the words beside it, from the same score
            score = scores[name]
            assert shown["readings"][name] == reading(score)
            assert shown["bars"][name] == (percent(score) if has_score(score) else 0)
        state = state_of(scores["engagement"], scores["disengagement"])
        assert shown["header"] == f"<b>{who}</b> — {state or NO_EVIDENCE}"
        if state == "engaged":
            assert band_of(scores["engagement"]) in ("medium", "high")
        if all(not has_score(s) for s in scores.values()):
            checked["waiting"] += 1
            assert set(shown["readings"].values()) == {NONE.word}
        label = shown["labels"].get(who)
        if label is not None:  # under the face: its strongest signal, as its gauge reads
            checked["labels"] += 1
            if label == WAITING:
                assert not any(has_score(s) for s in scores.values())
            else:
                signal, words = label.split(" ", 1)
                assert words == shown["readings"][signal]
                assert scores[signal] == max(s for s in scores.values() if has_score(s))
        for line in shown["lines"]:  # a running event's band is its gauge's band
            match = LINE.match(line)
            if match and match["who"] == who:
                checked["running events"] += 1
                assert shown["readings"][match["signal"]].endswith(f"· {match['band']}"), line
        if shown["overlay"] == WAITING:
            assert not any(has_score(s) for s in scores.values())
        elif shown["overlay"] and "<b>" in shown["overlay"]:
            checked["overlay"] += 1
            for part in shown["overlay"].split("<br>"):
                signal, words = re.fullmatch(r"(\w+) <b>(.+)</b>", part).groups()
                assert words == shown["readings"][signal]
    print(checked)
    assert checked["moments"] >= 30 and checked["labels"] >= 30 and checked["overlay"] >= 30, checked
    assert checked["running events"] >= 5, checked  # events ran while it played
    assert checked["waiting"] >= 1, checked  # a new face shows "—" before its evidence, not 0.38

    # the live measures: conversation quality and his talk, as the engine counted them
    panel = window.dashboard.measures
    quality = window.dashboard.quality
    assert quality is not None
    assert panel.quality["quality_index"].text() == f"Quality {quality['quality_index']}"
    assert panel.quality["clarity"].toolTip() == measures()["clarity"].definition
    table = panel.shown()
    assert list(table) == ["p1"] and table["p1"]["talk_ratio"] == "100%"
    assert re.fullmatch(r"\d+ wpm", table["p1"]["pace"]), table  # transcribed, so a pace
    assert re.fullmatch(r"\d+ s", table["p1"]["longest_monologue"]), table
    headers = [panel.table.verticalHeaderItem(row) for row in range(len(PERSONAL))]
    assert [h.toolTip() for h in headers] == [measures()[name].definition for name in PERSONAL]
