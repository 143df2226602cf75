"""Face behaviours on 22 real clips labelled by eye, tuning and checking halves side by side.

The clips, their labels and the split (made before any labelling, by a rule that looks
only at the path) are in tests/scenarios/behaviours/. Thresholds were set on the tuning
half; the checking half is measured here and nowhere tuned on. `pytest -s` prints the
table `copilot eval tests/scenarios/behaviours` prints.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.evaluation import behaviours as b
from copilot.evaluation.labels import clip_path

LABELS = sorted((Path(__file__).parent / "scenarios" / "behaviours").glob("*.toml"))
FALSE_PER_MINUTE_TARGET = 1.0  # issue 15: nods and shakes on talking or expressive faces
GAZE_TARGET = 0.9  # issue 15: on or off the screen right in 90 % of labelled frames
# Smiles: measured 4 of 7 on the tuning half (0.57) once a smile's neutral was capped at the
# population's neutral mouth (face_cues.toml [expression] neutral_mouth_raise_max), 2 of 7 before.
SMILE_RECALL_TUNING = 0.5

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]  # one fixture analyses every clip


@pytest.fixture(scope="module")
def scores(shared_data) -> list[b.BehaviourScore]:
    out = []
    for path in LABELS:
        labels = b.load_behaviour_labels(path)
        clip = clip_path(labels)
        if not clip.is_file():
            pytest.skip(f"{clip} is missing")
        observed, errors = b.observe(clip)
        assert not errors, errors
        out.append(b.score_behaviours(labels, observed))
    print("\n" + b.details(out) + "\n\n" + b.halves_table(out))
    return out


def _half(scores, split: str, kind: str | None = None) -> list[b.BehaviourScore]:
    return [s for s in scores if s.labels.split == split and (kind is None or kind in s.labels.kinds)]


def test_the_split_is_the_one_written_down_before_labelling():
    import hashlib

    rows = sorted((hashlib.sha1(b.load_behaviour_labels(p).clip.removeprefix("shared:").encode()).hexdigest(),
                   b.load_behaviour_labels(p).split) for p in LABELS)
    assert len(rows) == 22
    assert [split for _, split in rows] == ["tuning"] * 11 + ["checking"] * 11


@pytest.mark.parametrize("split", ["tuning", "checking"])
def test_talking_and_expressive_faces_make_at_most_one_false_nod_or_shake_a_minute(scores, split):
    for kind in ("talking", "expressive"):
        tally = b.gestures(_half(scores, split, kind))
        assert tally.minutes > 0.5 and tally.false_per_minute <= FALSE_PER_MINUTE_TARGET, (kind, tally)


def test_still_faces_make_no_nod_or_shake(scores):
    still = [s for s in scores if "still" in s.labels.kinds]
    assert still and b.gestures(still).false_alarms == 0


def test_the_labelled_nods_and_shakes_are_found(scores):
    """All in the tuning half (the split's luck, SPLIT.md); the sweep measures recall across the range."""
    tally = b.gestures(scores)
    assert tally.expected >= 2 and tally.recall == 1.0, tally


def test_held_smiles_are_found_on_the_tuning_half_and_none_made_up(scores):
    tally = b.summed(_half(scores, "tuning"), "smile")
    assert tally.expected >= 7 and tally.recall >= SMILE_RECALL_TUNING and tally.false_alarms == 0, tally


def test_false_smiles_on_the_checking_half_stay_under_one_a_minute(scores):
    """Measured 0.5 a minute: one, WolfgangLanger at 0.7-2.9 s, crying with a hand over her mouth
    (found after the rule was frozen; left as it is)."""
    tally = b.summed(_half(scores, "checking"), "smile")
    assert tally.minutes > 1.0 and tally.false_per_minute <= 1.0, tally


def test_eyes_on_the_screen_agree_with_the_labelled_frames_on_the_tuning_half(scores):
    assert b.summed_gaze(_half(scores, "tuning")).share >= GAZE_TARGET


@pytest.mark.xfail(strict=True, reason="measured 0.84 (1302 of 1544 labelled frames) on the checking "
                                       "half against 0.99 (1404 of 1424) on the tuning half, with nods and "
                                       "blinks holding the eyes where they were (0.85 and 0.97 on the plain "
                                       "reading before): the gap is reported, not tuned away")
def test_eyes_on_the_screen_agree_with_the_labelled_frames_on_the_checking_half(scores):
    assert b.summed_gaze(_half(scores, "checking")).share >= GAZE_TARGET
