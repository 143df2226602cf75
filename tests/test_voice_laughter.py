"""Laughter from the sound (copilot/voice/laughter.py) on real recordings in ../shared/data.

What is heard in each clip (spectrograms and envelopes looked at; see PROVENANCE_ADDITIONS.md):
- justforlaughs/example_audio: "hey, my name is Gloria..." at 1.0-2.4 s, then a laugh of
  rhythmic breathy bursts, about 4.4 a second, at 3.1-4.4 s.
- whisper_timestamped/laugh1: laughter only, two bouts at 0.1-2.1 s and 2.5-4.3 s.
- whisper_timestamped/laugh2: one 0.7 s giggle of three calls ("hehehe"): shorter than the
  four calls a bout needs (laughter.toml [bout]), so it is not expected to be found.
- Speech that must not read as laughter: a slow, emphatic address (jfk), a reading with
  fillers (batchalign), radio addresses (sadtalker), meeting speech (AMI), acted emotional
  sentences including happy and angry (ravdess), public speeches and a lively interview
  (resemblyzer), a film dialogue and band-limited radio traffic (whisper_timestamped).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

LAUGHS = {  # clip -> laughter spans (s) heard in it
    "justforlaughs/example_audio.wav": [(3.1, 4.4)],
    "whisper_timestamped/laugh1.mp3": [(0.1, 2.1), (2.5, 4.3)],
}
SPEECH = ["whisper/jfk.flac", "batchalign/test.mp3", "sadtalker/RD_Radio31_000.wav",
          "sadtalker/RD_Radio34_002.wav", "sadtalker/RD_Radio36_000.wav", "sadtalker/RD_Radio40_000.wav",
          "pyannote/ami_dev00.wav", "ravdess_audio/03-01-01-01-01-01-01.wav",
          "ravdess_audio/03-01-03-02-01-01-01.wav", "ravdess_audio/03-01-05-01-01-01-01.wav",
          "ravdess_audio/03-01-05-02-01-01-01.wav", "ravdess_audio/03-01-06-02-01-01-01.wav",
          "resemblyzer/dpJE5qd9CRM.mp3", "resemblyzer/y0xEoKRHRi4.mp3", "resemblyzer/X2zqiX6yL3I.mp3",
          "diarizen/EN2002a_30s.wav", "whisper_timestamped/gloria.mp3", "whisper_timestamped/apollo11.mp3"]


def _file_audio(path: Path) -> np.ndarray:
    """A recording's sound as 16 kHz mono float32, decoded with PyAV as the app does."""
    import av

    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=16_000)
        chunks = [f.to_ndarray().reshape(-1) for frame in container.decode(audio=0)
                  for f in resampler.resample(frame)]
    return np.concatenate(chunks).astype(np.float32)


def _laughs(path: Path) -> tuple[list, float]:
    from copilot.voice.replay import replay

    audio = _file_audio(path)
    events = [e for result in replay({"file": audio}) for e in result.events if e.kind == "laughter"]
    return events, len(audio) / 16_000


def _covered(spans: list[tuple[float, float]], events: list) -> float:
    """Share of the labelled laughter time that found events cover."""
    total = sum(end - start for start, end in spans)
    hit = sum(max(0.0, min(end, e.end) - max(start, e.start)) for start, end in spans for e in events)
    return hit / total


@pytest.mark.parametrize("clip", sorted(LAUGHS))
def test_laughter_is_found_where_it_is_heard(shared_data, clip):
    events, _ = _laughs(shared_data / clip)
    spans = LAUGHS[clip]
    print(f"\n{clip}: recall {_covered(spans, events):.0%} of {spans}, found "
          + ", ".join(f"{e.start:.2f}-{e.end:.2f} ({e.details['calls']} calls, {e.details['rate_hz']}/s)"
                      for e in events))
    for start, end in spans:  # every bout is found, and nothing outside the laughs
        assert any(e.start < end and e.end > start for e in events), (start, end)
    for event in events:
        assert any(event.start < end + 0.2 and event.end > start - 0.2 for start, end in spans), event
        assert 3.0 <= event.details["rate_hz"] <= 6.5  # Provine's and Bachorowski's 4.4-4.8 a second
    assert _covered(spans, events) >= 0.5


def test_speech_before_a_laugh_is_not_laughter(shared_data):
    events, _ = _laughs(shared_data / "justforlaughs/example_audio.wav")
    assert all(e.start > 2.6 for e in events)  # "hey, my name is Gloria" ends at 2.4 s


@pytest.mark.slow
def test_speech_does_not_read_as_laughter(shared_data):
    found, minutes = [], 0.0
    for clip in SPEECH:
        events, seconds = _laughs(shared_data / clip)
        minutes += seconds / 60
        found += [(clip, round(e.start, 2), round(e.end, 2)) for e in events]
    print(f"\nlaughter in {minutes:.1f} min of speech: {len(found)} ({len(found) / minutes:.2f}/min) {found}")
    assert len(found) / minutes <= 0.15  # at most about one false laugh in 7 minutes of talk


def test_what_is_found_does_not_depend_on_the_step_size(shared_data):
    from copilot.voice.replay import replay

    audio = _file_audio(shared_data / "whisper_timestamped/laugh1.mp3")
    found = [[(e.start, e.end, e.details["calls"]) for r in replay({"file": audio}, step_s=step)
              for e in r.events if e.kind == "laughter"] for step in (0.1, 0.37)]
    assert found[0] == found[1] and found[0]


def _over_jfk(shared_data: Path, mine: np.ndarray) -> list:
    """`mine` on the microphone from 7.0 s, inside jfk.flac's sentence on the other side (it
    ends at 7.7 s) and past its end: the voice stage's events."""
    from copilot.voice.analyzer import VoiceAnalyzer
    from copilot.voice.replay import replay

    speech = _file_audio(shared_data / "whisper/jfk.flac")
    you = np.zeros_like(speech)
    you[112_000:112_000 + len(mine)] = mine
    results = replay({"you": you, "them": speech}, VoiceAnalyzer(speakers=False))
    return [e for r in results for e in r.events]


def test_laughing_along_with_the_speaker_is_not_cutting_in(shared_data):
    """The example laugh (justforlaughs, 3.0-4.6 s) over the end of JFK's sentence. Laughing
    along is affiliation, not an interruption: weights.toml counts interruptions towards
    disagreement and frustration. Until the conversation waited for the laughter watch (about
    0.4 s after the voice gate closes), the voice stage reported "you" interrupting at 6.99 s."""
    laugh = _file_audio(shared_data / "justforlaughs/example_audio.wav")[48_000:73_600]
    events = _over_jfk(shared_data, laugh)
    assert [e for e in events if e.kind == "laughter" and e.channel == "you"]  # the laugh is heard
    assert not [e for e in events if e.kind in ("interruption", "overlap", "backchannel")]
    assert all(e.channel == "them" for e in events if e.kind == "turn")  # the laugh took no turn


def test_saying_something_at_that_moment_still_cuts_in(shared_data):
    """The same place with words instead ("hey, my name is Gloria...", 1.0-2.4 s of the same
    recording, longer than a backchannel): an interruption of the speaker, as before, and JFK,
    going on at 7.9 s while she still talks, cutting back in. The same events as before the
    conversation waited for the laughter watch."""
    said = _file_audio(shared_data / "justforlaughs/example_audio.wav")[16_000:38_400]
    events = _over_jfk(shared_data, said)
    assert not [e for e in events if e.kind == "laughter"]
    cut_in = [(e.channel, e.details["interrupted"]) for e in events if e.kind == "interruption"]
    assert cut_in == [("you", "them"), ("them", "you")]
