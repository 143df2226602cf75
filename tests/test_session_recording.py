"""Recording sessions: the round trip through the database, the `sessions` commands, crash safety."""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from copilot.result.document import validate
from copilot.session.library import list_sessions, load_session
from copilot.session.schema import SCORE_COLUMNS
from copilot.session.store import DATABASE_ENV, open_database
from copilot.signals.config import model
from copilot.vision.people_settings import people_settings

CLIP = "reallife_trial_video/trial_truth_043.mp4"  # 22 s, one face that speaks
REPO = Path(__file__).resolve().parents[1]


def copilot(*args: str, database: Path, timeout: float = 180) -> subprocess.CompletedProcess:
    env = {**os.environ, DATABASE_ENV: str(database)}
    return subprocess.run([sys.executable, "-m", "copilot", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


@pytest.fixture(scope="module")
def analysed(shared_data, tmp_path_factory):
    """`copilot analyze` once, recording into a private database: (database, its JSON output)."""
    folder = tmp_path_factory.mktemp("recorded")
    database, out = folder / "sessions.sqlite3", folder / "analysis.json"
    done = copilot("analyze", str(shared_data / CLIP), "--out", str(out), "--csv", str(folder / "scores.csv"),
                   database=database)
    assert done.returncode == 0, done.stderr
    return database, out


def test_export_gives_back_exactly_what_analyze_wrote(analysed, tmp_path):
    database, out = analysed
    exported = tmp_path / "exported.json"
    done = copilot("sessions", "export", "last", "--out", str(exported), database=database)
    assert done.returncode == 0, done.stderr
    # Nothing is excluded: the meta (with its version, model checksums and source) is stored as written.
    assert exported.read_bytes() == out.read_bytes()
    assert json.loads(exported.read_text())["signals"], "the clip should give at least one event"


def test_each_score_is_stored_under_its_own_signal(analysed):
    """The database must hold what `analyze --csv` printed, signal by signal, not in another order."""
    database, out = analysed
    with (out.parent / "scores.csv").open() as handle:
        printed = {(float(row["t"]), row["participant"]): row for row in csv.DictReader(handle)}
    data = load_session(open_database(database, create=False), "last")
    compared = 0
    for k, t in enumerate(data.scores["p1"].t):
        row = printed.get((round(float(t), 1), "p1"))
        if row is None:
            continue
        for name, value in zip(SCORE_COLUMNS, data.scores["p1"].scores[k], strict=True):
            assert abs(value - float(row[name])) < 1e-3, (t, name)
        compared += 1
    assert compared > 50
    spread = data.scores["p1"].scores.max(axis=0) - data.scores["p1"].scores.min(axis=0)
    assert (spread > 0.05).sum() >= 3, "too few signals move for the comparison to tell them apart"


def test_list_shows_start_source_duration_and_participants(analysed):
    database, _ = analysed
    done = copilot("sessions", "list", database=database)
    assert done.returncode == 0, done.stderr
    header, *_, line = done.stdout.splitlines()
    assert "trial_truth_043.mp4" in line and "0:22.0" in line and "[p1]" in line
    # Issue 19: a header row names the columns, and one says what kind of session it was.
    assert header.split()[:4] == ["#", "started", "length", "kind"]
    assert "analysis of a file" in line


def test_scores_are_kept_five_times_a_second(analysed, tmp_path):
    database, _ = analysed
    data = load_session(open_database(database, create=False), "last")
    gaps = data.scores["p1"].t[1:] - data.scores["p1"].t[:-1]
    assert abs(float(gaps.mean()) - 0.2) < 0.01
    assert data.info.media_path and Path(data.info.media_path).is_file()  # what seeking needs
    assert any(e["kind"] == "utterance" for e in data.cue_events)
    csv_path = tmp_path / "scores.csv"
    assert copilot("sessions", "export", "last", "--out", str(csv_path), database=database).returncode == 0
    header, first = csv_path.read_text().splitlines()[:2]
    printed = (database.parent / "scores.csv").read_text().splitlines()[0]
    # the layout of analyze --csv; the first row comes once the face is a participant (issue 18)
    # and each of its scores has its evidence (issue 19): no row holds a made-up number
    assert header == printed and first.split(",")[1] == "p1"
    evidence_s = max(model().min_evidence_s.values())
    assert float(first.split(",")[0]) <= people_settings()["confirm"]["confirm_s"] + evidence_s + 0.2
    # --database may also follow the action; CSV without a file, or --table with JSON, is a clear error
    done = copilot("sessions", "export", "last", "--format", "csv", "--database", str(database),
                   database=Path("/nowhere/else.sqlite3"))
    assert done.returncode == 2 and done.stderr.startswith("copilot: error: sessions export: CSV needs --out")
    done = copilot("sessions", "export", "last", "--table", "nudges", database=database)
    assert done.returncode == 2 and "--table is for CSV" in done.stderr


def test_delete_removes_a_session_and_its_rows(analysed, tmp_path):
    database = tmp_path / "copy.sqlite3"
    source = sqlite3.connect(analysed[0])
    source.backup(target := sqlite3.connect(database))
    source.close()
    target.close()
    done = copilot("sessions", "delete", "last", "999", database=database)  # one of them is not there
    assert done.returncode == 2 and "999" in done.stderr
    assert len(list_sessions(open_database(database, create=False))) == 1  # so none was deleted
    assert copilot("sessions", "delete", "last", database=database).returncode == 0
    db = open_database(database, create=False)
    assert list_sessions(db) == []
    assert db.execute("SELECT count(*) FROM scores").fetchone()[0] == 0


def test_no_record_leaves_the_database_alone(shared_data, tmp_path):
    database = tmp_path / "untouched.sqlite3"
    done = copilot("analyze", str(shared_data / "pyfeat/single_face.mp4"), "--no-record", "--out",
                   str(tmp_path / "r.json"), database=database)
    assert done.returncode == 0, done.stderr
    assert not database.exists()


def test_markers_from_another_thread_are_recorded(tmp_path):
    from copilot.session.recorder import SessionRecorder

    recorder = SessionRecorder(tmp_path / "s.sqlite3", source_name="camera 0", source_kind="camera",
                               mode="presenter")
    marks = [threading.Thread(target=recorder.add_marker, args=(t, f"mark {t}")) for t in (1.5, 3.0)]
    for thread in marks:
        thread.start()
    for thread in marks:
        thread.join()
    recorder.close()
    data = load_session(open_database(tmp_path / "s.sqlite3"), recorder.session_id)
    assert [m["label"] for m in data.markers] == ["mark 1.5", "mark 3.0"]
    assert data.info.complete


CHILD = """
import sys
from copilot.capture.media_file import MediaFile
from copilot.engine.loop import Engine
from copilot.engine.analyzers import standard_analyzers
from copilot.session.recorder import SessionRecorder

source = MediaFile(sys.argv[1], pace=True)
recorder = SessionRecorder(sys.argv[2], source_name=source.name, source_kind="file", mode="practice")
def report(step):
    print(f"t {step.t:.3f}", flush=True)
Engine([source], standard_analyzers(), [recorder, report]).run()
"""


@pytest.mark.slow
def test_a_killed_recorder_loses_at_most_about_a_second(shared_data, tmp_path):
    database = tmp_path / "crash.sqlite3"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(shared_data / CLIP), str(database)],
                             stdout=subprocess.PIPE, text=True, cwd=REPO)
    last_t, deadline = 0.0, None
    for line in child.stdout:
        last_t = float(line.split()[1])
        if deadline is None:
            deadline = time.monotonic() + 5.0  # record a few seconds of a paced (real-time) run
        if time.monotonic() > deadline:
            break
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    child.stdout.close()
    assert child.returncode == -signal.SIGKILL and last_t > 3.0
    db = open_database(database, create=False)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    data = load_session(db, "last")
    stored = float(data.scores["p1"].t.max())
    print(f"killed at t={last_t:.2f} s, stored up to {stored:.2f} s: lost {last_t - stored:.2f} s")
    assert last_t - stored <= 1.1
    assert not data.info.complete and data.document["meta"]["complete"] is False


def test_a_live_sessions_json_export_keeps_its_nudges_marks_and_mode(tmp_path):
    """The JSON export must carry what a live session has beyond an analysis: before, a report
    made from it said "Nudges: None." and "analyze mode" for a practice session with two nudges."""
    from copilot.coach import Nudge
    from copilot.engine.step import Step
    from copilot.session.recorder import SessionRecorder

    database = tmp_path / "s.sqlite3"
    recorder = SessionRecorder(database, source_name="camera 0", source_kind="camera", mode="practice")
    for t, message in ((1.0, "Slow down a little"), (5.3, "Look at the camera")):
        step = Step(t=t, frame=None, audio={})
        step.results["coach"] = [Nudge(t, "rule", "you", message, "speaking_rate", 0.9)]
        recorder(step)
    recorder.add_marker(4.0, "good answer")
    recorder.close()

    exported, page = tmp_path / "e.json", tmp_path / "r.html"
    assert copilot("sessions", "export", "last", "--out", str(exported), database=database).returncode == 0
    document = json.loads(exported.read_text())
    validate(document)
    assert [n["message"] for n in document["nudges"]] == ["Slow down a little", "Look at the camera"]
    assert document["markers"] == [{"t": 4.0, "label": "good answer"}]
    assert document["meta"]["source"]["mode"] == "practice"
    done = copilot("report", str(exported), "--out", str(page), database=database)
    assert done.returncode == 0, done.stderr
    text = page.read_text()
    assert "Look at the camera" in text and "good answer" in text and "practice" in text
    shown = copilot("sessions", "show", "last", database=database).stdout
    assert "nudge       5.3 s  you  Look at the camera" in shown and "marker      4.0 s  good answer" in shown
