"""Laughter heard in a recording reaches the signals and is named in the rationale."""

from __future__ import annotations

from test_signals_real import analyse


def test_a_laugh_raises_engagement_and_is_named(shared_data):
    """justforlaughs: "hey, my name is Gloria..." (1.0-2.4 s), then a laugh (3.1-4.4 s)."""
    document = analyse(shared_data, "justforlaughs/example_audio.wav")["document"]
    laughed = [s for s in document["signals"] if s["rationale"].startswith("Laughed for")]
    assert laughed, [s["rationale"] for s in document["signals"]]
    assert all(s["type"] in ("engagement", "interest", "agreement") for s in laughed)
    assert all(s["start"] >= 3.0 for s in laughed)  # not during the speech before the laugh
    seconds = float(laughed[0]["rationale"].split("Laughed for ")[1].split(" s")[0])
    assert 1.0 <= seconds <= 2.0  # the laugh lasts about 1.3 s


def test_speech_alone_is_not_called_laughing(shared_data):
    document = analyse(shared_data, "whisper/jfk.flac")["document"]
    assert not [s for s in document["signals"] if "augh" in s["rationale"]]


def test_a_laugh_is_not_talk(shared_data):
    """The same recording: her words take 1.0-2.4 s; the voice hears 0.7-2.5 s and then a second
    utterance of 2.9-4.3 s, most of it the laugh (found at 3.2-4.6 s). Talk time counts the words,
    not the laugh: before, it was both utterances, 3.3 s."""
    document = analyse(shared_data, "justforlaughs/example_audio.wav")["document"]
    (row,) = document["conversation"]
    assert 1.4 <= row["talk_s"] <= 2.5, row


def test_the_live_talk_ratio_leaves_a_laugh_out_too():
    """Two people talk for 3 s each at 10 ticks a second; then the second one's laugh is found
    over the last 2 s of their talk, after those ticks were counted: the ratio moves to 3 : 1."""
    from copilot.signals.measures import Talk, talk_values
    from copilot.voice.cues import VoiceEvent

    first, second = Talk(), Talk()
    for k in range(30):
        first.spoke(k / 10)
        second.spoke(3.0 + k / 10)
    assert talk_values({"p1": first, "p2": second}, 10.0, False)["p1"]["talk_ratio"] == 0.5
    second.add_event(VoiceEvent("laughter", "v2", 4.0, 6.0, {}))
    assert talk_values({"p1": first, "p2": second}, 10.0, False)["p1"]["talk_ratio"] == 0.75
    second.add_event(VoiceEvent("laughter", "v2", 4.0, 6.0, {}))  # the same ticks are not taken twice
    assert second.speaking_ticks == 10
