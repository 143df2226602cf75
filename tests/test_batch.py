"""The batch without Ray: which recordings, which are done, whose they are, the summary, and the
command line's one-line answers. Ray's own runs are in test_batch_ray.py."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from copilot.batch.driver import Outcome
from copilot.batch.figures import Figures
from copilot.batch.people import Team, load_team
from copilot.batch.plan import Call, content_hash, find_calls, longest_first, previous, probe, settings_key
from copilot.batch.summary import grouped, page, week
from copilot.errors import CopilotError
from copilot.session.library import list_sessions
from copilot.session.store import open_database

# The command line with Ray made unimportable, as on a machine without the [team] extra.
WITHOUT_RAY = ("import sys; sys.modules['ray'] = None; from copilot.cli import main; "
               "sys.exit(main(sys.argv[1:]))")


def copilot_without_ray(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", WITHOUT_RAY, *args], capture_output=True, text=True,
                          timeout=300)


def touch(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_recordings_are_found_through_subfolders_and_named_by_their_path_there(tmp_path):
    calls = tmp_path / "calls"
    for name in ("b/monday.wav", "a.mp4", "b/deep/tuesday.MKV", ".cache/c.mp4", "b/.partial.mp4",
                 "notes.txt"):
        touch(calls / name)
    alone = touch(tmp_path / "elsewhere" / "one.mp3")
    found = find_calls([calls, alone])
    assert [c.name for c in found] == ["a.mp4", "b/deep/tuesday.MKV", "b/monday.wav", "one.mp3"]
    assert found[0].result(tmp_path / "out") == tmp_path / "out" / "a.mp4.json"


@pytest.mark.parametrize(("layout", "says"), [
    ({"x/call.mp4": b"1", "y/call.mp4": b"2"}, "would both be written as call.mp4.json"),
    ({"empty/notes.txt": b""}, "no recordings in this folder"),
])
def test_a_batch_that_cannot_be_planned_is_refused_in_one_line_before_any_work(tmp_path, layout, says):
    for name, data in layout.items():
        touch(tmp_path / name, data)
    paths = sorted({tmp_path / name.split("/")[0] for name in layout})
    with pytest.raises(CopilotError, match=says) as raised:
        find_calls(paths)
    assert "\n" not in str(raised.value)
    with pytest.raises(CopilotError, match="no such file or folder"):
        find_calls([tmp_path / "missing"])


def test_a_result_is_reused_only_for_the_same_content_and_the_same_settings(tmp_path):
    recording = touch(tmp_path / "in" / "call.wav", b"RIFF and the rest")
    call = Call(recording, "call.wav", sha256=content_hash(recording))
    key = settings_key()
    assert key == settings_key() and len(key) == 16
    assert settings_key(words=False) != key  # a batch without words is another setting
    out = tmp_path / "out"
    touch(call.result(out), json.dumps({"meta": {"duration": 12.5, "errors": ["cut short"]},
                                        "batch": {"sha256": call.sha256, "settings": key,
                                                  "recorded": "2024-05-03"}}).encode())
    done = previous(call, out, key)
    assert done is not None and done["duration_s"] == 12.5 and done["errors"] == ["cut short"]
    assert previous(call, out, "another-setting") is None
    recording.write_bytes(b"RIFF and something else")  # the same name, another recording
    assert previous(Call(recording, "call.wav", sha256=content_hash(recording)), out, key) is None
    call.result(out).write_text("{ half a file")
    assert previous(call, out, key) is None


def test_workers_get_the_recordings_with_the_most_frames_first(shared_data):
    """Frames from the container's header (a 10 fps recording holds a third of a 30 fps one's per
    second); a recording with sound only has none and goes last, however long."""
    calls = []
    for name in ("whisper/jfk.flac", "reallife_trial_video/trial_truth_043.mp4", "liveportrait/d3.mp4"):
        duration, _, frames = probe(shared_data / name)
        calls.append(Call(shared_data / name, name, duration_s=duration, frames=frames))
    frames = {c.name: c.frames for c in calls}
    assert frames["whisper/jfk.flac"] == 0 and calls[0].duration_s > 10
    assert frames["liveportrait/d3.mp4"] > 100 and frames["reallife_trial_video/trial_truth_043.mp4"] > 100
    order = [c.name for c in longest_first(calls)]
    assert order[-1] == "whisper/jfk.flac"
    assert [frames[n] for n in order] == sorted(frames.values(), reverse=True)


def test_the_team_file_names_people_by_the_first_pattern_that_matches(tmp_path):
    team_file = touch(tmp_path / "team.toml", b'[people]\n"alice/*" = "Alice Martin"\n'
                                              b'"*-bob-*" = "Bob Stone"\n"*" = "Someone"\n')
    team = load_team(team_file)
    assert team.person("alice/2024/first.mp4") == "Alice Martin"
    assert team.person("calls/2024-bob-acme.mp4") == "Bob Stone"
    assert team.person("carol.mp4") == "Someone"
    assert Team().person("carol.mp4") == "carol.mp4"  # no team file: each call is its own row


@pytest.mark.parametrize(("text", "says"), [
    (b'[people\n"a" = "b"', "line 1"),
    (b'[people]\n"alice/*" = 3\n', "needs a [people] table"),
])
def test_a_team_file_that_does_not_read_is_one_line_naming_it(tmp_path, text, says):
    team_file = touch(tmp_path / "team.toml", text)
    with pytest.raises(CopilotError, match=re.escape(says)) as raised:
        load_team(team_file)
    assert str(team_file) in str(raised.value) and "\n" not in str(raised.value)


def test_people_and_weeks_add_up_by_time_not_by_call(tmp_path):
    def outcome(name: str, day: str, **figures) -> Outcome:
        return Outcome(Call(tmp_path / name, name, recorded=day), "analysed",
                       {"figures": Figures(**figures).to_json(), "session": 1})

    calls = [
        outcome("alice/long.mp4", "2024-05-06", duration_s=3600, state_s=3600, engaged_s=900, speaking_s=1800,
                syllables=7200, fillers=30, events={"confusion": 4, "interest": 1}),
        outcome("alice/short.mp4", "2024-05-13", duration_s=600, state_s=600, engaged_s=600, speaking_s=600,
                syllables=1200, fillers=0, events={"disagreement": 2}),
        outcome("bob/one.mp4", "2024-05-07", duration_s=60, events={"interest": 1}),
        Outcome(Call(tmp_path / "bad.mp4", "bad.mp4", recorded="2024-05-07"), "failed", reason="bad.mp4: x"),
    ]
    team = Team({"alice/*": "Alice", "bob/*": "Bob"})
    people = grouped(calls, lambda o: team.person(o.call.name))
    alice = people["Alice"]
    assert alice.calls == 2 and alice.duration_s == 4200
    assert alice.engaged == pytest.approx(1500 / 4200)  # not the mean of 25% and 100%
    assert alice.pace_syl_s == pytest.approx(8400 / 2400)
    assert alice.fillers_per_min == pytest.approx(30 / 40)
    assert alice.frequent() == [("confusion", 4), ("disagreement", 2), ("interest", 1)]
    assert people["Bob"].engaged is None  # nobody was seen: no share, not 0%
    assert list(grouped(calls, lambda o: week(o.call.recorded))) == ["2024-W19", "2024-W20"]
    html = page(calls, team)
    review = html[html.index("Calls to review first"):html.index("Every call")]
    assert review.index("alice/long.mp4") < review.index("alice/short.mp4")  # 4 events before 2
    assert "bob/one.mp4" not in review
    assert "bad.mp4: x" in html[html.index("Not analysed"):]


def test_without_ray_workers_is_one_line_saying_how_to_install_it(shared_data, tmp_path):
    done = copilot_without_ray("analyze", str(shared_data / "grid_lipnet/bbaf2n.mpg"), "--out-dir",
                               str(tmp_path / "out"), "--workers", "2")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "pip install -e '.[team]'" in done.stderr, done.stderr
    assert not (tmp_path / "out").exists()  # said before any work


@pytest.mark.timeout(600)
def test_without_ray_a_batch_is_analysed_here_one_file_after_another(shared_data, tmp_path):
    calls = tmp_path / "calls"
    for person, clip in (("alice", "grid_lipnet/bbaf2n.mpg"), ("bob", "whisper_timestamped/laugh1.mp3")):
        touch(calls / person / Path(clip).name, (shared_data / clip).read_bytes())
    team_file = touch(tmp_path / "team.toml", b'[people]\n"alice/*" = "Alice Martin"\n')
    out = tmp_path / "out"
    done = copilot_without_ray("analyze", str(calls), "--out-dir", str(out), "--team", str(team_file))
    assert done.returncode == 0, done.stderr
    assert "2 analysed" in done.stdout
    rows = list(csv.DictReader((out / "summary.csv").open()))
    assert [(r["call"], r["person"], r["status"]) for r in rows] == [
        ("alice/bbaf2n.mpg", "Alice Martin", "analysed"), ("bob/laugh1.mp3", "bob/laugh1.mp3", "analysed")]
    assert all(json.loads((out / r["result"]).read_text())["batch"]["session"] == int(r["session"])
               for r in rows)
    assert len(list_sessions(open_database(None, create=False))) == 2
    html = (out / "team.html").read_text()
    assert "Alice Martin" in html and "<svg" in html and "http" not in html.split("</style>")[0]


@pytest.mark.parametrize(("args", "says"), [
    (["a.mp4", "b.mp4"], "need --out-dir OUT"),
    (["a.mp4", "--workers", "2"], "--workers: for a batch; add --out-dir OUT"),
    (["a.mp4", "--out-dir", "out", "--out", "r.json"], "--out: for one recording"),
])
def test_options_of_one_recording_and_of_a_batch_do_not_mix(tmp_path, args, says):
    done = subprocess.run([sys.executable, "-m", "copilot", "analyze", *args], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and says in done.stderr, done.stderr
