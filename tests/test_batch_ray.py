"""`copilot analyze ... --out-dir` on a real local Ray runtime with 2 workers, on real recordings.

One runtime serves the whole module (it takes seconds to start on two cores); the command
line runs join it with --ray-address, as they would join a cluster.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from copilot.batch.run import run_batch
from copilot.session.library import list_sessions, load_session
from copilot.session.store import open_database

ray = pytest.importorskip("ray", reason="Ray is the optional [team] extra: pip install -e '.[team]'")

# Short real clips: speech with a face (GRID), a laugh with no picture, a speaker on camera.
# laugh1.mp3 comes before 3.mp4 on purpose: read in one process, it changed 3.mp4's words.
CLIPS = ("grid_lipnet/bbaf2n.mpg", "whisper_timestamped/laugh1.mp3", "video_retalking/3.mp4")
LONG_CLIP = "face_recognition/short_hamilton_clip.mp4"  # 10 s: most likely still being analysed when stopped
# What differs between two runs of the same batch whoever runs it: the session each run records,
# the worker that analysed the file, how long that took and the CPU it cost. Nothing else may.
RUN_SPECIFIC = ("session", "worker", "seconds", "cpu_seconds")
TEST_OBJECT_STORE_BYTES = 80 << 20  # Ray's least is 75 MB; these results are a few kilobytes


@pytest.fixture(scope="module")
def ray_address():
    ray.init(num_cpus=2, include_dashboard=False, object_store_memory=TEST_OBJECT_STORE_BYTES,
             log_to_driver=False, logging_level=logging.ERROR)
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


def copilot(*args: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "copilot", *args], capture_output=True, text=True,
                          timeout=300, **options)


def results(out: Path) -> dict[str, dict]:
    return {p.relative_to(out).as_posix(): json.loads(p.read_text()) for p in sorted(out.rglob("*.json"))}


def without_run_specific(document: dict) -> dict:
    return {**document, "batch": {k: v for k, v in document["batch"].items() if k not in RUN_SPECIFIC}}


def truncated_copy(source: Path, target: Path) -> Path:
    """The first half of an mp4 whose index sits at its end: it cannot be opened at all."""
    data = source.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    return target


@pytest.mark.timeout(900)
def test_two_ray_workers_give_the_results_of_the_sequential_run(ray_address, shared_data, tmp_path):
    clips = [shared_data / name for name in CLIPS]
    on_ray, here = tmp_path / "ray", tmp_path / "here"
    scratch = lambda: tmp_path / "scratch.sqlite3"  # noqa: E731
    assert run_batch(clips, on_ray, workers=2, scratch=scratch) == 0
    assert run_batch(clips, here, scratch=scratch, use_ray=False) == 0

    by_ray, by_here = results(on_ray), results(here)
    assert sorted(by_ray) == sorted(f"{p.name}.json" for p in clips)
    assert {name: without_run_specific(d) for name, d in by_ray.items()} == \
           {name: without_run_specific(d) for name, d in by_here.items()}
    assert all(d["batch"]["cpu_seconds"] > 0 for d in [*by_ray.values(), *by_here.values()])
    workers = {d["batch"]["worker"] for d in by_ray.values()}
    assert len(workers) == 2 and not any(w.endswith(f":{os.getpid()}") for w in workers)
    assert {d["batch"]["worker"] for d in by_here.values()} == {f"{os.uname().nodename}:{os.getpid()}"}

    # ... and those of `copilot analyze FILE` alone, whose process read nothing before it
    single = tmp_path / "single.json"
    done = copilot("analyze", str(clips[2]), "--out", str(single), "--no-record")
    assert done.returncode == 0, done.stderr
    batch_result = dict(by_ray["3.mp4.json"])
    del batch_result["batch"]
    assert json.loads(single.read_text()) == batch_result

    # Each run recorded its sessions through the driver, rows and all, and only those.
    db = open_database(None, create=False)
    assert len(list_sessions(db)) == 2 * len(clips)
    seen = load_session(db, by_ray["bbaf2n.mpg.json"]["batch"]["session"])
    assert seen.scores and seen.cue_events  # the worker's rows crossed to the one writer
    assert by_ray["bbaf2n.mpg.json"]["batch"]["figures"]["speaking_s"] > 0


def test_workers_share_the_runtimes_cores_out(ray_address):
    from copilot.batch.run_ray import cores_each  # imports Ray, an optional extra

    assert [cores_each(n) for n in (1, 2, 3)] == [2, 1, 1]  # the module's runtime has 2 CPUs


@pytest.mark.timeout(600)
def test_a_corrupt_file_among_good_ones_is_named_once_and_the_others_finish(ray_address, shared_data,
                                                                           tmp_path):
    broken = truncated_copy(shared_data / "video_retalking/5.mp4", tmp_path / "broken.mp4")
    out = tmp_path / "out"
    done = copilot("analyze", str(shared_data / CLIPS[0]), str(broken), str(shared_data / CLIPS[1]),
                   "--out-dir", str(out), "--ray-address", ray_address, "--workers", "2")
    assert done.returncode == 1, done.stderr
    said = [line for line in done.stderr.splitlines() if "broken.mp4" in line]
    assert len(said) == 1 and said[0].startswith(f"copilot: error: {broken}: "), done.stderr
    assert sorted(results(out)) == ["bbaf2n.mpg.json", "laugh1.mp3.json"]
    rows = (out / "summary.csv").read_text().splitlines()
    assert [row.split(",")[4] for row in rows[1:]] == ["analysed", "failed", "analysed"]
    assert "not a readable media file" in rows[2]
    assert "1 failed" in done.stdout and "2 analysed" in done.stdout


@pytest.mark.timeout(900)
def test_a_batch_stopped_with_ctrl_c_keeps_what_it_finished_and_goes_on_from_there(ray_address, shared_data,
                                                                                  tmp_path):
    clips = [str(shared_data / LONG_CLIP), *(str(shared_data / name) for name in CLIPS)]
    out = tmp_path / "out"
    command = [sys.executable, "-m", "copilot", "analyze", *clips, "--out-dir", str(out),
               "--ray-address", ray_address, "--workers", "2"]
    # A shell runs a background job (`pytest ... &`, nohup) with Ctrl+C ignored, and a child keeps an
    # ignored signal ignored: started from such a run, the batch rightly never heard it. A command
    # typed at a terminal starts with Ctrl+C at its default, which is what this test is about; a
    # handler set here (not an ignore) is reset to the default in the child.
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        batch = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    finally:
        signal.signal(signal.SIGINT, before)
    try:
        deadline = time.monotonic() + 240
        while not list(out.glob("*.json")) and batch.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        running = batch.poll() is None
        batch.send_signal(signal.SIGINT)  # what Ctrl+C sends
        stdout, stderr = batch.communicate(timeout=120)
    finally:
        with contextlib.suppress(ProcessLookupError):
            batch.kill()
    assert running, f"the batch ended before it could be stopped: {stdout}{stderr}"
    assert batch.returncode == 130, f"{stdout}{stderr}"
    assert "copilot: interrupted" in stderr
    finished = results(out)
    # stopped as the first result came: two workers cannot have finished the other three by then
    assert 0 < len(finished) < len(clips)
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]  # no half-written file
    kept = {name: (out / name).stat().st_mtime_ns for name in finished}
    statuses = [row.split(",")[4] for row in (out / "summary.csv").read_text().splitlines()[1:]]
    assert statuses.count("analysed") == len(finished) and "not analysed" in statuses

    again = copilot(*command[3:])
    assert again.returncode == 0, again.stderr
    assert f"{len(finished)} done before" in again.stdout
    assert sorted(results(out)) == sorted(f"{Path(c).name}.json" for c in clips)
    assert {name: (out / name).stat().st_mtime_ns for name in finished} == kept  # not analysed again
    assert len(list_sessions(open_database(None, create=False))) == len(clips)  # each recorded once
