"""The rules that score face behaviours against labels, and `copilot eval` reading them back.

Small labels files written here and observations given by hand: each rule of
copilot/evaluation/behaviours.py is checked without analysing any video.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from copilot.evaluation import behaviours as b
from copilot.evaluation.labels import LabelsError

LABELS = """clip = "clip.mp4"
split = "checking"
kinds = ["talking"]
notes = "A talking head that nods once, 2-4 s."
complete = ["nod", "head_shake"]

[[expect]]
behaviour = "nod"
start = 2.0
end = 4.0
why = "three down-up nods"

[[unsure]]
behaviour = "head_shake"
start = 6.0
end = 7.0
why = "a sway that may be a shake"

[[gaze]]
screen = "on"
start = 0.0
end = 1.0
why = "into the lens"

[[gaze]]
screen = "off"
start = 8.0
end = 9.0
why = "down at notes"
"""


def _labels(tmp_path: Path, text: str = LABELS) -> b.BehaviourLabels:
    path = tmp_path / "clip.toml"
    path.write_text(text, encoding="utf-8")
    return b.load_behaviour_labels(path)


def test_found_missed_false_and_excused_events(tmp_path):
    labels = _labels(tmp_path)
    observed = b.Observed(60.0, (
        ("nod", "p1", 4.3, 4.9),        # inside the 0.5 s tolerance of 2-4 s: found
        ("head_shake", "p1", 6.2, 6.8),  # in an unsure span: neither right nor false
        ("head_shake", "p1", 20.0, 21.0),  # complete behaviour, nothing labelled there: false
        ("nod", "p2", 30.0, 31.0),      # another face: not the labelled person's
    ), ())
    score = b.score_behaviours(labels, observed)
    assert (score.tallies["nod"].expected, score.tallies["nod"].found) == (1, 1)
    assert score.tallies["head_shake"].false_alarms == 1
    assert score.tallies["head_shake"].false_per_minute == pytest.approx(1.0)
    assert score.tallies["smile"].minutes == 0  # not labelled complete: no rate at all


def test_a_nod_outside_the_tolerance_is_a_miss_and_a_false_alarm(tmp_path):
    score = b.score_behaviours(_labels(tmp_path), b.Observed(60.0, (("nod", "p1", 4.6, 5.0),), ()))
    assert score.tallies["nod"].found == 0 and score.tallies["nod"].false_alarms == 1
    assert score.misses and score.false_alarms


def test_gaze_counts_the_labelled_frames_of_the_person_seen_most(tmp_path):
    screen = (*(("p1", t / 10, t < 5) for t in range(100)), ("p2", 0.5, False))
    score = b.score_behaviours(_labels(tmp_path), b.Observed(10.0, (), screen))
    # 0-1 s: 11 frames, 5 of them on (t < 0.5); 8-9 s: 11 frames, all off
    assert (score.gaze.frames, score.gaze.right) == (22, 16)


@pytest.mark.parametrize(("change", "message"), [
    (('split = "checking"', 'split = "later"'), "'split' is 'later'"),
    (('behaviour = "nod"', 'behaviour = "wave"'), "'behaviour' is 'wave'"),
    (('screen = "on"', 'screen = "yes"'), "'screen' must be"),
    (('complete = ["nod", "head_shake"]', 'complete = ["nodding"]'), "'complete' must be"),
    (("end = 4.0", "end = 1.0"), "must be after"),
])
def test_a_bad_labels_file_is_named_with_what_is_wrong(tmp_path, change, message):
    with pytest.raises(LabelsError, match=message) as raised:
        _labels(tmp_path, LABELS.replace(*change))
    assert "clip.toml" in str(raised.value)


def test_copilot_eval_scores_kept_observations_and_prints_both_halves(tmp_path):
    _labels(tmp_path)
    (tmp_path / "clip.behaviours.json").write_text(json.dumps(b.Observed(
        60.0, (("nod", "p1", 2.5, 3.5),), (("p1", 0.5, True), ("p1", 8.5, True))).to_json()),
        encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "copilot", "eval", str(tmp_path / "clip.toml"),
                          "--results", str(tmp_path), "--json"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    checking = json.loads(out.stdout)["halves"]["checking"]
    assert checking["nod"]["recall"] == 1.0 and checking["head_shake"]["false_alarms"] == 0
    assert checking["gaze"] == {"frames": 2, "right": 1, "share": 0.5}
    table = subprocess.run([sys.executable, "-m", "copilot", "eval", str(tmp_path),
                            "--results", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert "checking" in table.stdout and "gaze right" in table.stdout


def test_copilot_eval_with_no_clip_to_score_says_so_in_one_line(tmp_path):
    _labels(tmp_path)  # its clip.mp4 is not there
    out = subprocess.run([sys.executable, "-m", "copilot", "eval", str(tmp_path / "clip.toml"), "--json"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    [line] = out.stderr.strip().splitlines()
    assert line.startswith("copilot: error: none of the 1 labelled clips could be scored")
    [skipped] = json.loads(out.stdout)["skipped"]
    assert "clip.mp4 not found" in skipped and skipped in line
