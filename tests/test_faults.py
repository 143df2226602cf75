"""Issue 16: when the disk, the database or the temp folder misbehave, the result is still
written, the lost record is said in one line naming the file and the reason, and nothing
that existed is overwritten."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from faults import copilot_command, on_a_small_disk, sh, unprivileged
from media import make_clip

from copilot.capture.media_file import MediaFile
from copilot.engine.loop import Engine
from copilot.session.recorder import SessionRecorder


def run(*args: str | Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(copilot_command(*args), capture_output=True, text=True, timeout=180, **kwargs)


WARNING = "copilot: warning: "


def cli(*args: str | Path) -> str:
    """`copilot ARGS` as a line of shell."""
    return sh(*copilot_command(*args))


def warnings_of(done: subprocess.CompletedProcess) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.startswith("copilot: warning:")]


def recorded(database: Path, clip: Path, *, kind: str = "file", keep_media: bool = False) -> SessionRecorder:
    """A real session of `clip` in `database` (no analyzers: only the recording is under test)."""
    recorder = SessionRecorder(database, source_name=clip.name, source_kind=kind, mode="practice",
                               record_media=keep_media)
    Engine([MediaFile(clip)], [], [recorder], lossless=True).run()
    recorder.close()
    return recorder


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    return make_clip(tmp_path_factory.mktemp("clips") / "clip.webm", seconds=0.5)


# -- a database that cannot be written ------------------------------------------------------
def test_a_read_only_database_costs_the_record_not_the_result(tmp_path, clip):
    database = tmp_path / "sessions.sqlite3"
    recorded(database, clip)
    database.chmod(0o444)
    before = database.read_bytes()
    out = tmp_path / "r.json"
    done = unprivileged(copilot_command("analyze", clip, "--database", database, "--out", out))
    assert done.returncode == 0, done.stderr
    said = (f"this analysis is not recorded: {database}: cannot start a session in it "
            "(the file cannot be written)")
    assert warnings_of(done) == [f"copilot: warning: {said}"]
    assert json.loads(out.read_text())["meta"]["warnings"] == [said]
    assert database.read_bytes() == before


@pytest.mark.parametrize(("left_kib", "reason"), [
    (36, "database or disk is full"),  # room to open the file, none for the new session's row
    (0, "disk is full"),  # no room even for SQLite's -shm file: SQLite's "database or disk is full",
    # or "disk I/O error; its disk is full (0 KiB free)" when it cannot say
])
def test_a_full_disk_at_the_start_costs_the_record_not_the_result(tmp_path, clip, left_kib, reason):
    disk, out = tmp_path / "disk", tmp_path / "r.json"
    database = disk / "sessions.sqlite3"
    done = on_a_small_disk(disk, 200, f"{cli('analyze', clip, '--database', database)} >/dev/null\n"
                                      f"fill {left_kib}\n"
                                      f"{cli('analyze', clip, '--database', database, '--out', out)}")
    assert done.returncode == 0, done.stderr
    said = warnings_of(done)
    assert len(said) == 1 and said[0].startswith(f"{WARNING}this analysis is not recorded: {database}: ")
    assert reason in said[0] and "damaged" not in said[0]
    document = json.loads(out.read_text())
    assert document["meta"]["steps"] > 0 and document["meta"]["warnings"] == [said[0][len(WARNING):]]


def test_recording_that_stops_part_way_is_said_in_the_result_and_the_list(tmp_path, clip):
    disk, out = tmp_path / "disk", tmp_path / "r.json"
    database = disk / "sessions.sqlite3"
    long_clip = make_clip(tmp_path / "long.webm", seconds=8.0)
    done = on_a_small_disk(disk, 400, f"{cli('analyze', clip, '--database', database)} >/dev/null\n"
                                      "fill 40\n"
                                      f"{cli('analyze', long_clip, '--database', database, '--out', out)}\n"
                                      f"{cli('sessions', '--database', database, 'list')}")
    assert done.returncode == 0, done.stderr
    said = warnings_of(done)
    assert len(said) == 1, done.stderr
    prefix = f"{WARNING}this analysis is only partly recorded: {database}: recording stopped at "
    assert said[0].startswith(prefix) and "the rest is not recorded" in said[0], said
    stopped_at = float(said[0][len(prefix):].split(" s ")[0])
    assert 0 <= stopped_at < 7.5
    document = json.loads(out.read_text())
    assert document["meta"]["duration"] == pytest.approx(8.0, abs=0.1)  # the whole result all the same
    assert document["meta"]["warnings"] == [said[0][len(WARNING):]]
    listed = [line for line in done.stdout.splitlines()
              if "long.webm" in line and not line.startswith("analysed ")]  # not analyze's own line
    assert len(listed) == 1, done.stdout
    assert "recording stopped at" in listed[0] or "disk filled" in listed[0], listed


# -- a damaged database ------------------------------------------------------------------------
def damage_a_table(database: Path, table: str = "sessions") -> None:
    """Overwrites the page holding `table` with garbage; the header and the schema stay readable."""
    db = sqlite3.connect(database)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = db.execute("PRAGMA page_size").fetchone()[0]
    root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    db.close()
    with database.open("r+b") as handle:
        handle.seek((root - 1) * page)
        handle.write(b"\x0d" + b"\xff" * (page - 1))


def test_a_database_damaged_in_the_middle_is_refused_and_never_written(tmp_path, clip):
    database = tmp_path / "sessions.sqlite3"
    recorded(database, clip)
    damage_a_table(database)
    before = database.read_bytes()
    out = tmp_path / "r.json"
    done = run("analyze", clip, "--database", database, "--out", out)
    assert done.returncode == 0, done.stderr
    said = warnings_of(done)
    assert len(said) == 1 and f"{database}: damaged" in said[0], done.stderr
    assert json.loads(out.read_text())["meta"]["steps"] > 0
    for action in (["show", "1"], ["delete", "1"], ["export", "1"]):
        done = run("sessions", "--database", database, *action)
        assert done.returncode == 2, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"copilot: error: {database}: damaged"), lines
    assert database.read_bytes() == before


def test_a_read_only_database_folder_is_not_called_damaged(tmp_path, clip):
    folder = tmp_path / "data"
    database = folder / "sessions.sqlite3"
    recorded(database, clip)
    folder.chmod(0o555)
    try:
        done = unprivileged(copilot_command("analyze", clip, "--database", database,
                                            "--out", tmp_path / "r.json"))
    finally:
        folder.chmod(0o700)
    assert done.returncode == 0, done.stderr
    said = warnings_of(done)
    assert len(said) == 1 and f"{database}: its folder {folder} cannot be written" in said[0], said


# -- whose eyes the record is for --------------------------------------------------------------
def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_its_folder_a_report_and_kept_media_are_the_users_alone(tmp_path, clip):
    folder = tmp_path / "new" / "data"
    database, report, out = folder / "sessions.sqlite3", tmp_path / "r.html", tmp_path / "r.json"
    done = run("analyze", clip, "--database", database, "--report", report, "--out", out)
    assert done.returncode == 0, done.stderr
    assert (mode(tmp_path / "new"), mode(folder)) == (0o700, 0o700)
    assert (mode(database), mode(report)) == (0o600, 0o600)
    assert mode(out) == 0o666 & ~_umask()  # a result to share follows the umask, as before
    media = recorded(database, clip, kind="camera", keep_media=True).media
    kept = sorted(media.folder.iterdir())
    assert [p.name for p in kept] == ["audio-file.wav", "video.mp4"]
    assert mode(media.folder) == 0o700 and {mode(p) for p in kept} == {0o600}


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# -- what a run leaves behind --------------------------------------------------------------------
def test_a_killed_analysis_leaves_no_scratch_folder_and_the_next_sweeps_old_ones(tmp_path, clip):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    long_clip = make_clip(tmp_path / "long.webm", seconds=20.0)
    analysis = subprocess.Popen(copilot_command("analyze", long_clip, "--out", tmp_path / "r.json"), env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(3.0)
    analysis.send_signal(signal.SIGKILL)
    analysis.wait(30)
    assert list(scratch.iterdir()) == []
    gone = subprocess.Popen(["true"])
    gone.wait()
    left = scratch / f"copilot-analyze-{gone.pid}-x1y2z3"  # as a killed `--report` run leaves it
    left.mkdir()
    (left / "report.sqlite3").write_bytes(b"")
    done = run("analyze", clip, "--no-record", "--report", tmp_path / "r.html", "--out", tmp_path / "r.json",
               env=env)
    assert done.returncode == 0, done.stderr
    assert list(scratch.iterdir()) == []


def test_onnx_runtime_writes_nothing_in_the_users_cache(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}
    env.pop("ORT_DISABLE_TELEMETRY", None)
    load = "from copilot.shipped.models import load_model; load_model('face_detection_short_range')"
    done = subprocess.run([sys.executable, "-c", load], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert [str(p.relative_to(home)) for p in home.rglob("*")] == []


def test_sessions_export_says_where_it_wrote(tmp_path, clip):
    database = tmp_path / "sessions.sqlite3"
    recorder = recorded(database, clip)
    out = tmp_path / "s.json"
    done = run("sessions", "--database", database, "export", "last", "--out", out)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == f"wrote session {recorder.session_id} as JSON to {out}"
    assert json.loads(out.read_text())["meta"]["source"]["name"] == "clip.webm"
