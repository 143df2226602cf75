"""`copilot` as a user runs it: in a subprocess, reading its output and exit code."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from media import make_clip, make_cut_clip, make_damaged_clip

from copilot.result.document import validate


def copilot(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "copilot", *args], capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.parametrize(("name", "seconds"), [
    ("noddingpigeon/head_nodding.mp4", 9.0),   # video only
    ("grid_lipnet/bbaf2n.mpg", 3.0),           # MPEG-1 with speech
    ("pyfeat/face_noface.mov", 6.4),           # HEVC, audio starting late
    ("whisper/jfk.flac", 11.0),                # audio only
])
def test_analyze_writes_a_valid_document_whose_duration_matches(shared_data, tmp_path, name, seconds):
    out = tmp_path / "result.json"
    done = copilot("analyze", str(shared_data / name), "--out", str(out))
    assert done.returncode == 0, done.stderr
    document = json.loads(out.read_text())
    validate(document)
    assert document["meta"]["duration"] == pytest.approx(seconds, abs=0.1)
    assert document["meta"]["steps"] > 0
    assert "status" not in document["meta"]  # the signals are computed, nothing is pending
    assert document["conversation_quality"]["timeline"]  # at least one period
    people = {p["id"] for p in document["participants"]}
    # a face seen for less than an engagement state's evidence (face_noface's 1.4 s as a
    # participant) has no state said of it (issue 19); anyone seen or heard longer has one
    stated = {s["participant"] for s in document["engagement_state"]}
    lasting = {p["id"] for p in document["participants"] if p["last_seen"] - p["first_seen"] > 3.0}
    assert people and lasting <= stated <= people
    ends = [e["end"] for e in document["signals"]] + [s["end"] for s in document["engagement_state"]]
    assert max(ends, default=0.0) <= document["meta"]["duration"]  # nothing ends after the analysed time
    assert done.stderr == ""  # no progress bar when stderr is not a terminal


def test_no_words_analyses_faces_and_voices_without_a_transcript(shared_data, tmp_path):
    """`--no-words`, for speech the English-only model cannot read: no transcript, the rest as ever."""
    out = tmp_path / "result.json"
    done = copilot("analyze", str(shared_data / "grid_lipnet/bbaf2n.mpg"), "--out", str(out), "--no-record",
                   "--no-words")
    assert done.returncode == 0, done.stderr
    document = json.loads(out.read_text())
    validate(document)
    assert "transcript" not in document and document["conversation"][0]["talk_s"] > 1.0
    assert any(p["by"] == "face" for p in document["participants"])


def test_nothing_ends_after_the_documents_duration(shared_data, tmp_path):
    """AAC in an .m4a: the last sound hop ends a few ms after the container's stated duration."""
    import av

    talk = tmp_path / "talk.m4a"
    with av.open(str(shared_data / "ravdess_audio/03-01-05-02-01-01-01.wav")) as source, \
            av.open(str(talk), "w") as out:
        stream = out.add_stream("aac", rate=48_000)
        for frame in source.decode(audio=0):
            frame.pts = None
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    done = copilot("analyze", str(talk), "--out", str(tmp_path / "r.json"))
    assert done.returncode == 0, done.stderr
    document = json.loads((tmp_path / "r.json").read_text())
    ends = [e["end"] for e in document["signals"]] + [s["end"] for s in document["engagement_state"]]
    assert ends and max(ends) <= document["meta"]["duration"]


def test_analyze_prints_to_stdout_without_out(tmp_path):
    clip = make_clip(tmp_path / "clip.webm", seconds=0.5)
    done = copilot("analyze", str(clip))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["meta"]["source"]["has_video"] is True


def test_bad_files_give_one_line_and_a_nonzero_exit(tmp_path):
    import wave

    garbage = tmp_path / "minutes.mp4"
    garbage.write_text("not a video")
    with wave.open(str(tmp_path / "empty.wav"), "wb") as empty:  # a header and no samples
        empty.setnchannels(1), empty.setsampwidth(2), empty.setframerate(16000)
    folder = tmp_path / "holiday.jpg"  # a folder with an image's name
    folder.mkdir()
    for command, out in (("analyze", tmp_path / "r.json"), ("cues", tmp_path / "c.jsonl")):
        for path, reason in [(tmp_path / "absent.mkv", "no such file"),
                             (garbage, "not a readable media file"),
                             (tmp_path / "empty.wav", "nothing to analyse"),
                             *([(folder, "is a folder, not an image")] if command == "cues" else [])]:
            done = copilot(command, str(path), "--out", str(out))
            assert done.returncode == 2, (command, path)
            lines = done.stderr.strip().splitlines()
            assert len(lines) == 1 and path.name in lines[0] and reason in lines[0], (command, lines)
            assert "Traceback" not in done.stderr
            assert not out.exists()


def test_two_options_naming_one_file_or_a_preview_that_is_no_video_stop_before_any_work(tmp_path):
    clip = make_clip(tmp_path / "clip.webm", seconds=0.3)
    same = tmp_path / "same.json"
    done = copilot("analyze", str(clip), "--out", str(same), "--report", str(same))
    assert done.returncode == 2
    assert done.stderr.strip() == f"copilot: error: --out and --report both name {same}: each output " \
                                  "needs a file of its own"
    kept = tmp_path / "c.jsonl"
    kept.write_text("an earlier run\n")
    done = copilot("cues", str(clip), "--out", str(kept), "--preview", str(tmp_path / "preview.txt"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == f"copilot: error: --preview {tmp_path / 'preview.txt'}: the preview is a " \
                                  "video; name it .mp4 or .mkv or .mov"
    assert kept.read_text() == "an earlier run\n" and not same.exists()


def test_an_output_that_cannot_be_written_is_named_in_one_line(tmp_path):
    clip = make_clip(tmp_path / "clip.webm", seconds=0.3)
    folder = tmp_path / "taken"
    folder.mkdir()
    done = copilot("cues", str(clip), "--out", str(folder))  # a folder where the file should go
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(folder) in lines[0] and "internal error" not in lines[0]
    nested = tmp_path / "new" / "cues.jsonl"  # a missing folder is made, as for analyze --out
    assert copilot("cues", str(clip), "--out", str(nested)).returncode == 0
    assert nested.read_text().strip()


@pytest.mark.parametrize("option", ["--out", "--report"])
def test_analyze_checks_its_outputs_before_analysing(tmp_path, option):
    """A folder where the file should go is named at once, and no session is left behind."""
    import os

    clip = make_clip(tmp_path / "clip.webm", seconds=0.3)
    folder = tmp_path / "taken"
    folder.mkdir()
    done = copilot("analyze", str(clip), option, str(folder))
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == f"copilot: error: {folder}: is a folder, not a file"
    assert not Path(os.environ["COPILOT_DATABASE"]).exists()  # nothing was recorded
    assert sorted(p.name for p in folder.iterdir()) == []  # and no hidden file was left in it


def test_a_file_that_stops_decoding_part_way_keeps_what_came_before_and_exits_1(tmp_path):
    cut = make_cut_clip(tmp_path / "cut.mp4")
    for command, out in (("cues", tmp_path / "cues.jsonl"), ("analyze", tmp_path / "result.json")):
        done = copilot(command, str(cut), "--out", str(out))
        assert done.returncode == 1, (command, done.stderr)
        said = re.search(r"copilot: error: \S*cut\.mp4: ends at [\d.]+ s, though its header says 3\.0 s: "
                         r"the file is cut short", done.stderr)
        assert said, done.stderr
        assert out.read_text().strip(), command  # the frames before the cut are written


def test_a_damaged_packet_is_a_warning_in_the_result_not_a_failure(tmp_path):
    damaged, at = make_damaged_clip(tmp_path / "glitch.mp4", at_s=1.5)
    out = tmp_path / "r.json"
    done = copilot("analyze", str(damaged), "--out", str(out), "--no-record")
    assert done.returncode == 0, done.stderr
    said = f"{damaged}: skipped 1 damaged audio packet (at {at:.1f} s)"
    assert done.stderr.strip().splitlines() == [f"copilot: warning: {said}"]  # once, and nothing else
    meta = json.loads(out.read_text())["meta"]
    assert meta["warnings"] == [said] and "errors" not in meta
    assert meta["duration"] == pytest.approx(3.0, abs=0.1)


def test_a_database_that_cannot_be_used_costs_the_record_not_the_result(tmp_path, monkeypatch):
    clip = make_clip(tmp_path / "clip.webm", seconds=0.5)
    database = tmp_path / "sessions.sqlite3"
    database.write_bytes(b"not a database, and must stay so" * 50)
    before = database.read_bytes()
    monkeypatch.setenv("COPILOT_DATABASE", str(database))
    out, report = tmp_path / "r.json", tmp_path / "r.html"
    done = copilot("analyze", str(clip), "--out", str(out), "--report", str(report))
    assert done.returncode == 0, done.stderr
    said = f"copilot: warning: this analysis is not recorded: {database}: not a session database"
    assert said in done.stderr
    assert json.loads(out.read_text())["meta"]["steps"] > 0
    assert report.stat().st_size > 10_000  # the report, made from a scratch database
    assert database.read_bytes() == before


def test_verbose_shows_the_traceback(tmp_path):
    done = copilot("--verbose", "analyze", str(tmp_path / "absent.mkv"))
    assert done.returncode == 2 and "Traceback" in done.stderr


def test_help_lists_the_commands():
    done = copilot("--help")
    assert done.returncode == 0 and "analyze" in done.stdout


def launcher(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The `copilot` console script, which starts the app or hands over to the engine's CLI."""
    return subprocess.run([sys.executable, "-m", "ui.launcher", *args], capture_output=True, text=True,
                          timeout=60, env=env)


def test_the_copilot_script_lists_the_app_among_its_commands():
    done = launcher("--help")
    assert done.returncode == 0, done.stderr
    assert re.search(r"^\s+app\s+start the desktop app", done.stdout, re.MULTILINE), done.stdout
    assert "analyze" in done.stdout


def test_analyze_help_points_to_what_ships_with_it():
    """Issue 19: it pointed to DESIGN.md, which is not in the repository."""
    done = copilot("analyze", "--help")
    assert done.returncode == 0 and "DESIGN.md" not in done.stdout
    for named in re.findall(r"[\w/.]+\.(?:json|md)", done.stdout):
        assert (Path(__file__).parents[1] / named).is_file(), named


@pytest.mark.parametrize("display", [None, ":57"])  # none at all; one with no X server behind it
def test_without_a_display_the_app_says_so_instead_of_aborting(display):
    """Issue 19: Qt aborted (rc 134) and blamed libxcb-cursor0, which was installed."""
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    if display is not None:
        env["DISPLAY"] = display
    done = launcher("app", "--source", "clip.mp4", env=env)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("copilot: error: no screen to show the window on")
    assert "xcb" not in done.stderr and len(done.stderr.splitlines()) == 1


def test_analyze_says_what_it_wrote_when_nobody_watches_a_terminal(tmp_path):
    """Issue 19: with --out and no terminal (so no progress bar) it printed nothing at all."""
    clip = make_clip(tmp_path / "clip.webm", seconds=0.5)
    done = copilot("analyze", str(clip), "--out", str(tmp_path / "r.json"), "--no-record")
    assert done.returncode == 0, done.stderr
    said = r"analysed 0.5 s of clip.webm: \d+ (person|people), \d+ signal events?; wrote "
    assert re.match(said, done.stdout), done.stdout
    assert str(tmp_path / "r.json") in done.stdout


def test_devices_says_plainly_what_is_missing():
    done = copilot("devices")
    assert done.returncode == 0, done.stderr
    assert "Cameras:" in done.stdout and "System audio" in done.stdout
    if not list(Path("/sys/class/video4linux").glob("video*")):
        assert "No camera found." in done.stdout


def test_bench_reports_medians_per_stage_as_json(shared_data):
    clip = shared_data / "grid_lipnet/bbaf2n.mpg"
    done = copilot("bench", str(clip), "--repeats", "1", "--voice-seconds", "5", "--captions", "--json",
                   timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["provider"].endswith("ExecutionProvider")
    figures = report["clips"][clip.name]
    assert figures["decode"]["frames"] == 75 and figures["decode"]["fps"] > 0
    assert set(figures["pipeline"]["stage_ms"]) >= {"faces", "face_cues", "voice"}
    # the whole step is a median like its parts, and no smaller than the cheapest of them
    assert figures["pipeline"]["ms_per_step"] >= min(figures["pipeline"]["stage_ms"].values())
    assert figures["pipeline"]["wall_over_duration"] > 0
    now, before = figures["faces"]["now"], figures["faces"]["before"]  # the same frames, both pipelines
    assert now["faces"] == before["faces"] == 1 and now["landmarks_ms"] > 0 and before["iris_ms"] > 0
    assert 0 < now["cuts_ms"] < now["landmarks_ms"]
    assert ("mediapipe" in figures["faces"]) == (report["mediapipe"] is not None)
    live = figures["live"]  # played at pace: every analysed frame's delay, delivered to results
    assert live["frames"] > 0 and 0 < live["latency_median_ms"] <= live["latency_p95_ms"]
    assert figures["face_cues"]["cues_ms_per_face_median"] > 0
    assert figures["pipeline"]["transcription_rtf"] > 0  # printed, not bounded: it depends on the load
    captions = figures["captions"]  # the clip's one sentence, played at pace with live words
    assert captions["captions"] >= 1 and 0 < captions["delay_median_s"] <= captions["delay_p95_s"]
    assert 0 < report["voice"]["real_time_factor"] < 1
    assert report["signals"]["ms_per_step_6_participants"] > 0


def test_bench_says_plainly_that_a_sound_file_has_no_video_to_measure(tmp_path):
    talk = make_clip(tmp_path / "talk.mkv", seconds=0.5, video=False)
    done = copilot("bench", str(talk), "--repeats", "1", "--voice-seconds", "0")
    assert done.returncode == 2
    assert done.stderr.strip().startswith(f"copilot: error: {talk}: has no video;"), done.stderr


def test_bench_states_what_each_further_face_costs():
    from copilot.commands.bench import further_face_ms

    one = {"faces": 1.0, "total_ms": 4.5}
    four = {"faces": 4.0, "total_ms": 11.4}
    assert further_face_ms([four, one]) == 2.3
    assert further_face_ms([one]) is None
    assert further_face_ms([one, dict(one)]) is None  # no difference in faces, no slope
    missed = {"faces": 2.0, "total_ms": 6.0}  # MediaPipe found only two of the four faces
    assert further_face_ms([one, missed], expected=[1.0, 4.0]) is None
