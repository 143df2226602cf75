"""Single pieces of evidence the signal model must weigh right: a spoken "yeah" on a single
track, gaze held through a nod, a look far to the side, a voice heard without a face, a long
pause spent looking away."""

from __future__ import annotations

from dataclasses import replace

import pytest

from copilot.bench.signals import synthetic_cues
from copilot.signals import SIGNALS
from copilot.signals.config import model, rationales
from copilot.signals.participant import ParticipantSignals
from copilot.vision.cues.participant import EyesOnScreen
from copilot.vision.cues.settings import settings
from copilot.voice.cues import VoiceEvent, VoiceNow
from copilot.voice.responses import SILENCE_AFTER_S, PendingResponses, listener_response

ON = model().events["on"]


def _said(start: float, end: float, syllables: int, filled: float = 0.0) -> list[VoiceEvent]:
    events = [VoiceEvent("utterance", "file", start, end, {"syllables": syllables})]
    if filled:
        events.append(VoiceEvent("filled_pause", "file", start, start + filled))
    return events


def test_a_short_isolated_utterance_on_one_track_is_a_listener_response():
    yeah = listener_response(_said(4.0, 4.4, 1), silent_since=1.5)
    assert yeah is not None and (yeah.kind, yeah.start, yeah.details["during"]) == ("backchannel", 4.0, None)
    assert listener_response(_said(7.3, 8.6, 4), silent_since=5.3) is not None  # "right, exactly"
    assert listener_response(_said(4.0, 4.4, 1), silent_since=3.5) is None  # no room for the other side
    assert listener_response(_said(4.0, 6.2, 7), silent_since=1.0) is None  # a sentence
    assert listener_response(_said(4.0, 4.7, 2, filled=0.6), silent_since=1.0) is None  # "umm"
    assert listener_response(_said(4.0, 4.2, 0), silent_since=1.0) is None  # a breath or click


def test_a_response_stands_alone_only_when_the_same_voice_does_not_go_on():
    well = listener_response(_said(6.3, 6.8, 1), silent_since=4.2)
    pending = PendingResponses()
    pending.offer(well, "file")
    assert pending.confirmed("file", 6.9, None) == []  # still waiting
    assert pending.confirmed("file", 7.1, 7.05) == []  # "Well, I suppose...": a turn, not a response
    assert pending.waiting == {}
    pending.offer(well, "file")
    assert pending.confirmed("file", 6.8 + SILENCE_AFTER_S, None) == [well]
    pending.offer(well, "file")
    assert pending.flush() == [well] and pending.flush() == []


def _person(has_face: bool = True) -> ParticipantSignals:
    return ParticipantSignals("p1", model(), rationales(), 0.0, has_face)


def _still(t: float, **changes):
    cues = replace(synthetic_cues("p1", 0, t), yaw=0.0, pitch=0.0, roll=0.0, lean=0.0, at_screen=True,
                   eyes_closed=False, smile=0.0, brow_lower=0.0, brow_raise=0.0, brow_asymmetry=0.0,
                   lid_tighten=0.0, lip_press=0.0, lip_corner_depress=0.0, mouth_asymmetry=0.0,
                   motion_energy=0.0, gaze_off_deg=0.0, nod_swings=0, shake_swings=0)
    return replace(cues, **changes)


def _run(person: ParticipantSignals, seconds: float, cues=_still, start: float = 0.0, **changes) -> list:
    """Feeds 30 frames a second and ticks at 10 Hz; returns the (kind, event) announcements."""
    out = []
    for k in range(round(seconds * 30)):
        t = start + k / 30
        person.add_face(cues(t, **changes), t)
        if k % 3 == 2:
            out += person.tick(round(t, 3))[0]
    return out


def _score(person: ParticipantSignals, signal: str) -> float:
    return float(person.scores[SIGNALS.index(signal)])


def test_one_spoken_yeah_from_a_still_listener_reads_as_agreement():
    person = _person()
    _run(person, 3.0)
    assert _score(person, "agreement") < 0.1
    person.add_voice_event(VoiceEvent("backchannel", "file", 3.0, 3.4, {"during": None}))
    started = [e for kind, e in _run(person, 1.0, start=3.0) if kind == "started"]
    assert [e.type for e in started if e.type == "agreement"] == ["agreement"]
    assert "yeah" in started[0].rationale if started[0].type == "agreement" else True


def test_a_nodding_head_keeps_its_eyes_on_the_screen():
    person = _person()
    _run(person, 2.0)
    cfg = settings()
    eyes = EyesOnScreen(cfg["gaze"]["gesture_hold_s"], cfg["blink"]["max_blink_s"])

    def nodding(t, **_):  # measured gaze swings off with every nod; a swing is confirmed every 0.25 s
        swing = round(t * 30) % 8 == 0
        cues = _still(t, at_screen=round(t * 30) % 2 == 0, gaze_off_deg=20.0, nod_swings=int(swing))
        eyes.update(cues, t)  # what the face cues do before the signals see them
        return cues

    _run(person, 6.0, cues=nodding, start=2.0)
    assert _score(person, "engagement") >= ON
    assert _score(person, "disengagement") < 0.1


def test_looking_far_aside_for_a_second_and_a_half_reads_as_disengagement_a_glance_does_not():
    far, near = _person(), _person()
    for person, angle in ((far, 35.0), (near, 18.0)):
        _run(person, 3.0)
        _run(person, 1.6, start=3.0, at_screen=False, gaze_off_deg=angle)
    assert _score(far, "disengagement") >= ON
    assert _score(near, "disengagement") < ON


def test_leaving_the_picture_is_news_only_of_someone_watched_in_it_first():
    """A listener watched for 3 s who then goes has left; a face in a crowd glimpsed for a second
    and then lost behind others (facenet_pytorch/video.mp4's passers-by) has left no conversation.
    Both are gone for the same 3 s; the threshold is disengagement's evidence minimum (2 s)."""
    stayed, passed = _person(), _person()
    _run(stayed, 3.0)
    _run(passed, 1.0)
    gone = []
    for person, since in ((stayed, 3.0), (passed, 1.0)):
        out = []
        for k in range(30):
            out += person.tick(round(since + (k + 1) / 10, 3))[0]
        gone.append([e for kind, e in out if kind == "started" and e.type == "disengagement"])
    left, glimpsed = gone
    assert left and left[0].rationale.startswith("Left the picture")
    assert _score(stayed, "disengagement") >= ON
    assert not glimpsed and _score(passed, "disengagement") < ON


def test_a_voice_without_a_face_that_keeps_talking_is_engaged():
    person = _person(has_face=False)
    talking = VoiceNow(0.0, 0.9, True, 120.0, -20.0, 0.0, 0.0)
    for k in range(80):
        person.add_voice_now(talking)
        person.tick(k / 10)
    assert _score(person, "engagement") >= ON
    assert _score(person, "disengagement") < 0.1


def _pause_then(person: ParticipantSignals, **during) -> list:
    """3 s facing the camera, a 1.6 s stop in one's own speech (looking as `during` says),
    then speaking on, with the pause reported 0.2 s after speech resumes (as the voice does)."""
    out = _run(person, 3.0)
    out += _run(person, 1.6, start=3.0, **during)
    out += _run(person, 0.2, start=4.6)
    person.add_voice_event(VoiceEvent("pause", "file", 3.0, 4.6, {"duration_s": 1.6}))
    return out + _run(person, 2.0, start=4.8)


def _hesitations(announcements: list) -> list:
    return [e for kind, e in announcements if kind == "started" and e.type == "hesitation"]


def test_a_long_pause_spent_looking_down_reads_as_hesitation_one_facing_the_listener_does_not():
    down, facing, unseen = _person(), _person(), _person(has_face=False)
    started = _hesitations(_pause_then(down, at_screen=False, gaze_off_deg=25.0))
    assert len(started) == 1 and 4.6 <= started[0].start <= 5.3  # as soon as the pause is known
    assert "Looked away while pausing" in started[0].rationale
    assert _hesitations(_pause_then(facing)) == []  # a rhetorical pause, held on the listener
    heard = []  # the same pause heard without a face: the voice alone is not enough
    for k in range(70):
        if k == 48:
            unseen.add_voice_event(VoiceEvent("pause", "file", 3.0, 4.6, {"duration_s": 1.6}))
        heard += unseen.tick(k / 10)[0]
        if k == 49:
            resting = model().resting[SIGNALS.index("hesitation")]
            assert _score(unseen, "hesitation") > 2 * resting  # the pause was counted ...
    assert _hesitations(heard) == []  # ... but is no hesitation on its own


def test_a_rationale_names_one_behaviour_once():
    """Talk share and speaking are two features of one behaviour: the sentence says it once."""
    import numpy as np

    from copilot.signals.features import AT, FEAT, INSTANTS
    from copilot.signals.rationale import Evidence, sentence

    rows = np.zeros((135, len(INSTANTS)))  # 13.5 s of ticks, speaking and seen throughout
    rows[:, AT["speaking"]] = rows[:, AT["seen"]] = 1.0
    evidence = Evidence(rows, 0.1)
    evidence.drive[FEAT["talk_share"]], evidence.drive[FEAT["speaking"]] = 2.0, 1.5
    assert sentence(evidence, rationales()) == "Spoke for 13.5 s."
    rows[:, AT["gaze_off"]] = rows[:, AT["gaze_far"]] = 1.0  # and looking far away throughout
    evidence = Evidence(rows, 0.1)
    evidence.drive[FEAT["gaze_away"]], evidence.drive[FEAT["gaze_far"]] = 2.0, 1.5
    assert sentence(evidence, rationales()).count("away") == 1


def test_head_swings_count_half_while_the_person_talks():
    import numpy as np

    from copilot.signals.features import AT, FEAT, SWINGS_WHILE_SPEAKING, features_from
    from copilot.signals.window import TickRing

    def shake_feature(speaking: float) -> float:
        ring = TickRing(len(AT), 20, 60)
        for k in range(20):
            row = np.zeros(len(AT))
            row[AT["seen"]], row[AT["speaking"]] = 1.0, speaking
            row[AT["shake_swings"]] = 1.0 if k % 10 == 0 else 0.0  # two swings in 2 s
            ring.add(row)
        return float(features_from(ring)[FEAT["head_shake"]])

    assert shake_feature(0.0) == pytest.approx(2 / 3)
    assert shake_feature(1.0) == pytest.approx(2 / 3 * SWINGS_WHILE_SPEAKING)
