"""Speakers on one mixed track (issue 18): the DER scorer, the voices found in real recordings
against their reference turns, one voice for one speaker, and what `copilot analyze` says.

Tuning and checking (tests/scenarios/conversations/SPLIT.md, copilot/voice/speakers.toml): the
settings were chosen on ami_dev00.wav and rendered two-person conversations; sample.wav is a
checking recording and falls short (its two speakers are much closer for the voiceprint model
than AMI's two people), held as a strict xfail.
"""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from copilot.errors import CopilotError
from copilot.evaluation.diarization import (
    CHANGE_TOLERANCE_S,
    Turn,
    change_offsets,
    evaluate,
    read_rttm,
    score,
    turn_changes,
)

DER_TARGET = 0.25  # issue 18
CHANGES_FOUND_FLOOR = 0.8  # share of reference turn changes with a found change within 0.5 s
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
ONE_SPEAKER = ["whisper/jfk.flac", "resemblyzer/dpJE5qd9CRM.mp3", "resemblyzer/y0xEoKRHRi4.mp3",
               "batchalign/test.mp3", "sadtalker/RD_Radio31_000.wav", "sadtalker/RD_Radio34_002.wav"]


# -- the scorer, on cases worked out by hand -------------------------------------------------

def test_der_of_a_late_turn_change_by_hand():
    reference = [Turn("A", 0.0, 10.0), Turn("B", 10.0, 20.0)]
    found = [Turn("x", 0.0, 8.0), Turn("y", 8.0, 20.0)]
    plain = score(reference, found, collar_s=0.0)
    assert (plain.scored_s, plain.confusion_s, plain.missed_s, plain.false_alarm_s) == pytest.approx(
        (20.0, 2.0, 0.0, 0.0))
    assert plain.der == pytest.approx(0.1)
    # 0.25 s either side of each reference edge (0, 10, 20) is not scored: 19 s remain, and the
    # wrong 8-10 s loses its last quarter second
    collared = score(reference, found)
    assert collared.scored_s == pytest.approx(19.0)
    assert collared.der == pytest.approx(1.75 / 19.0)


def test_der_counts_overlap_per_speaker_and_matches_one_to_one():
    reference = [Turn("A", 0.0, 4.0), Turn("B", 3.0, 6.0)]  # both talk from 3 to 4
    found = [Turn("x", 0.0, 6.0)]
    s = score(reference, found, collar_s=0.0)
    # 7 s of reference speech; 3-4 s has one voice found for two: 1 s missed; x is best matched
    # to A (4 s together), so B's 4-6 s (and nothing else) is confusion... and B's 3-4 is the miss
    assert (s.scored_s, s.missed_s, s.false_alarm_s, s.confusion_s) == pytest.approx((7.0, 1.0, 0.0, 2.0))
    assert s.der == pytest.approx(3.0 / 7.0)
    spare = score(reference, [*found, Turn("z", 10.0, 11.0)], collar_s=0.0)
    assert spare.false_alarm_s == pytest.approx(1.0) and spare.speakers_found == 2


def test_turn_changes_and_how_close_they_were_found():
    reference = [Turn("A", 0.0, 5.0), Turn("B", 5.2, 8.0), Turn("A", 7.5, 7.9), Turn("A", 9.0, 12.0)]
    # B answers at 5.2; A cuts in at 7.5 (inside B's turn); at 9.0 A takes over from B, who was
    # heard last (to 8.0)
    assert turn_changes(reference) == [5.2, 7.5, 9.0]
    found = [Turn("v1", 0.0, 4.9), Turn("v2", 5.0, 8.2), Turn("v1", 9.0, 12.0)]
    offsets = change_offsets(reference, found)  # found changes at 5.0 and 9.0; none near 7.5
    assert offsets[0] == pytest.approx(0.2) and offsets[1] is None and offsets[2] == pytest.approx(0.0)


def test_a_bad_rttm_line_is_named(tmp_path):
    path = tmp_path / "bad.rttm"
    path.write_text("SPEAKER x 1 0.5 1.0 <NA> <NA> A <NA> <NA>\nSPEAKER x 1 oops\n")
    with pytest.raises(CopilotError, match=r"bad\.rttm:2: not an RTTM SPEAKER line"):
        read_rttm(path)


# -- real recordings --------------------------------------------------------------------------

@cache
def _evaluated(relative: str):
    return evaluate(SHARED / relative)


def _need(relative: str) -> Path:
    if not (SHARED / relative).is_file():
        pytest.skip(f"the shared recording {relative} is not at {SHARED}")
    return SHARED / relative


def _report(result) -> None:
    within, changes = result.changes_within()
    print(f"\n{result.recording.name}: DER {result.score.der:.3f} ({result.score.to_json()}), "
          f"turn changes within {CHANGE_TOLERANCE_S} s {within}/{changes}, offsets "
          f"{[None if o is None else round(o, 2) for o in result.change_offsets_s]}, "
          f"voices {({v: round(s, 1) for v, s in result.talk_s().items()})}")


def test_loudness_is_read_once_per_frame_and_a_gap_starts_a_new_grid():
    """The pause finder's levels, kept as audio arrives in uneven chunks, are the levels of the
    same audio read in one go; after a gap the frames start again where the new audio starts."""
    from copilot.voice.speakers import FRAME, RecentLoudness, _levels

    rng = np.random.default_rng(3)
    audio = (rng.standard_normal(16000) * np.linspace(0.01, 0.5, 16000)).astype(np.float32)
    loudness, at = RecentLoudness(8.0), 0
    for size in (1000, 1600, 37, 3000, 10363):
        loudness.add(at / 16000, audio[at : at + size])
        at += size
    first, levels = loudness.between(0.0, 1.0)
    assert first == 0.0 and np.allclose(levels, _levels(audio))
    loudness.add(5.0025, audio[:FRAME * 3])  # a gap: three whole frames from 5.0025 s
    first, levels = loudness.between(5.0, 6.0)
    assert first == pytest.approx(5.0025) and np.allclose(levels, _levels(audio[:FRAME * 3]))
    assert len(loudness.between(0.0, 6.0)[1]) == 100 + 3


@pytest.mark.timeout(600)
def test_ami_excerpt_two_voices_within_the_target():
    """The tuning recording: two people in an AMI meeting, one far quieter at times."""
    _need("pyannote/ami_dev00.rttm")
    result = _evaluated("pyannote/ami_dev00.rttm")
    _report(result)
    assert result.score.speakers_found == 2
    assert result.score.der <= DER_TARGET
    within, changes = result.changes_within()
    assert within / changes >= CHANGES_FOUND_FLOOR


@pytest.mark.timeout(600)
@pytest.mark.xfail(strict=True, reason="checking recording: at the values tuned on ami_dev00.wav and the "
                   "rendered conversations its two speakers part late or not at all (DER 0.41 as it is; "
                   "0.04-0.46 shifted by 2-8 ms); their pure 1.5 s windows lie 0.30 apart against 0.66 "
                   "for one of them, much closer than AMI's two people (0.03)")
def test_sample_two_voices_within_the_target():
    _need("pyannote/sample.rttm")
    result = _evaluated("pyannote/sample.rttm")
    _report(result)
    assert result.score.der <= DER_TARGET


@pytest.mark.timeout(600)
@pytest.mark.parametrize("turn_s", [0.8, 2.0, 5.0])
def test_two_people_taking_turns_are_two_voices(tmp_path, turn_s):
    """Rendered conversations of the tuning set (a man and a woman, 0.15 s between turns): short
    and long turns alike come out as two voices, within the DER target."""
    from tests.scenarios.conversations.render import Conversation, write

    _need("sadtalker/RD_Radio36_000.wav")
    [rttm] = write(tmp_path, SHARED, (Conversation("radio36", "katie", turn_s, 0.15),))
    result = evaluate(rttm)
    _report(result)
    assert result.score.speakers_found == 2
    assert result.score.der <= DER_TARGET


@pytest.mark.timeout(600)
@pytest.mark.parametrize("gap_s", [0.15, 0.6])
def test_a_reply_gap_on_one_track_is_the_quiet_between_the_two_voices(tmp_path, gap_s):
    """Two people on one track, each reply after a gap built in (0.15 s: shorter than the speech
    gate's pause, so the two voices share an utterance cut in that gap; 0.6 s: two utterances).
    The cut lies in the middle of the pause, and the gap is measured between the speech either
    side of it, not at the cut: reading it at the cut gave 0.0 s for most replies."""
    from copilot.evaluation.diarization import recording_samples
    from copilot.voice.replay import replay
    from tests.scenarios.conversations.render import Conversation, write

    _need("sadtalker/RD_Radio36_000.wav")
    [rttm] = write(tmp_path, SHARED, (Conversation("radio36", "katie", 2.0, gap_s),))
    events = [e for r in replay({"file": recording_samples(rttm.with_suffix(".wav"))}) for e in r.events]
    gaps = [e.details["latency_s"] for e in events if e.kind == "response"]
    print(f"\ngap {gap_s} s built in; replies measured: {gaps}")
    assert len(gaps) >= 5
    assert float(np.median(gaps)) == pytest.approx(gap_s, abs=0.05)


@pytest.mark.timeout(600)
@pytest.mark.parametrize("relative", ONE_SPEAKER)
def test_one_speaker_stays_one_voice(relative):
    _need(relative)
    result = _evaluated(relative)
    print(f"\n{relative}: voices {({v: round(s, 1) for v, s in result.talk_s().items()})}")
    assert len(result.talk_s()) == 1


@pytest.mark.timeout(600)
def test_a_new_voice_is_named_within_seconds_of_its_first_words():
    """Online: MEE012 first speaks at 13.15 s in ami_dev00.wav; a live display learns of the
    second voice from the voice analyzer's own steps, long before the recording ends."""
    from copilot.evaluation.diarization import recording_samples
    from copilot.voice.replay import replay

    samples = recording_samples(_need("pyannote/ami_dev00.wav"))
    first_heard = {}
    for result in replay({"file": samples}):
        for voice in result.now:
            first_heard.setdefault(voice, result.t)
    print(f"\nvoices first in the live view at {first_heard}")
    assert sorted(first_heard) == ["v1", "v2"]
    assert first_heard["v2"] - 13.15 <= 3.0


def _analysed(clip: Path, folder: Path, *printed: str) -> dict:
    """`copilot analyze` as a user runs it; its result document, checked against the schema."""
    from copilot.result.document import validate

    out = folder / f"{clip.stem}.json"
    done = subprocess.run([sys.executable, "-m", "copilot", "analyze", str(clip), "--out", str(out)],
                          capture_output=True, text=True, timeout=800, check=False)
    assert done.returncode == 0, done.stderr
    print("\n" + done.stdout.strip())
    assert all(text in done.stdout for text in printed)
    document = json.loads(out.read_text())
    validate(document)
    return document


@pytest.mark.timeout(900)
def test_analyze_lists_two_voices_with_their_talk_times(tmp_path):
    """What must show (issue 18): `copilot analyze` on a two-speaker mixed recording."""
    document = _analysed(_need("pyannote/ami_dev00.wav"), tmp_path, "v1 talked", "v2 talked")
    voices = [p for p in document["participants"] if p["by"] == "voice"]
    assert sorted(p["id"] for p in voices) == ["v1", "v2"]
    talk = {row["participant"]: row for row in document["conversation"]}
    reference = read_rttm(SHARED / "pyannote/ami_dev00.rttm")
    mee009 = sum(t.end - t.start for t in reference if t.voice == "MEE009")
    mee012 = sum(t.end - t.start for t in reference if t.voice == "MEE012")
    # v1 is MEE009, who holds the floor most of the time; shares within 0.1 of the reference
    assert talk["v1"]["talk_share"] == pytest.approx(mee009 / (mee009 + mee012), abs=0.1)
    assert talk["v1"]["turns"] >= 3 and talk["v2"]["turns"] >= 3  # the floor changed hands 7 times
    assert talk["v2"]["response_latency_s"] is not None
    assert np.isclose(sum(row["talk_share"] for row in talk.values()), 1.0, atol=0.01)
    # Each voice's longest monologue is its longest turn, the reference's turns read by the same
    # rule: MEE009 11.9 s, MEE012 5.2 s (found: 11.0 and 3.5 s; before, the live floor, which
    # names a mixed track's voices late, made MEE012's 11.0 s, longer than all its talk).
    longest = _longest_turns(reference)
    assert talk["v1"]["longest_monologue_s"] == pytest.approx(longest["MEE009"], abs=2.0)
    assert talk["v2"]["longest_monologue_s"] == pytest.approx(longest["MEE012"], abs=2.0)


def _longest_turns(reference) -> dict[str, float]:
    """Each speaker's longest turn in a reference, by the conversation's own turn rule."""
    from copilot.voice.conversation import Conversation
    from copilot.voice.gate import Utterance

    conversation, longest = Conversation(), {}
    turns = sorted(reference, key=lambda t: t.end)
    happened = []
    for turn in turns:
        ongoing = {t.voice: t.start for t in turns if t.voice != turn.voice and t.start < turn.end < t.end}
        happened += conversation.finished(Utterance(turn.voice, turn.start, turn.end), ongoing)
    for h in [*happened, *conversation.close()]:
        if h.kind == "turn":
            longest[h.channel] = max(longest.get(h.channel, 0.0), h.end - h.start)
    return longest


@pytest.mark.timeout(900)
def test_the_face_on_screen_gets_its_own_voice_and_the_other_voice_stands_alone(tmp_path):
    """lightasd_tiwater/00000.avi: a face-track crop of one man in a two-person office scene, with
    the scene's sound. He talks facing the camera; the other man (off this crop) speaks at
    26-28.5 s (PROVENANCE_ADDITIONS.md, from his own crop; the sound's turns are not labelled).
    The face keeps the voice it has talked with from the start; the second voice is not given to
    it (nothing shows this face's mouth moving with it) and stands alone, heard then. (The split
    also gives v2 a 0.4 s piece at 12.4 s, which nobody has checked by ear.)"""
    document = _analysed(_need("lightasd_tiwater/00000.avi"), tmp_path)
    print("\n", document["participants"], document.get("conversation"))
    talk = {row["participant"]: row for row in document["conversation"]}
    assert sorted(talk) == ["p1", "v2"]
    assert talk["p1"]["voices"] == ["v1"] and talk["p1"]["talk_s"] > talk["v2"]["talk_s"]
    other = next(p for p in document["participants"] if p["id"] == "v2")
    assert other["by"] == "voice" and 25.5 <= other["last_seen"] <= 29.5


@pytest.mark.timeout(900)
def test_one_woman_talking_on_camera_is_one_participant(tmp_path):
    """reallife_trial_video/trial_truth_001.mp4: one woman, facing the camera, talks for 13.7 s:
    one voice, and she is its face. (GE2E, the voice model before, heard her as two voices, and
    the mouth rule gave both to her.)"""
    document = _analysed(_need("reallife_trial_video/trial_truth_001.mp4"), tmp_path)
    assert [row["participant"] for row in document["conversation"]] == ["p1"]
    assert document["conversation"][0]["voices"] == ["v1"]
    assert [p["id"] for p in document["participants"]] == ["p1"]


def test_eval_names_an_rttm_without_its_recording_in_one_line(tmp_path):
    lone = tmp_path / "lone.rttm"
    lone.write_text("SPEAKER lone 1 0.5 1.0 <NA> <NA> A <NA> <NA>\n")
    done = subprocess.run([sys.executable, "-m", "copilot", "eval", str(lone)],
                          capture_output=True, text=True, timeout=120, check=False)
    errors = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(errors) == 1
    assert str(lone) in errors[0] and "no recording of the same name" in errors[0]
