"""The labelled set: synthetic scenarios label themselves from their script; `copilot eval` runs end to end.

The end-to-end checks assert the shape and counts of the report, never F1 values: those
measure the signal engine, which changes on its own schedule. The whole set runs in the
`slow` test and prints the table (see tests/scenarios/README.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from speech import tools_missing

from copilot.evaluation.labels import load_labels, signal_types

sys.path.insert(0, str(Path(__file__).parent))
from scenarios.synth.render import FPS, generate, speech_track
from scenarios.synth.scenarios import SCENARIOS, by_name
from scenarios.synth.script import derive_labels

REAL = Path(__file__).parent / "scenarios" / "real"
pytestmark = pytest.mark.skipif(tools_missing() is not None, reason=f"speech: {tools_missing()}")


@pytest.fixture(scope="module")
def nodding(tmp_path_factory) -> Path:
    return generate(tmp_path_factory.mktemp("synth"), (by_name("nodding_yes"),))[0]


def test_there_are_enough_scenarios_covering_each_behaviour():
    assert len(SCENARIOS) >= 8 and all(8 <= s.duration_s <= 15 for s in SCENARIOS)
    kinds = {m.kind for s in SCENARIOS for m in s.moves} | {line.kind for s in SCENARIOS for line in s.lines}
    assert {"nod", "shake", "away", "down", "leave", "still", "backchannel", "filler", "answer"} <= kinds
    for scenario in SCENARIOS:  # the moves tile the clip with no gap
        ends = [m.start for m in scenario.moves[1:]] + [scenario.duration_s]
        assert scenario.moves[0].start == 0 and [m.end for m in scenario.moves] == ends


def test_a_generated_scenarios_labels_follow_its_script(nodding):
    import av

    scenario = by_name("nodding_yes")
    labels = load_labels(nodding)
    assert labels.clip == "nodding_yes.mp4" and labels.notes == scenario.notes
    nods = [(m.start, m.end) for m in scenario.moves if m.kind == "nod"]
    agreement = [(s.start, s.end) for s in labels.expect if s.signal == "agreement"]
    assert agreement == nods  # each backchannel falls inside a nod, so the spans merge
    _, ends = speech_track(scenario)
    for line, end in zip(scenario.lines, ends, strict=True):
        assert any(s <= line.start and end <= e for s, e in agreement)
        assert 0.15 < end - line.start < 1.5  # a real spoken word, not silence or a whole sentence
    shakes = [s for s in labels.absent if s.signal == "disagreement"]
    assert [(s.start, s.end) for s in shakes] == [(0.0, scenario.duration_s)]
    with av.open(str(nodding.with_suffix(".mp4"))) as clip:
        video, audio = clip.streams.video[0], clip.streams.audio[0]
        assert video.average_rate == FPS and audio.codec_context.name == "aac"
        assert float(clip.duration / 1e6) == pytest.approx(scenario.duration_s, abs=0.15)


def test_hesitation_runs_from_the_first_filler_to_the_answer():
    scenario = by_name("hesitant_answer")
    _, ends = speech_track(scenario)
    labels = derive_labels(scenario, ends)
    [hesitation] = [x for x in labels.expect if x.signal == "hesitation"]
    fillers = [line for line in scenario.lines if line.kind == "filler"]
    answer = next(line for line in scenario.lines if line.kind == "hedged")
    assert (hesitation.start, hesitation.end) == (fillers[0].start, answer.start)
    fluent = derive_labels(by_name("fluent_answer"), speech_track(by_name("fluent_answer"))[1])
    assert not [x for x in fluent.expect if x.signal == "hesitation"]
    assert [x for x in fluent.absent if x.signal == "hesitation"]
    assert [x.signal for x in derive_labels(by_name("leaves_frame"), []).expect] == ["disengagement"]


def _eval(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "copilot", "eval", *args], capture_output=True, text=True,
                          timeout=600)


def _rows(table: str) -> dict[str, list[str]]:
    return {line.split()[0]: line.split() for line in table.splitlines() if line.split()}


def test_eval_runs_a_real_and_a_synthetic_clip_end_to_end(shared_data, nodding, tmp_path):
    real = REAL / "head_nodding.toml"
    done = _eval(str(real), str(nodding), "--out-dir", str(tmp_path))
    assert done.returncode == 0, done.stderr
    rows = _rows(done.stdout)
    assert "Scored 2 clip(s), skipped 0" in done.stdout
    assert all(name in rows for name in signal_types())
    expected = sum(len(load_labels(p).expect) for p in (real, nodding))
    assert int(rows["all"][1]) == expected
    assert int(rows["agreement"][1]) == 3  # one real nodding span, two scripted nod stretches
    assert int(rows["agreement"][2]) <= 3 and int(rows["all"][3]) >= int(rows["all"][4])
    assert sorted(p.name for p in tmp_path.glob("*.json")) == ["head_nodding.json", "nodding_yes.json"]


@pytest.mark.slow
def test_the_whole_labelled_set(shared_data, tmp_path):
    synth = generate(tmp_path / "synth", SCENARIOS)
    done = _eval(str(REAL), *map(str, synth), "--out-dir", str(tmp_path / "results"))
    print("\n" + done.stdout)
    assert done.returncode == 0, done.stderr
    assert f"Scored {len(synth) + len(list(REAL.glob('*.toml')))} clip(s)" in done.stdout
    # a listener who slides out of a continuous shot (no cut) has left: disengaged, and said why
    left = json.loads((tmp_path / "results" / "leaves_frame.json").read_text())["signals"]
    assert [e for e in left if e["type"] == "disengagement" and e["start"] >= 3.0
            and "Left the picture" in e["rationale"]]
