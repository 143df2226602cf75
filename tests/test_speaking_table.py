"""The report's speaking table: each voice's "eyes on screen" is that voice's own face, and a
laugh is no talk.

It was once one figure for all faces, repeated on every row, so a voice heard with no face on
screen (lightasd_tiwater/00000.avi's second man, off camera) read "eyes on screen 100%".
"""

from __future__ import annotations

from copilot.session.library import SessionData
from copilot.session.summaries import speaking_metrics


def _session(voices: dict[str, float], faces: dict[str, list[float]],
             links: dict[str, list[str]]) -> SessionData:
    """Utterances of `voices` (channel -> seconds), per-second at_screen shares of `faces`, and the
    analysis's voice-to-person links (the result's "conversation" rows)."""
    events = [{"kind": "utterance", "who": ch, "start": 0.0, "end": seconds, "syllables": 4}
              for ch, seconds in voices.items()]
    summaries = {pid: [(float(k), {"at_screen": share}) for k, share in enumerate(shares)]
                 for pid, shares in faces.items()}
    conversation = [{"participant": pid, "voices": chs} for pid, chs in links.items()]
    return SessionData(None, {"conversation": conversation, "signals": [], "participants": []},
                       cue_events=events, cue_summaries=summaries)


def _eyes(data: SessionData) -> dict[str, float | None]:
    return {m.channel: m.eyes_on_screen for m in speaking_metrics(data)}


def test_a_voice_heard_with_no_face_has_no_eyes_on_the_screen():
    data = _session({"v1": 8.0, "v2": 3.5}, {"p1": [1.0, 1.0, 0.5, 1.0]}, {"p1": ["v1"], "v2": ["v2"]})
    assert _eyes(data) == {"v1": 0.875, "v2": None}


def test_each_voice_has_its_own_face_s_share():
    data = _session({"v1": 4.0, "v2": 4.0}, {"p1": [1.0, 1.0], "p2": [0.0, 0.5]},
                    {"p1": ["v1"], "p2": ["v2"]})
    assert _eyes(data) == {"v1": 1.0, "v2": 0.25}


def test_the_microphone_is_the_one_face_a_practice_camera_sees():
    """The analysis never gives the microphone ("you") a face; in practice the camera's one face
    is the user's. With two faces nobody can say which is theirs."""
    practice = _session({"you": 10.0}, {"p1": [1.0, 0.0]}, {"you": ["you"]})
    assert _eyes(practice) == {"you": 0.5}
    two_faces = _session({"you": 10.0}, {"p1": [1.0], "p2": [0.0]}, {"you": ["you"]})
    assert _eyes(two_faces) == {"you": None}


def test_a_laugh_inside_an_utterance_is_not_speaking_time():
    data = _session({"v1": 4.0, "v2": 2.0}, {}, {})
    data.cue_events.append({"kind": "laughter", "who": "v1", "start": 3.0, "end": 5.0})  # 1 s inside
    metrics = {m.channel: m for m in speaking_metrics(data)}
    assert metrics["v1"].speaking_s == 3.0 and metrics["v2"].speaking_s == 2.0
    assert metrics["v1"].talk_ratio == 0.6
    assert metrics["v1"].pace_syl_s == 1.0  # syllables over the utterance's time, the laugh's calls in it
