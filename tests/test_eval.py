"""Scoring for `copilot eval`, on scripted predictions: the metric code, not the engine's quality."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from copilot.cli import main
from copilot.evaluation.labels import LabelsError, clip_path, load_labels, signal_types
from copilot.evaluation.scoring import Predicted, score_clip, total

SIGNALS = signal_types()
LABELS = """
clip = "clip.mp4"
notes = "a listener nods, then shakes the head"
{complete}

[[expect]]
signal = "agreement"
participant = "p1"
start = 2.0
end = 5.0
why = "nods"

[[expect]]
signal = "disagreement"
start = 8.0
end = 10.0
why = "shakes"

[[absent]]
signal = "agreement"
start = 6.0
end = 12.0
why = "no nods after 6 s"

[[absent]]
signal = "*"
start = 0.0
end = 1.0
why = "nothing has happened yet"
"""


def _labels(tmp_path: Path, complete: str = "", text: str = LABELS) -> Path:
    path = tmp_path / "clip.toml"
    path.write_text(text.format(complete=complete), encoding="utf-8")
    return path


def _score(tmp_path, events, complete=""):
    score = score_clip(load_labels(_labels(tmp_path, complete)), events, SIGNALS)
    return score, total([score], SIGNALS)


def test_twelve_signals_come_from_the_output_contract():
    assert len(SIGNALS) == 12 and {"agreement", "hesitation", "engagement"} <= set(SIGNALS)


def test_perfect_predictions_score_one(tmp_path):
    events = [Predicted("agreement", 2.4, 5.2, "p1"), Predicted("disagreement", 8.5, 9.9)]
    _, counts = _score(tmp_path, events)
    for name in ("agreement", "disagreement"):
        assert (counts[name].precision, counts[name].recall, counts[name].f1) == (1.0, 1.0, 1.0)
    assert counts["agreement"].onset_delay_s == pytest.approx(0.4)
    assert counts["confusion"].f1 is None and counts["confusion"].precision is None


def test_a_missed_span_costs_recall_and_nothing_fired_gives_f1_zero(tmp_path):
    _, counts = _score(tmp_path, [Predicted("agreement", 2.0, 3.0, "p1")])
    assert counts["disagreement"].recall == 0.0 and counts["disagreement"].f1 == 0.0
    assert counts["disagreement"].precision is None


def test_a_firing_in_an_absent_span_is_a_false_alarm(tmp_path):
    events = [Predicted("agreement", 2.0, 4.0, "p1"), Predicted("agreement", 8.0, 9.0),
              Predicted("stress", 0.2, 0.6)]
    score, counts = _score(tmp_path, events)
    assert counts["agreement"].right == 1 and counts["agreement"].false_alarms == 1
    assert counts["agreement"].precision == 0.5 and counts["agreement"].f1 == pytest.approx(2 / 3)
    assert counts["stress"].false_alarms == 1  # the "*" span covers every signal
    assert [f.outcome for f in score.findings if f.signal == "agreement"] == ["found", "false_alarm"]


def test_unlabelled_stretches_count_only_when_the_clip_is_complete_for_that_signal(tmp_path):
    stray = [Predicted("disagreement", 14.0, 15.0), Predicted("hesitation", 3.0, 4.0)]
    _, counts = _score(tmp_path, stray)
    assert counts["disagreement"].false_alarms == 0 and counts["disagreement"].unscored == 1
    _, counts = _score(tmp_path, stray, 'complete = ["disagreement"]')
    assert counts["disagreement"].false_alarms == 1 and counts["hesitation"].unscored == 1
    _, counts = _score(tmp_path, stray, 'complete = ["*"]')
    assert counts["hesitation"].false_alarms == 1


def test_matching_allows_the_tolerance_and_respects_the_participant(tmp_path):
    late = Predicted("agreement", 5.8, 7.0, "p1")  # starts 0.8 s after the span ends
    _, counts = _score(tmp_path, [late])
    assert counts["agreement"].found == 1 and counts["agreement"].onset_delay_s == pytest.approx(3.8)
    _, counts = _score(tmp_path, [Predicted("agreement", 2.0, 5.0, "p2")])  # the wrong person
    assert counts["agreement"].found == 0
    _, counts = _score(tmp_path, [Predicted("disagreement", 6.5, 7.2, "p7")])  # no participant named
    assert counts["disagreement"].found == 1 and counts["disagreement"].onset_delay_s == pytest.approx(-1.5)


def test_onset_delay_is_the_median_over_found_spans(tmp_path):
    spans = "".join(f'\n[[expect]]\nsignal = "hesitation"\nstart = {s}\nend = {s + 1}\nwhy = "pause"\n'
                    for s in (10, 20, 30))
    path = _labels(tmp_path, text='clip = "c.mp4"\nnotes = "n"\n' + spans)
    events = [Predicted("hesitation", s, s + 0.5) for s in (10.2, 21.0, 30.9)]
    counts = total([score_clip(load_labels(path), events, SIGNALS)], SIGNALS)
    assert counts["hesitation"].onset_delay_s == pytest.approx(0.9)
    assert counts["hesitation"].recall == 1.0


@pytest.mark.parametrize(("text", "named"), [
    ('clip = "c.mp4"\nnotes = "n"\n[[expect]]\nsignal = "agreement"\nstrat = 1\nend = 2\nwhy = "w"\n',
     "expect[0]: unknown key 'strat'"),
    ('clip = "c.mp4"\nnotes = "n"\n[[expect]]\nsignal = "agreeing"\nstart = 1\nend = 2\nwhy = "w"\n',
     "expect[0]: 'signal' is 'agreeing'"),
    ('clip = "c.mp4"\nnotes = "n"\n[[absent]]\nsignal = "*"\nstart = 3\nend = 2\nwhy = "w"\n',
     "absent[0]: 'end' (2.0) must be after 'start' (3.0)"),
    ('clip = "c.mp4"\nnotes = "n"\n[[expect]]\nsignal = "stress"\nstart = 1\nend = 2\n', "'why' is missing"),
    ('notes = "n"\n', "'clip' is missing"),
    ('clip = "c.mp4"\nnotes = "n"\ncomplete = ["agreemnt"]\n', "'complete' must be a list of signal names"),
    ('clip = "c.mp4"\nnotes = [\n', "is not valid TOML"),
])
def test_label_mistakes_name_the_file_and_the_key(tmp_path, text, named):
    path = _labels(tmp_path, text=text.replace("{", "{{").replace("}", "}}"))
    with pytest.raises(LabelsError) as raised:
        load_labels(path)
    assert str(path) in str(raised.value) and named in str(raised.value)


def test_shared_clips_resolve_from_the_environment(tmp_path, monkeypatch):
    path = _labels(tmp_path, text='clip = "shared:pyfeat/x.mov"\nnotes = "n"\n')
    monkeypatch.setenv("COPILOT_SHARED_DATA", str(tmp_path / "data"))
    assert clip_path(load_labels(path)) == tmp_path / "data" / "pyfeat" / "x.mov"
    local = _labels(tmp_path, text='clip = "sub/c.mp4"\nnotes = "n"\n')
    assert clip_path(load_labels(local)) == tmp_path / "sub" / "c.mp4"


def _result(signals: list[dict]) -> dict:
    return {"signals": signals, "engagement_state": [], "participants": [], "meta": {}}


def test_eval_scores_saved_results_and_prints_all_twelve(tmp_path, capsys):
    _labels(tmp_path)
    results = tmp_path / "results"
    results.mkdir()
    (results / "clip.json").write_text(json.dumps(_result([
        {"type": "agreement", "start": 2.5, "end": 4.0, "probability": "high", "rationale": "r",
         "participant": "p1"},
        {"type": "agreement", "start": 7.0, "end": 8.0, "probability": "low", "rationale": "r"}])))
    assert main(["eval", str(tmp_path / "clip.toml"), "--results", str(results)]) == 0
    table = capsys.readouterr().out
    rows = {line.split()[0]: line.split() for line in table.splitlines() if line.split()}
    assert all(name in rows for name in SIGNALS)
    assert rows["agreement"][1:6] == ["1", "1", "2", "1", "0"]  # expected, found, fired, false, unscored
    assert rows["agreement"][6:9] == ["0.50", "1.00", "0.67"]
    assert rows["disagreement"][1:3] == ["1", "0"] and rows["all"][1] == "2"

    assert main(["eval", str(tmp_path), "--results", str(results), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["signals"]["agreement"]["f1"] == pytest.approx(2 / 3)
    assert report["overall"]["expected"] == 2 and len(report["signals"]) == 12


def test_a_missing_clip_is_skipped_with_a_reason(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COPILOT_SHARED_DATA", str(tmp_path / "nowhere"))
    _labels(tmp_path, text='clip = "shared:gone/clip.mp4"\nnotes = "n"\n')
    assert main(["eval", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Scored 0 clip(s), skipped 1" in out and "gone/clip.mp4 not found" in out
    assert "COPILOT_SHARED_DATA" in out


def test_a_broken_labels_file_stops_eval_with_one_line(tmp_path, capsys):
    _labels(tmp_path, text='clip = "c.mp4"\nnotes = "n"\nextra = 1\n')
    assert main(["eval", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "clip.toml" in err[0] and "'extra'" in err[0]
    assert main(["eval", str(tmp_path / "empty")]) == 2


def test_a_folder_gives_the_files_that_label_a_clip_and_not_its_other_data(tmp_path):
    from copilot.commands.eval import labels_files

    (tmp_path / "clip.toml").write_text('clip = "a.mp4"\n')
    (tmp_path / "fillers.toml").write_text('[[filler]]\nclip = "a.mp4"\nstart = 1.0\n')  # words, not a clip
    (tmp_path / "broken.toml").write_text("clip = \n")  # kept: reading it names what is wrong
    assert [p.name for p in labels_files([tmp_path])] == ["broken.toml", "clip.toml"]
    assert labels_files([tmp_path / "fillers.toml"]) == [tmp_path / "fillers.toml"]  # named: taken as is
