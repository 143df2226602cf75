"""The session database file: where it lives, its schema, and files that are not ours."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from copilot.session.recorder import SessionRecorder
from copilot.session.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, SCORE_COLUMNS
from copilot.session.store import DATABASE_ENV, DatabaseError, default_database_path, open_database
from copilot.signals import SIGNALS


def test_the_score_columns_are_the_twelve_signals():
    assert set(SCORE_COLUMNS) == set(SIGNALS) and len(SCORE_COLUMNS) == 12


def test_the_environment_variable_moves_the_database(monkeypatch, tmp_path):
    monkeypatch.setenv(DATABASE_ENV, str(tmp_path / "elsewhere.sqlite3"))
    assert default_database_path() == tmp_path / "elsewhere.sqlite3"
    monkeypatch.delenv(DATABASE_ENV)
    assert default_database_path().name == "sessions.sqlite3"
    assert str(tmp_path) not in str(default_database_path())


def test_a_new_database_is_in_wal_mode_with_a_version(tmp_path):
    db = open_database(tmp_path / "new" / "s.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT max(version) FROM schema_version").fetchone()[0] == SCHEMA_VERSION
    db.close()
    open_database(tmp_path / "new" / "s.sqlite3").close()  # opening again migrates nothing and works


def _foreign_database(path: Path) -> None:
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE recipes (name TEXT, minutes INTEGER)")
    other.execute("INSERT INTO recipes VALUES ('soup', 30)")
    other.commit()
    other.close()


@pytest.mark.parametrize(("make", "reason"), [
    (lambda p: p.write_bytes(bytes(range(256)) * 40), "not an SQLite file"),
    (_foreign_database, "another application"),
    (lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000), "damaged"),
])
def test_a_file_that_is_not_ours_is_refused_and_left_untouched(tmp_path, make, reason):
    path = tmp_path / "sessions.sqlite3"
    make(path)
    before = path.read_bytes()
    with pytest.raises(DatabaseError) as caught:
        SessionRecorder(path, source_name="cam", source_kind="camera", mode="practice")
    assert str(path) in str(caught.value) and reason in str(caught.value)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sessions.sqlite3"]  # no -wal or -journal left


def test_the_cli_names_the_bad_file_and_exits_non_zero(tmp_path):
    path = tmp_path / "garbage.sqlite3"
    path.write_bytes(b"hello, not a database" * 100)
    done = subprocess.run([sys.executable, "-m", "copilot", "sessions", "--database", str(path), "list"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert str(path) in done.stderr and "not an SQLite file" in done.stderr
    assert path.read_bytes() == b"hello, not a database" * 100


def test_scores_a_version_1_file_holds_under_other_names_are_put_right(tmp_path):
    """Version 1 wrote each tick in display order into alphabetical columns; opening moves them."""
    written_order = ("engagement", "interest", "agreement", "confidence", "disengagement", "confusion",
                     "hesitation", "uncertainty", "disagreement", "skepticism", "frustration", "stress")
    truth = {name: round(0.05 * (k + 1), 2) for k, name in enumerate(SIGNALS)}
    path = tmp_path / "old.sqlite3"
    raw = sqlite3.connect(path)
    raw.executescript(f"BEGIN;\n{MIGRATIONS[0]}\nINSERT INTO schema_version VALUES (1, 'then');\n"
                      f"PRAGMA application_id = {APPLICATION_ID};\nPRAGMA user_version = 1;\nCOMMIT;")
    raw.execute("INSERT INTO sessions (id, started_at, source_name, source_kind, mode) "
                "VALUES (1, 'then', 'cam', 'camera', 'practice')")
    raw.execute(f"INSERT INTO scores VALUES (1, 0.0, 'p1', {', '.join('?' * 12)}, 'engaged')",
                [truth[name] for name in written_order])
    raw.commit()
    raw.close()
    db = open_database(path)
    stored = db.execute(f"SELECT {', '.join(SCORE_COLUMNS)} FROM scores").fetchone()
    assert dict(zip(SCORE_COLUMNS, stored, strict=True)) == truth
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 2
    db.close()
    open_database(path).close()  # opening again moves nothing
    again = sqlite3.connect(path).execute(f"SELECT {', '.join(SCORE_COLUMNS)} FROM scores").fetchone()
    assert again == stored


def test_a_database_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "s.sqlite3"
    open_database(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(DatabaseError, match="newer"):
        open_database(path)
