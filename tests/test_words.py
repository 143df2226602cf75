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
