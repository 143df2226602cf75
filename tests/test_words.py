"""Lexical cues, word-time estimates and word error rate: the parts of copilot/words that need no model."""

from __future__ import annotations

import pytest

from copilot.words.accuracy import word_errors, words_of
from copilot.words.lexicon import LexiconError, find, load, words_per_minute
from copilot.words.timing import Word, spread, syllables


def words(text: str, start: float = 0.0, step: float = 0.3) -> list[Word]:
    return [Word(w, start + k * step, start + (k + 1) * step) for k, w in enumerate(text.split())]


def kinds(text: str) -> list[tuple[str, str]]:
    return [(c.kind, c.quote) for c in find(words(text))]


def test_fillers_are_found_by_their_words():
    assert kinds("Um, I like, I like beans.") == [("filler", "Um")]
    assert kinds("I don't know what to say, but um, here's some retracing") == [
        ("hedge", "I don't know"), ("filler", "um")]


def test_a_response_token_counts_only_when_it_opens_the_utterance_on_its_own():
    assert kinds("Yeah.") == [("affirmation", "Yeah")]
    assert kinds("Right, that works for me.") == [("affirmation", "Right")]
    assert kinds("Right here is the file.") == []  # run into the sentence: an ordinary word
    assert kinds("We did it the right way.") == []
    assert kinds("No one came.") == []
    assert kinds("No, that's not what I meant.") == [("pushback", "No"), ("pushback", "that's not what")]


def test_each_kind_of_cue_and_the_question_it_closes():
    assert ("hedge", "I'm not sure") in kinds("I'm not sure that will hold.")
    assert ("clarification", "what do you mean") in kinds("Sorry what do you mean by that?")
    assert ("doubt", "Really") in kinds("Really? Are you sure?")
    assert ("doubt", "Are you sure") in kinds("Really? Are you sure?")
    assert ("curiosity", "Tell me more") in kinds("Tell me more about the rollout.")
    assert ("frustration", "waste of time") in kinds("What a waste of time.")
    assert ("question", "And how long does it take") in kinds("Okay. And how long does it take?")


def test_a_longer_phrase_is_one_cue_not_two():
    assert kinds("I think maybe later.") == [("hedge", "I think maybe")]


def test_words_per_minute_needs_a_second_of_speech():
    assert words_per_minute(words("one two three four five", step=0.4)) == 150.0
    assert words_per_minute(words("yeah")) is None


def test_a_broken_lexicon_is_named(tmp_path):
    bad = tmp_path / "lexicon.toml"
    bad.write_text('[hedge]\nfeature = "hedgin"\nanywhere = ["maybe"]\n')
    with pytest.raises(LexiconError, match=r"lexicon.toml: \[hedge\] feature: not a signals feature"):
        load(bad)
    bad.write_text('[hedge]\nfeature = "hedging"\nanywhere = "maybe"\n')
    with pytest.raises(LexiconError, match=r"\[hedge\] anywhere: expected a list of phrases"):
        load(bad)


def test_syllables_from_spelling():
    assert [syllables(w) for w in ("beans", "country", "make", "Americans,", "p2", "x4", "a")] == [
        1, 2, 1, 4, 2, 2, 1]


def test_words_are_spread_by_syllables_and_kept_out_of_pauses():
    placed = spread("ask not what", 1.0, 2.0)
    assert [round(w.start, 3) for w in placed] == [1.0, 1.333, 1.667] and placed[-1].end == 2.0
    # a 1 s pause between two voiced spans: no word starts inside it
    placed = spread("one two three four", 0.0, 3.0, voiced=[(0.0, 1.0), (2.0, 3.0)])
    assert all(not 1.0 < w.start < 2.0 for w in placed)
    assert placed[2].start == pytest.approx(2.0) and placed[-1].end == pytest.approx(3.0)


def test_word_error_rate_scores_words_not_spelling():
    assert words_of("Set white with p2 soon.") == ["set", "white", "with", "p", "two", "soon"]
    assert word_errors("set white with p two soon", "Set white with p2 soon.").errors == 0
    score = word_errors("ask not what your country can do", "As not what your country can do for")
    assert (score.errors, score.reference_words) == (2, 7)  # one substitution, one insertion


def test_a_filled_pause_counts_once_whether_the_sound_the_words_or_both_find_it():
    """The issue: a filled pause counts when either finds it. One the sound found at 1.0 s and
    the words place at 1.2 s is one filler; one only the words found is another."""
    from copilot.signals.config import model, rationales
    from copilot.signals.features import AT
    from copilot.signals.participant import ParticipantSignals
    from copilot.voice.cues import VoiceEvent
    from copilot.words.analyzer import Said

    person = ParticipantSignals("p1", model(), rationales(), 0.0, False)
    person.add_voice_event(VoiceEvent("filled_pause", "file", 1.0, 1.4))
    assert person.acc[AT["fillers"]] == 1
    text = "so um tonight I mean um or no"
    spoken = words(text, start=0.9, step=0.3)  # "um" at 1.2 s and 2.4 s
    person.add_said(Said("file", 0.9, 3.3, text, spoken, find(spoken), None), 3.5)
    assert person.acc[AT["fillers"]] == 2  # the first "um" is the sound's; the second is new
    assert "um" in {q for _, feature, q in person.quotes if feature == "fillers"}


def test_a_broken_reading_file_is_named(tmp_path):
    from copilot.words.speech_to_text import SpeechModelError, load_reading

    bad = tmp_path / "reading.toml"
    bad.write_text("[model]\ndetector_threshold = 0.0\n")
    with pytest.raises(SpeechModelError, match=r"reading.toml: missing or not a number: 'level'"):
        load_reading(bad)
    bad.write_text("[model\n")
    with pytest.raises(SpeechModelError, match=r"speech reading settings .*reading.toml"):
        load_reading(bad)


def test_each_read_is_brought_to_one_peak_level_with_the_gain_capped():
    import numpy as np

    from copilot.words.speech_to_text import Reading, levelled

    settings = Reading(0.0, -10.0, 10 ** (30 / 20))
    tone = np.sin(np.linspace(0, 200, 16000)).astype(np.float32)
    for level in (2.0, 0.1, 0.01):  # over full scale (GRID's decoded MPEG), quiet, very quiet
        assert np.max(np.abs(levelled(tone * level, settings))) == pytest.approx(10 ** (-10 / 20), rel=1e-4)
    faint = levelled(tone * 1e-4, settings)  # -80 dBFS: raised by 30 dB only
    assert np.max(np.abs(faint)) == pytest.approx(1e-4 * 10 ** (30 / 20), rel=1e-4)
    assert not levelled(np.zeros(160, np.float32), settings).any()


def _job(voiced, seconds=8.0):
    import numpy as np

    from copilot.words.analyzer import _Job

    samples = np.arange(round(seconds * 16000), dtype=np.float32) / 16000  # each sample says its time
    return _Job("mic", voiced[0][1], voiced[-1][2], 0.0, samples, voiced)


def test_each_utterance_is_read_on_its_own_with_its_voices_pieces_joined():
    from copilot.words.analyzer import PAD_S, _utterances

    # one utterance cut into two voices at 2.0 s, a pause of 0.1 s, another utterance, a long pause, a third
    reads = _utterances(_job([("v1", 1.0, 2.0), ("v2", 2.0, 3.0), ("v1", 3.1, 4.0), ("v1", 5.0, 6.0)]))
    spans = [(t0, float(s[0]), float(s[-1]) + 1 / 16000) for t0, s in reads]
    assert [round(t0, 3) for t0, _, _ in spans] == [round(first, 3) for _, first, _ in spans]
    assert [(round(a, 3), round(b, 3)) for _, a, b in spans] == [
        (1.0 - PAD_S, 3.05), (3.05, 4.0 + PAD_S), (5.0 - PAD_S, 6.0 + PAD_S)]  # half the 0.1 s pause each


def test_an_utterance_too_long_for_the_model_is_cut_where_it_is_quietest():
    import numpy as np

    from copilot.words.analyzer import MAX_STRETCH_S, _within_reach

    rng = np.random.default_rng(0)
    audio = rng.normal(0, 0.1, 60 * 16000).astype(np.float32)
    audio[24 * 16000 : 24 * 16000 + 800] = 0  # the quietest moment of the first half ...
    audio[40 * 16000 : 40 * 16000 + 800] = 0  # ... and of what follows it
    parts = _within_reach(3.0, audio)
    assert [round(t0, 2) for t0, _ in parts] == [3.0, 27.0, 43.0]
    assert all(len(p) <= MAX_STRETCH_S * 16000 for _, p in parts)
    assert np.array_equal(np.concatenate([p for _, p in parts]), audio)
