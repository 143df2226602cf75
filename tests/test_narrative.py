"""The report's written summary says one thing about attention.

A disengagement event can peak and end before the engagement state turns to "disengaged" (a
witness looking at a lawyer for the last 3 s of trial_lie_004). The summary once said "Attention
never dropped into disengagement" and, two sentences on, "re-engage around 0:08: that is where
attention dropped".
"""

from __future__ import annotations

from copilot.session.library import SessionData
from copilot.session.narrative import summary

NEUTRAL = [{"state": "neutral", "start": 3.0, "end": 11.6, "participant": "p1"}]
QUALITY = {"quality_index": 49, "clarity": 78, "authority": 78, "energy": 8, "rapport": 57, "learning": 25}


def _session(states: list[dict], signals: list[dict]) -> SessionData:
    person = {"id": "p1", "source": "file", "first_seen": 1.0, "last_seen": 11.6, "by": "face"}
    document = {"participants": [person],
                "engagement_state": states, "signals": signals, "conversation": [],
                "conversation_quality": {"overall": QUALITY, "timeline": []}}
    return SessionData(None, document)


def _disengagement(start: float, end: float) -> dict:
    return {"type": "disengagement", "start": start, "end": end, "probability": "medium",
            "rationale": "Looked away for 4.8 s.", "modality": ["visual"], "participant": "p1", "peak": 0.62}


def test_a_brief_disengagement_is_named_where_attention_is_summed_up():
    said = " ".join(summary(_session(NEUTRAL, [_disengagement(8.8, 11.6)])))
    assert "Attention never dropped into the disengaged state." in said
    assert "Disengagement showed once without lasting long enough for that: p1 at 0:08–0:11." in said
    assert "where disengagement showed" in said and "where attention dropped" not in said


def test_without_any_disengagement_nothing_more_is_said():
    said = " ".join(summary(_session(NEUTRAL, [])))
    assert "Attention never dropped into the disengaged state." in said and "Disengagement showed" not in said


def test_a_disengaged_state_is_listed_as_a_drop():
    states = [{"state": "neutral", "start": 3.0, "end": 6.0, "participant": "p1"},
              {"state": "disengaged", "start": 6.0, "end": 11.6, "participant": "p1"}]
    said = " ".join(summary(_session(states, [_disengagement(5.0, 11.6)])))
    assert "Attention dropped 1 time, longest first: p1 at 0:06–0:11." in said and "never" not in said
