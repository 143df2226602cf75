"""Shared fixtures: where the real recordings live, and a guard against leaked threads."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from copilot.shipped.models import BATCH_THREAD_NAME

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real recordings beside the repository (never copied into it)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"the shared recordings are not at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def private_user_files(tmp_path_factory, monkeypatch):
    """Sessions and settings go to a temporary folder, never the user's own (subprocesses inherit it)."""
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("COPILOT_DATABASE", str(home / "sessions.sqlite3"))
    monkeypatch.setenv("MEETING_COPILOT_SETTINGS_DIR", str(home / "settings"))


@pytest.fixture(autouse=True)
def no_leaked_threads():
    """Fails a test that leaves one of its threads running (capture, analysis, workers)."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 3.0
    while True:
        leaked = [t for t in threading.enumerate() if t not in before and t.is_alive()
                  and not t.name.startswith(("QDBus", "pydevd", "asyncio", BATCH_THREAD_NAME))]
        if not leaked or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not leaked, f"threads left running: {[t.name for t in leaked]}"
