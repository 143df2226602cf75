"""The signal engine on scripted input: data files, hysteresis, rationales, states, quality."""

from __future__ import annotations

import numpy as np
import pytest

from copilot.bench.signals import bench_signals, synthetic_cues
from copilot.signals import DEFINITIONS, SIGNAL_GROUPS, SIGNALS, SignalsConfigError
from copilot.signals.config import load_model, load_rationales, model, rationales
from copilot.signals.engagement import EngagementState
from copilot.signals.events import EventTrack
from copilot.signals.features import AT, FEATURE_NAMES, FEATURES, INSTANTS
from copilot.signals.quality import NO_EVIDENCE, QualityMeter
from copilot.signals.rationale import Evidence, sentence
from copilot.signals.window import TickRing

TICK_S = 0.1


def test_twelve_signals_in_three_groups_each_with_weights_and_a_definition():
    assert sorted(SIGNALS) == sorted(["agreement", "confidence", "confusion", "disagreement",
                                      "disengagement", "engagement", "frustration", "hesitation",
                                      "interest", "skepticism", "stress", "uncertainty"])
    assert [len(names) for names in SIGNAL_GROUPS.values()] == [4, 4, 4]
    m = model()
    assert m.weights.shape == (12, len(FEATURE_NAMES))
    assert all((m.weights[s] != 0).sum() >= 4 for s in range(12))  # each leans on several behaviours
    assert set(rationales()) >= set(FEATURES)
    assert len({d.colour.lower() for d in DEFINITIONS.values()}) == 12  # one colour each, everywhere


def test_a_bad_weights_file_names_the_file_the_key_and_the_reason(tmp_path):
    good = (load_model.__globals__["WEIGHTS_PATH"]).read_text()
    bad = tmp_path / "weights.toml"
    bad.write_text(good.replace("nodding = 4.0 ", "noding = 4.0 "))
    with pytest.raises(SignalsConfigError,
                       match=r"weights.toml: \[signals.agreement\] noding: unknown feature"):
        load_model(bad)
    bad.write_text(good.replace("off = 0.45", "off = 0.7"))
    with pytest.raises(SignalsConfigError, match=r"\[events\] off must be between 0 and the medium band"):
        load_model(bad)
    bad.write_text(good.replace("off = 0.45", "on = 0.7\noff = 0.45"))  # `on` is the medium band's start
    with pytest.raises(SignalsConfigError, match=r"\[events\] on: remove it; the medium band's start in .*"):
        load_model(bad)
    bad.write_text(good + "\n[broken\n")
    with pytest.raises(SignalsConfigError, match=r"weights.toml: does not parse: .*line"):
        load_model(bad)
    phrases = tmp_path / "rationales.toml"
    phrases.write_text(load_rationales.__globals__["RATIONALES_PATH"].read_text()
                       .replace("{nods_times} in {span}", "{nod_count} in {span}"))
    with pytest.raises(SignalsConfigError, match=r"\[nodding\] lead: unknown number"):
        load_rationales(phrases)


def test_ring_sums_match_plain_window_means():
    rng = np.random.default_rng(1)
    ring, rows = TickRing(3, 20, 60), []
    for _ in range(150):
        rows.append(rng.random(3))
        ring.add(rows[-1])
        assert np.allclose(ring.short_mean(), np.mean(rows[-20:], axis=0))
        assert np.allclose(ring.long_mean(), np.mean(rows[-60:], axis=0))


def run_track(series, settings=None):
    """Feeds a scripted score series at 10 Hz; returns (tick time, announcement, event)."""
    cfg = settings or {"on": 0.6, "off": 0.45, "min_on_s": 0.3, "min_off_s": 0.6, "update_every_s": 1.0}
    track = EventTrack("agreement", "p1", cfg, rationales(), TICK_S)
    row, drive = np.zeros(len(INSTANTS)), np.zeros(len(FEATURE_NAMES))
    no_run_up = lambda: np.zeros((0, len(INSTANTS)))  # noqa: E731
    out = []
    for k, score in enumerate(series):
        for kind, event in track.update(round(k * TICK_S, 1), score, row, drive, no_run_up, evidence_s=9.9):
            out.append((round(k * TICK_S, 1), kind, event))
    out += [(round(len(series) * TICK_S, 1), kind, e) for kind, e in track.finish(len(series) * TICK_S)]
    return out


def test_hysteresis_needs_the_on_threshold_held_and_ends_below_the_off_threshold():
    # 1 s low, 0.2 s blip (too short), low, then 3 s high with a dip to 0.5 (between off and on)
    # and a 0.3 s dip below off (too short to end it), then low for good.
    series = [0.1] * 10 + [0.9] * 2 + [0.1] * 8 + [0.8] * 10 + [0.5] * 5 + [0.8] * 5 + [0.3] * 3 \
        + [0.8] * 10 + [0.2] * 20
    out = run_track(series)
    kinds = [kind for _, kind, _ in out]
    assert kinds == ["started", "updated", "updated", "ended"]  # re-announced at most once a second
    started_at, _, first = out[0]
    assert first.start == 2.0 and started_at == pytest.approx(2.3)  # announced min_on_s later
    _, _, last = out[-1]
    assert last.start == 2.0 and last.end == 5.3 and last.peak == 0.8
    assert last.probability == "medium"


def test_an_event_still_running_at_the_end_is_closed_there():
    out = run_track([0.1] * 5 + [0.95] * 20)
    assert [kind for _, kind, _ in out] == ["started", "updated", "ended"]
    assert out[-1][2].end == 2.5 and out[-1][2].probability == "high"


def test_the_rationale_names_the_behaviours_that_drove_the_score_with_their_numbers():
    evidence = Evidence(np.zeros((0, len(INSTANTS))), TICK_S)
    m = model()
    agreement = SIGNALS.index("agreement")
    for k in range(40):
        row = np.zeros(len(INSTANTS))
        row[AT["seen"]] = 1
        row[AT["nod_swings"]] = 1 if k % 6 == 0 else 0  # 7 swings in 4 s: 4 nods
        row[AT["smile"]] = 0.6 if k >= 10 else 0.0
        features = np.zeros(len(FEATURE_NAMES))
        features[FEATURE_NAMES.index("nodding")] = 1.0
        features[FEATURE_NAMES.index("smile")] = 0.5
        evidence.add(row, m.weights[agreement] * features)
    assert sentence(evidence, rationales()) == "Nodded 4 times in 4.0 s while smiling."

    engagement, looking = SIGNALS.index("engagement"), Evidence(np.zeros((0, len(INSTANTS))), TICK_S)
    for k in range(40):
        row = np.zeros(len(INSTANTS))
        row[AT["seen"]], row[AT["gaze_on"]] = 1, 1
        row[AT["nod_swings"]] = 1 if k % 6 == 0 else 0
        features = np.zeros(len(FEATURE_NAMES))
        features[FEATURE_NAMES.index("gaze_on")], features[FEATURE_NAMES.index("nodding")] = 1.0, 0.8
        looking.add(row, m.weights[engagement] * features)
    said = sentence(looking, rationales())  # a participle after a comma, not glued on
    assert said.startswith("Kept the eyes on the screen") and ", nodding 4 times." in said, said


def test_engagement_state_is_piecewise_constant_with_a_dwell_time():
    state = EngagementState("p1", 0.5, 2.0, 0.0)
    segments = []
    # engaged for 5 s, a 1 s look away (too short to count), then disengaged for 4 s
    plan = [(0.8, 0.1)] * 50 + [(0.1, 0.8)] * 10 + [(0.8, 0.1)] * 20 + [(0.1, 0.9)] * 40
    for k, (eng, dis) in enumerate(plan):
        if (segment := state.update(k * TICK_S, eng, dis)) is not None:
            segments.append(segment)
    segments.append(state.finish(len(plan) * TICK_S))
    # The switch to engaged is dated back to 0 s (an empty neutral segment is dropped); the
    # glance away is too short; disengaged is dated back to 8 s, when it began.
    assert [(s.state, round(s.start, 1), round(s.end, 1)) for s in segments] == [
        ("engaged", 0.0, 8.0), ("disengaged", 8.0, 12.0)]


def test_quality_is_50_without_evidence_and_moves_with_it():
    m = model()
    meter = QualityMeter(m.quality, m.resting)
    closed = []
    for k in range(101):  # nobody present up to 10 s (a tick at 10.0 closes the first period)
        closed += meter.add(k * TICK_S, [])
    agreeing = m.resting.copy()
    agreeing[SIGNALS.index("agreement")] = 0.9
    agreeing[SIGNALS.index("engagement")] = 0.8
    for k in range(101, 200):
        closed += meter.add(k * TICK_S, [agreeing])
    closed += meter.finish(20.0)
    assert [p["start"] for p in closed] == [0.0, 10.0]
    assert set(closed[0]["values"].values()) == {NO_EVIDENCE}
    assert closed[1]["values"]["rapport"] > 80 and closed[1]["values"]["clarity"] == NO_EVIDENCE
    assert meter.overall()["rapport"] == closed[1]["values"]["rapport"]


def test_bench_runs_on_synthetic_cues_for_six_people():
    assert synthetic_cues("p1", 0, 1.0).participant == "p1"
    assert bench_signals(participants=6, seconds=2.0) > 0


def test_quality_has_no_empty_period_for_the_few_ms_after_the_last_tick():
    from copilot.signals.quality import QualityMeter

    m = model()
    meter = QualityMeter(m.quality, m.resting)
    periods = []
    for k in range(300):  # 30 s of ticks, the last at 29.9 s
        periods += meter.add(k / 10, [np.full(12, 0.8)])
    periods += meter.finish(30.0004)
    assert [(p["start"], p["end"]) for p in periods] == [(0.0, 10.0), (10.0, 20.0), (20.0, 30.0)]
    alone = QualityMeter(m.quality, m.resting)
    assert [(p["start"], p["end"]) for p in alone.finish(0.4)] == [(0.0, 0.4)]  # a clip shorter than a tick


def test_no_event_before_its_minimum_evidence_and_every_rationale_rests_on_it():
    """Issue 19: a new face raised "engagement (low) — ... for 80% of 0.5 s" on half a second."""
    m = model()
    assert all(1.5 <= m.min_evidence_s[s] <= m.short_s for s in SIGNALS)
    for signal in ("agreement", "engagement"):
        cfg = {**m.events, "min_evidence_s": m.min_evidence_s[signal]}
        track = EventTrack(signal, "p1", cfg, rationales(), TICK_S)
        row, drive = np.zeros(len(INSTANTS)), np.zeros(len(FEATURE_NAMES))
        started = None
        for k in range(40):  # high from the first tick of a new face; the run-up grows with it

            def run_up(ticks_before: int = k) -> np.ndarray:
                return np.zeros((min(ticks_before, 19), len(INSTANTS)))
            for _kind, event in track.update(round(k * TICK_S, 1), 0.9, row, drive, run_up,
                                             evidence_s=(k + 1) * TICK_S):
                started = started or (k * TICK_S, event)
        t, event = started
        assert t + TICK_S >= m.min_evidence_s[signal] - 1e-9 and t < m.min_evidence_s[signal] + 0.3, signal
        assert track.evidence.ticks * TICK_S >= 1.5  # what "for N s" in its rationale is counted over
        assert event.evidence_s >= 1.5
