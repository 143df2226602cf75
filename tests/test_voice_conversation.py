"""Turn-taking on a two-channel conversation assembled with known turns, a backchannel and an interruption."""

from __future__ import annotations

import numpy as np
import pytest
from speech import Track, say, tools_missing, with_noise

# System audio is a mixed track: its one speaker here is its first voice (copilot/voice/speakers.py).
THEM = "v1"

pytestmark = pytest.mark.skipif(tools_missing() is not None, reason=f"speech generation: {tools_missing()}")


@pytest.fixture(scope="module")
def call():
    from copilot.voice.replay import replay

    them_voice = {"pitch": 70, "voice": "en-gb"}
    you, them = Track(), Track()
    you.put(0.3, say("Good morning, thanks for joining the call today."))
    them.put(you.spoken[-1][1] + 0.6, say("Happy to be here, I have been looking forward to it.",
                                          **them_voice))
    you.put(them.spoken[-1][1] + 0.35,
            say("Great. Let me walk you through the proposal first, and then we can talk about pricing."))
    them.put(you.spoken[-1][0] + 2.0, say("okay", **them_voice), "backchannel")
    them.put(you.spoken[-1][1] - 0.8, say("Sorry can I ask about the timing before you go on?", **them_voice))
    you.put(them.spoken[-1][1] + 0.5, say("Of course, go ahead."))
    end = max(you.duration_s, them.duration_s) + 1.5
    you.pad_to(end)
    them.pad_to(end)
    results = list(replay({"you": with_noise(you.samples, seed=1), "them": with_noise(them.samples, seed=2)}))
    return you, them, [e for r in results for e in r.events], results[-1].conversation


def test_turns_and_response_latencies(call):
    you, _, events, stats = call
    responses = [e for e in events if e.kind == "response"]
    built = [0.6, 0.35, -0.8, 0.5]  # gaps as assembled; negative: them started before you finished
    print("\nresponse latency s: built", built, "found", [e.details["latency_s"] for e in responses])
    assert [e.channel for e in responses] == [THEM, "you", THEM, "you"]
    assert all(abs(e.details["latency_s"] - b) <= 0.1 for e, b in zip(responses, built, strict=True))
    assert all(e.end >= e.start for e in responses)  # an overlapping answer still spans forward
    assert stats.longest_monologue_s["you"] == pytest.approx(you.spoken[1][1] - you.spoken[1][0], abs=0.1)


def test_backchannel_and_interruption(call):
    _, them, events, _ = call
    backchannels = [e for e in events if e.kind == "backchannel"]
    interruptions = [e for e in events if e.kind == "interruption"]
    assert [(e.channel, e.details["during"]) for e in backchannels] == [(THEM, "you")]
    assert abs(backchannels[0].start - them.spoken[1][0]) <= 0.1
    assert [(e.channel, e.details["interrupted"]) for e in interruptions] == [(THEM, "you")]
    assert interruptions[0].details["overlap_s"] == pytest.approx(0.8, abs=0.1)
    assert not [e for e in events if e.kind == "pause" and e.details["duration_s"] > 1.0]  # gaps were turns


def test_talk_share_adds_up(call):
    you, them, _, stats = call
    spoken = {name: sum(e - s for s, e, _ in track.spoken) for name, track in (("you", you), ("them", them))}
    expected = spoken["you"] / (spoken["you"] + spoken["them"])
    assert stats.talk_share_1min["you"] + stats.talk_share_1min[THEM] == pytest.approx(1.0)
    assert stats.talk_share_1min["you"] == pytest.approx(expected, abs=0.05)


def test_a_channel_with_less_than_one_window_so_far_has_no_talk_yet():
    from copilot.capture.items import AudioChunk
    from copilot.engine.step import Step
    from copilot.voice.analyzer import VoiceAnalyzer

    analyzer = VoiceAnalyzer()
    result = analyzer.analyze(Step(t=2.45, frame=None,
                                   audio={"you": AudioChunk(2.43, np.zeros(320, np.float32), "you")}))
    assert result.conversation.talk_seconds_1min == {"you": 0.0}
