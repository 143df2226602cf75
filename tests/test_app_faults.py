"""Issue 16 in the app: a settings folder or file it may not touch, a disk that fills during a
session, and text the banner must not read as markup."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before pytest-qt creates the QApplication
pytest.importorskip("PySide6.QtWidgets", reason="the GUI libraries are not installed")
pytest.importorskip("pytestqt", reason="pytest-qt is not installed")

from app_fixtures import *  # noqa: F403  (fixtures: window; autouse: no_running_timers, private_settings)
from faults import copilot_command, on_a_small_disk, sh, unprivileged
from media import make_clip
from PySide6.QtCore import Qt

from copilot.files.config_folder import SETTINGS_DIR_ENV
from ui import preferences

APP_RUN = Path(__file__).with_name("app_run.py")


def app_environment(settings: Path, database: Path) -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", SETTINGS_DIR_ENV: str(settings),
            "COPILOT_DATABASE": str(database)}


def banner_messages(done: subprocess.CompletedProcess) -> list[str]:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    return make_clip(tmp_path_factory.mktemp("clips") / "clip.webm", seconds=0.5)


def test_a_read_only_settings_folder_is_said_and_the_app_runs(tmp_path, clip):
    settings = tmp_path / "settings"
    settings.mkdir(mode=0o555)
    try:
        done = unprivileged([sys.executable, str(APP_RUN), str(clip)],
                            env=app_environment(settings, tmp_path / "sessions.sqlite3"))
    finally:
        settings.chmod(0o700)
    said = banner_messages(done)
    file = settings / preferences.FILE_NAME
    assert any(f"{file}: cannot save the settings (Permission denied)" in m for m in said), said
    assert list(settings.iterdir()) == []


def test_an_unreadable_settings_file_is_never_replaced(tmp_path, clip):
    settings = tmp_path / "settings"
    settings.mkdir()
    file = settings / preferences.FILE_NAME
    file.write_text(json.dumps({"version": 2, "mode": "sales", "theme": "light",
                                "rules": {"talk_ratio": {"enabled": False}}}))
    file.chmod(0)
    before = file.read_bytes()
    done = unprivileged([sys.executable, str(APP_RUN), str(clip)],
                        env=app_environment(settings, tmp_path / "sessions.sqlite3"))
    said = banner_messages(done)
    assert any(f"{file}: cannot read the settings" in m for m in said), said
    assert any(f"{file}: cannot save the settings (it cannot be read, so it is left as it is)" in m
               for m in said), said
    assert file.read_bytes() == before and stat.S_IMODE(file.stat().st_mode) == 0
    assert [p.name for p in settings.iterdir() if p.is_file()] == [preferences.FILE_NAME]  # no .tmp left


def test_a_disk_that_fills_during_a_session_is_said_in_the_banner(tmp_path, clip):
    disk = tmp_path / "disk"
    database = disk / "sessions.sqlite3"
    long_clip = make_clip(tmp_path / "long.webm", seconds=6.0)
    done = on_a_small_disk(disk, 400, f"{sh(*copilot_command('analyze', clip, '--database', database))} "
                                      ">/dev/null\nfill 40\n"
                                      f"{sh(sys.executable, APP_RUN, long_clip)}",
                           env=app_environment(tmp_path / "settings", database))
    said = banner_messages(done)
    stopped = [m for m in said if m.startswith(f"this session is only partly recorded: {database}: "
                                               "recording stopped at ")]
    assert len(stopped) == 1 and "the rest is not recorded" in stopped[0], said


def test_settings_are_the_users_alone(tmp_path):
    folder = tmp_path / "new" / "settings"
    path = preferences.save(preferences.Preferences(mode="sales"), folder / preferences.FILE_NAME)
    assert [stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "new", folder, path)] == [0o700, 0o700, 0o600]
    assert preferences.load(path)[0].mode == "sales"


def test_the_banner_shows_markup_as_the_text_it_is(window):
    message = 'Ask a question <h1>now</h1> <b>please</b> <img src="x.png"> in <i>talk.mp4</i>'
    window.show_problem(message)
    window.show_nudge(type("Nudge", (), {"message": message})())
    for banner in (window.banner, window.nudge_banner):
        assert banner.text.textFormat() == Qt.TextFormat.PlainText
        assert message in banner.text.text()
