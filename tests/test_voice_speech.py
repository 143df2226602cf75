"""Voice cues on generated speech whose timing, fillers, pace and endings are known exactly."""

from __future__ import annotations

import numpy as np
import pytest
from speech import Track, bend_ending, say, tools_missing, with_noise

pytestmark = pytest.mark.skipif(tools_missing() is not None, reason=f"speech generation: {tools_missing()}")

EDGE_TOLERANCE_S = 0.1


def _events(channels):
    from copilot.voice.replay import replay

    return [e for result in replay(channels) for e in result.events]


def _padded(audio: np.ndarray) -> dict[str, np.ndarray]:
    silence = np.zeros(4000, np.float32)
    return {"file": with_noise(np.concatenate([silence, audio, silence, silence]))}


def test_utterance_edges_and_pauses_match_how_the_clip_was_built():
    track = Track()
    track.put(0.5, say("Hello there, how are you doing today?"))
    track.then(0.6, say("I am fine, thanks for asking."))
    track.then(1.2, say("The weather is nice, is it not?", speed_wpm=190))
    track.then(0.4, say("We should go outside.", pitch=70))
    track.then(2.5, say("Later then."))
    track.pad_to(track.duration_s + 1.0)
    events = _events({"file": with_noise(track.samples)})
    found = [(e.start, e.end) for e in events if e.kind == "utterance"]
    errors = [max(abs(a - s), abs(b - e)) for (a, b), (s, e, _) in zip(found, track.spoken, strict=False)]
    print(f"\nutterances: built {len(track.spoken)}, found {len(found)}, "
          f"worst edge error {max(errors):.3f} s")
    assert len(found) == len(track.spoken)
    assert max(errors) <= EDGE_TOLERANCE_S
    pauses = sorted(round(e.details["duration_s"], 2) for e in events if e.kind == "pause")
    built = sorted(round(b[0] - a[1], 2) for a, b in zip(track.spoken, track.spoken[1:], strict=False))
    assert np.allclose(pauses, built, atol=2 * EDGE_TOLERANCE_S)


@pytest.mark.parametrize("speed_wpm", [160, 220])
def test_filled_pauses_are_counted(speed_wpm):
    track = Track()
    track.put(0.3, say("I think we should start the project next week", speed_wpm=speed_wpm))
    track.then(0.5, say("uhh", speed_wpm=80, flat=True), "filler")
    track.then(0.5, say("and then we can talk about the budget", speed_wpm=speed_wpm))
    track.then(0.4, say("umm", speed_wpm=80, flat=True), "filler")
    track.then(0.4, say("maybe on Friday afternoon if you are free", speed_wpm=speed_wpm))
    track.pad_to(track.duration_s + 1.0)
    fillers = [e for e in _events({"file": with_noise(track.samples)}) if e.kind == "filled_pause"]
    built = [(s, e) for s, e, label in track.spoken if label == "filler"]
    print(f"\nfillers at {speed_wpm} wpm: built {len(built)}, found {len(fillers)}")
    assert len(fillers) == len(built)
    for event, (start, end) in zip(fillers, built, strict=True):
        assert abs(event.start - start) <= EDGE_TOLERANCE_S and abs(event.end - end) <= EDGE_TOLERANCE_S


def test_speaking_rate_orders_slow_normal_fast():
    sentence = "The quick brown fox jumps over the lazy dog near the river bank"
    rates = {}
    for speed in (100, 160, 250):
        utterances = [e for e in _events(_padded(say(sentence, speed_wpm=speed))) if e.kind == "utterance"]
        assert len(utterances) == 1
        rates[speed] = utterances[0].details["speaking_rate_syl_s"]
    print("\nsyllables per second by espeak speed:", rates)
    assert rates[100] < rates[160] < rates[250]
    assert 2.0 < rates[160] < 6.0  # 15 syllables in about 3.3 s


@pytest.mark.parametrize("cents, expected", [(500, "rising"), (-500, "falling")])
def test_phrase_ending_follows_a_known_pitch_glide(cents, expected):
    # espeak's own "?" often rises only in the last 100 ms, so the glide is put in with sox
    audio = bend_ending(say("You are coming tomorrow", flat=True), cents)
    utterances = [e for e in _events(_padded(audio)) if e.kind == "utterance"]
    assert [u.details["ending"] for u in utterances] == [expected]


def test_level_sentence_has_narrow_pitch_range_and_expressive_one_wide():
    flat = [e for e in _events(_padded(say("You are coming tomorrow", flat=True))) if e.kind == "utterance"]
    lively = [e for e in _events(_padded(say("Did you really see the game?"))) if e.kind == "utterance"]
    print("\npitch range (st): flat", flat[0].details["pitch_range_st"],
          "lively", lively[0].details["pitch_range_st"])
    assert flat[0].details["pitch_range_st"] < lively[0].details["pitch_range_st"]
