"""Which face a voice belongs to (issue 18): with several voices on a mixed track, each goes to
the face whose mouth moves while it speaks more than while the others do, or to the one face on
screen that moves with it as with its other voices (one person heard as two), else it stands alone.

The inputs are the attribution's own: per tick, which voices speak and each face's mouth
movement cue (face_cues.toml's scale: talking mouths 0.27-0.85, still ones about 0.05).
"""

from __future__ import annotations

import pytest

from copilot.signals.attribution import SpeechAttribution

TICK_HZ = 10.0
TALKING, STILL = 0.5, 0.05


def _play(attribution: SpeechAttribution, script: list[tuple[float, str | None, dict[str, float]]]):
    """script: (seconds, which voice speaks or None, {face: mouth}); returns the last owners."""
    t, owners = 0.0, {}
    for seconds, voice, faces in script:
        for _ in range(round(seconds * TICK_HZ)):
            speaking = {"v1": voice == "v1", "v2": voice == "v2"}
            owners = attribution.assign(t, speaking, faces)
            t += 1 / TICK_HZ
    return owners


def test_one_face_gets_the_voice_it_moves_with_and_the_other_voice_stands_alone():
    attribution = SpeechAttribution(TICK_HZ)
    owners = _play(attribution, [
        (3.0, "v1", {"p1": TALKING}),  # p1 talks
        (3.0, "v2", {"p1": STILL}),  # someone off screen answers; p1 listens
        (3.0, "v1", {"p1": TALKING}),
        (2.0, "v2", {"p1": STILL}),
    ])
    assert owners == {"v1": "p1", "v2": "v2"}
    assert attribution.owner_at("v1", 6.5, 7.0) == "p1"


def test_two_faces_each_get_their_own_voice():
    attribution = SpeechAttribution(TICK_HZ)
    owners = _play(attribution, [
        (3.0, "v1", {"p1": TALKING, "p2": STILL}),
        (3.0, "v2", {"p1": STILL, "p2": TALKING}),
        (2.0, "v1", {"p1": TALKING, "p2": STILL}),
        (2.0, "v2", {"p1": STILL, "p2": TALKING}),
    ])
    assert owners == {"v1": "p1", "v2": "p2"}


@pytest.mark.parametrize("mouth", [TALKING, STILL], ids=["chewing", "listening"])
def test_a_face_whose_mouth_does_the_same_in_silence_is_neither_voice_s(mouth):
    """Chewing, or a face that moves its mouth whoever speaks and in silence too, is not an
    active speaker; nor is a listener whose mouth is as still while two people off screen talk
    as in their pauses. The silences show the mouth does not move with speech."""
    attribution = SpeechAttribution(TICK_HZ)
    owners = _play(attribution, [
        (3.0, "v1", {"p1": mouth}),
        (1.5, None, {"p1": mouth}),
        (3.0, "v2", {"p1": mouth}),
        (1.5, None, {"p1": mouth}),
        (3.0, "v1", {"p1": mouth}),
        (2.0, "v2", {"p1": mouth}),
    ])
    assert owners == {"v1": "v1", "v2": "v2"}


def test_one_talker_heard_as_two_voices_keeps_both():
    """The voice split may hear one person as two voices (trial_truth_001.mp4: one woman, v1
    and v2, her mouth movement 0.23 and 0.21 while each speaks, never a second of silence).
    The one face on screen moves with both alike and nothing says either is someone else's."""
    attribution = SpeechAttribution(TICK_HZ)
    owners = _play(attribution, [
        (5.0, "v1", {"p1": 0.23}),
        (4.0, "v2", {"p1": 0.21}),
        (1.0, "v1", {"p1": 0.23}),
        (2.0, "v2", {"p1": 0.21}),
    ])
    assert owners == {"v1": "p1", "v2": "p1"}
    # v2's first ticks, before a second of it had been watched, were nobody's; now they are hers
    assert attribution.owner_at("v2", 5.0, 5.4) == "p1"


def test_a_new_voice_is_nobody_s_until_judged():
    attribution = SpeechAttribution(TICK_HZ)
    _play(attribution, [(3.0, "v1", {"p1": TALKING}), (0.5, "v2", {"p1": STILL})])
    assert "v2" in attribution.undecided
    _play(attribution, [(1.0, "v2", {"p1": STILL})])
    assert "v2" not in attribution.undecided


def test_a_single_voice_keeps_the_one_face_as_before():
    attribution = SpeechAttribution(TICK_HZ)
    owners = _play(attribution, [(2.0, "v1", {"p1": STILL}), (1.0, None, {"p1": STILL})])
    assert owners["v1"] == "p1"


def test_the_microphone_is_always_you():
    attribution = SpeechAttribution(TICK_HZ)
    for k in range(40):
        owners = attribution.assign(k / TICK_HZ, {"you": True, "v1": k % 2 == 0}, {"p1": TALKING})
    assert owners["you"] == "you"


def test_a_face_keeps_its_voice_while_a_new_voice_is_still_being_watched():
    attribution = SpeechAttribution(TICK_HZ)
    owners = _play(attribution, [(3.0, "v1", {"p1": TALKING}), (0.5, "v2", {"p1": STILL})])
    assert owners["v1"] == "p1"  # half a second of v2 is too little to judge either voice by


def test_a_new_voice_that_stops_before_it_can_be_judged_stands_alone():
    """Half a second of a new voice is too little to judge: once it stops it is its own, so
    what it said is not kept from the live view until it speaks again."""
    attribution = SpeechAttribution(TICK_HZ)
    _play(attribution, [(3.0, "v1", {"p1": TALKING}), (0.5, "v2", {"p1": STILL}), (0.5, None, {"p1": STILL})])
    assert "v2" not in attribution.undecided
    assert attribution.owner_at("v2", 3.0, 3.5) == "v2"
