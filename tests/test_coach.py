"""The coach: nudge rules from a readable file, holding for a duration, quiet for a cooldown."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from copilot.capture.media_file import MediaFile
from copilot.coach.coach import Coach, concerns
from copilot.coach.rules import DEFAULT_RULES_PATH, MODES, RulesError, load_rules, parse_rules
from copilot.engine.analyzers import standard_analyzers
from copilot.engine.loop import Engine
from copilot.engine.step import Step
from copilot.signals import SIGNALS
from copilot.signals.analyzer import SignalStep

RULE = """
[[rule]]
id = "confused"
mode = "presenter"
signal = "confusion"
whom = "room"
threshold = 0.6
duration_s = 2
cooldown_s = 10
message = "Pause and check understanding"
"""


def step(t: float, scores: dict[str, float]) -> Step:
    signals = SignalStep(t, scores={p: {name: scores.get(p, 0.0) for name in SIGNALS} for p in scores})
    return Step(t=t, frame=None, audio={}, results={"signals": signals})


def test_the_shipped_rules_parse_and_cover_every_mode():
    rules = load_rules()
    assert rules.problem is None and rules.source == DEFAULT_RULES_PATH
    assert {r.mode for r in rules.rules} == set(MODES)
    assert any(r.message == "Pause and check understanding" for r in rules.for_mode("presenter"))


def test_a_nudge_needs_its_duration_and_respects_its_cooldown(tmp_path):
    coach = Coach("presenter", load_rules(_write(tmp_path, RULE)))
    fired = []
    for k in range(0, 300):  # 30 s at 10 Hz: confused from 1 s to 4 s, again from 6 s on
        t = k / 10
        high = 1.0 <= t < 4.0 or t >= 6.0
        fired += coach.analyze(step(t, {"room": 0.8 if high else 0.2, "p1": 0.9, "p2": 0.7}))
    assert [(n.t, n.rule, n.participant) for n in fired] == [
        (3.0, "confused", "room"), (13.0, "confused", "room"), (23.0, "confused", "room")]
    assert fired[0].message == "Pause and check understanding" and fired[0].value == pytest.approx(0.8)


def test_whom_a_rule_is_about():
    assert concerns("room", "p1", "presenter", {"p1"})  # a lone face is the whole audience
    assert not concerns("room", "p1", "presenter", {"p1", "p2"})
    assert concerns("you", "p1", "practice", {"p1"}) and not concerns("you", "p1", "sales", {"p1"})
    assert concerns("them", "p2", "sales", {"p2"}) and not concerns("them", "you", "sales", set())


def test_a_rules_file_that_does_not_parse_names_the_line_and_the_defaults_are_used(tmp_path):
    broken = _write(tmp_path, RULE + '\n[[rule]]\nid = "b"\nmode = "sales"\nsignal = "skepticism"\n'
                                     'whom = "customer"\nthreshold = 0.5\nduration_s = 1\ncooldown_s = 1\n'
                                     'message = "m"\n')
    with pytest.raises(RulesError, match=r"line 12: whom 'customer'"):
        parse_rules(broken.read_text(), broken)
    loaded = load_rules(broken)
    assert loaded.source == DEFAULT_RULES_PATH and "line 12" in loaded.problem
    not_toml = _write(tmp_path, "[[rule]]\nid = \n")
    assert "line 2" in load_rules(not_toml).problem


def test_a_rules_file_with_the_old_eye_contact_measure_is_told_its_new_name(tmp_path):
    old = _write(tmp_path, RULE.replace('signal = "confusion"', 'signal = "eye_contact"'))
    with pytest.raises(RulesError, match="'eye_contact' is now called 'camera_gaze'"):
        parse_rules(old.read_text(), old)
    assert parse_rules(old.read_text().replace("eye_contact", "camera_gaze"), old)[0].signal == "camera_gaze"


def test_settings_overrides_switch_a_rule_off_and_move_its_threshold(tmp_path):
    rules = load_rules(_write(tmp_path, RULE), {"confused": {"threshold": 0.9}})
    assert rules.rules[0].threshold == 0.9
    assert load_rules(_write(tmp_path, RULE), {"confused": {"enabled": False}}).for_mode("presenter") == ()


def test_a_recording_of_someone_talking_to_an_off_camera_interviewer_gets_the_look_into_the_camera_nudge(
        shared_data):
    """trial_truth_001: a woman answering an interviewer beside the camera (see PROVENANCE.md)."""
    shipped = load_rules()
    eye = replace(next(r for r in shipped.rules if r.id == "you-camera-gaze"), threshold=0.5, duration_s=3)
    nudges = []
    engine = Engine([MediaFile(shared_data / "reallife_trial_video/trial_truth_001.mp4")],
                    standard_analyzers("practice", replace(shipped, rules=(eye,))),
                    [lambda s: nudges.extend(s.results["coach"])], lossless=True)
    engine.run()
    assert [(n.rule, n.participant) for n in nudges] == [("you-camera-gaze", "p1")]
    assert nudges[0].value <= 0.5 and nudges[0].t >= 5.0 + 3.0  # 5 s of gaze, then held for 3 s


def _write(folder: Path, text: str) -> Path:
    path = folder / f"rules{len(list(folder.iterdir()))}.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(("change", "said"), [
    ('below = "false"', "`below` is true or false (no quotes), not 'false'"),
    ('enabled = "no"', "`enabled` is true or false (no quotes), not 'no'"),
    ("threshold = nan", "`threshold` must be a number, not nan"),
    ("duration_s = -2", "`duration_s` must be a number of seconds, 0 or more, not -2"),
    ("cooldown_s = inf", "`cooldown_s` must be a number of seconds, 0 or more, not inf"),
    ('message = "  "', "the rule's `message` is empty; it is what the nudge says"),
])
def test_a_rule_with_a_wrong_value_is_refused_by_line_not_read_upside_down(tmp_path, change, said):
    key = change.split(" =")[0]
    lines = [line for line in RULE.strip().splitlines() if not line.startswith(f"{key} =")]
    path = _write(tmp_path, "\n".join([*lines, change]) + "\n")
    with pytest.raises(RulesError) as caught:
        parse_rules(path.read_text(), path)
    assert str(caught.value) == f"{path}, line 1: {said}"
    assert said in load_rules(path).problem  # and the app falls back to the shipped nudges


def test_a_misspelt_rule_header_is_named_not_read_as_no_rules(tmp_path):
    path = _write(tmp_path, RULE.replace("[[rule]]", "[[rules]]"))
    with pytest.raises(RulesError, match=r"unknown table or key .rules.; each rule goes under a \[\[rule"):
        parse_rules(path.read_text(), path)
