"""Transcription on real recordings: word error rate, how far the estimated word times are off,
and what the words change in the signals (an "um" is no agreement, a "yeah" is).

References: GRID's transcripts and hand-checked word timings (swwp2s.align), JFK's well-known
sentence, batchalign's aligned fixture (read and spontaneous speech with "um"s), RAVDESS's
acted sentence (its file names say what was said), and for the film dialogue gloria.mp3
only Whisper-medium's output (a model, so that clip is measured, not held to a bound of its
own).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from speech import Track, say, tools_missing, with_noise
from words_steps import ended, run_words, said

from copilot.words.accuracy import timing_offsets, word_errors

pytestmark = pytest.mark.slow

JFK = ("And so my fellow Americans, ask not what your country can do for you, "
       "ask what you can do for your country.")
# Moonshine's paper (Jeffries et al. 2024, table 2) gives tiny 12.7% mean WER over the Open ASR
# leaderboard sets (4.5% on LibriSpeech clean). Twice that on our read and prepared speech
# would mean the pipeline around the model (cutting, joining, padding) loses words.
READ_SPEECH_WER = 0.25
# A word lasts about 0.3 s at conversational pace (150-200 words a minute): an estimate that is
# typically off by more than a word is no use for finding where something was said.
MEDIAN_TIMING_OFF_S = 0.3
# RAVDESS: six clear words said five ways. Reading whatever Moonshine's own detector cut lost
# 5 of the 30 (17%); 3 of 30 leaves room for a slip in three takes, not for a cut sentence.
ACTED_WER = 0.1


def _transcribe(path: Path) -> list:
    from copilot.capture.media_file import MediaFile
    from copilot.engine.loop import Engine
    from copilot.voice.analyzer import VoiceAnalyzer
    from copilot.words.analyzer import WordsAnalyzer

    out = []
    engine = Engine([MediaFile(path)], [VoiceAnalyzer(), WordsAnalyzer()],
                    [lambda step: out.extend(step.results["words"].said)], lossless=True)
    engine.run()
    return out


@pytest.fixture(scope="module")
def clips(shared_data):
    rows = csv.DictReader((shared_data / "grid_lipnet/transcripts.csv").read_text().splitlines())
    grid = {row["file"]: row["transcript"] for row in rows}
    batch = json.loads((shared_data / "batchalign/test.json").read_text())
    batch_words = [(w["text"], w["time"][0] / 1000, w["time"][1] / 1000)
                   for u in batch["content"] for w in u["content"] if w.get("time")]
    align = [line.split() for line in (shared_data / "grid_lipnet/swwp2s.align").read_text().splitlines()]
    grid_words = [(w, int(a) / 25000, int(b) / 25000) for a, b, w in align if w not in ("sil", "sp")]
    gloria = json.loads((shared_data / "whisper_timestamped/gloria.mp3.words.json").read_text())
    refs = {f"grid_lipnet/{name}": (text, None) for name, text in grid.items()}
    refs["grid_lipnet/id2_vcd_swwp2s.mpg"] = (grid["id2_vcd_swwp2s.mpg"], grid_words)
    refs["whisper/jfk.flac"] = (JFK, None)
    refs["batchalign/test.mp3"] = (" ".join(w for w, _, _ in batch_words), batch_words)
    refs["whisper_timestamped/gloria.mp3"] = (gloria["text"], None)
    for row in csv.DictReader((shared_data / "ravdess_audio/labels.csv").read_text().splitlines()):
        refs[f"ravdess_audio/{row['file']}"] = (row["statement"], None)
    found = {}
    for name, (text, timed) in refs.items():
        stretches = _transcribe(shared_data / name)
        heard = " ".join(s.text for s in stretches)
        estimated = [(w.word, w.start, w.end) for s in stretches for w in s.words]
        found[name] = (word_errors(text, heard), timing_offsets(timed, estimated) if timed else None, heard)
        print(f"\n{name}: WER {found[name][0].wer:.1%} | {heard}")
    return found


def test_word_error_rate_on_read_and_prepared_speech(clips):
    read = [k for k in clips if not k.startswith(("whisper_timestamped", "ravdess"))]
    print("\n\nclip                                   kind            words  errors   WER")
    for name, (score, _, _) in clips.items():
        kind = "read" if name in read else "acted" if name.startswith("ravdess") else "conversational"
        print(f"{name:38s} {kind:15s} {score.reference_words:5d} {score.errors:7d} {score.wer:6.1%}")
    errors = sum(clips[k][0].errors for k in read)
    total = sum(clips[k][0].reference_words for k in read)
    print(f"\nread and prepared speech: {errors}/{total} words wrong = {errors / total:.1%} WER")
    assert errors / total <= READ_SPEECH_WER
    assert clips["whisper/jfk.flac"][0].wer <= READ_SPEECH_WER
    # the spontaneous part comes through too (a single word such as "beans" may come out "beings":
    # two runs of the same file can differ by a word, so the clip's rate is what is held to)
    assert clips["batchalign/test.mp3"][0].wer <= READ_SPEECH_WER


def test_acted_lines_quiet_or_loud_come_through_whole(clips):
    """RAVDESS actor 01 says one sentence five ways, from neutral (peak -28 dBFS) to shouted
    angry: each is read as the one utterance our gate hears, so Moonshine's own detector no
    longer cuts it (with it, 5 of the 30 words were lost or misheard)."""
    acted = [k for k in clips if k.startswith("ravdess")]
    errors = sum(clips[k][0].errors for k in acted)
    total = sum(clips[k][0].reference_words for k in acted)
    print(f"\nacted sentences (RAVDESS): {errors}/{total} words wrong = {errors / total:.1%} WER")
    assert len(acted) == 5 and errors / total <= ACTED_WER


def test_conversational_film_dialogue_is_measured(clips):
    score = clips["whisper_timestamped/gloria.mp3"][0]
    print(f"\ngloria (quiet film dialogue, against Whisper-medium's words): WER {score.wer:.1%}")
    assert score.wer < 1.0  # something is heard; the figure is reported, not tuned to


def test_estimated_word_times_against_aligned_ones(clips):
    for name in ("grid_lipnet/id2_vcd_swwp2s.mpg", "batchalign/test.mp3"):
        offsets = clips[name][1]
        print(f"\n{name}: {len(offsets)} words matched, start off by median {np.median(offsets):.3f} s, "
              f"90th percentile {np.percentile(offsets, 90):.3f} s")
        assert len(offsets) >= 3
        assert np.median(offsets) <= MEDIAN_TIMING_OFF_S


def test_a_file_hands_on_each_utterance_as_it_ends_not_when_the_talk_ends(shared_data):
    """batchalign's reader pauses between lines: each line's words reach the session RELEASE_S
    after it ends. Gathered into one stretch they came only once the whole talk had ended, so
    the app showed no caption through a monologue."""
    from copilot.capture.media_file import MediaFile
    from copilot.engine.loop import Engine
    from copilot.voice.analyzer import VoiceAnalyzer
    from copilot.words.analyzer import RELEASE_S, WordsAnalyzer

    handed = []
    engine = Engine([MediaFile(shared_data / "batchalign/test.mp3")], [VoiceAnalyzer(), WordsAnalyzer()],
                    [lambda step: handed.extend((step.t, s) for s in step.results["words"].said)],
                    lossless=True)
    engine.run()
    print("\n".join(f"{t:6.2f} s: {s.start:6.2f}-{s.end:6.2f} {s.text}" for t, s in handed))
    assert len(handed) >= 5
    assert all(t <= said.end + RELEASE_S + 0.2 for t, said in handed)  # a step is at most 0.1 s
    assert sum(t < handed[-1][1].start for t, _ in handed) >= 4  # most came while the talk went on


def test_the_fillers_come_from_the_words(clips):
    heard = clips["batchalign/test.mp3"][2].lower()
    assert heard.count("um") >= 2  # "but um, here's some retracing", "um I like I like beans"


speech_missing = pytest.mark.skipif(tools_missing() is not None, reason=f"speech: {tools_missing()}")


def _lone_word(word: str) -> np.ndarray:
    track = Track()
    track.put(0.3, say("I think we should start with the budget for next year."))
    track.then(2.0, say(word, flat=word.startswith("u")), word)
    track.then(2.0, say("So the first line is travel."))
    track.pad_to(track.duration_s + 1.5)
    return with_noise(track.samples, seed=3)


@speech_missing
def test_an_um_on_its_own_is_a_filler_not_agreement():
    samples = _lone_word("umm")
    assert ended(run_words(samples, words=False), "agreement")  # the sound alone took it for a response
    steps = run_words(samples)
    assert not ended(steps, "agreement")
    assert any(c["kind"] == "filler" for d in said(steps) for c in d["cues"])


@speech_missing
def test_a_yeah_on_its_own_is_agreement():
    steps = run_words(_lone_word("yeah"))
    agreement = ended(steps, "agreement")
    # the rationale quotes the words heard, not just "a short spoken response"
    assert agreement and 'said "yeah' in agreement[0].rationale.lower(), agreement[0].rationale
    assert [d["text"] for d in said(steps)][1].lower().startswith("yeah")


def test_the_transcript_reaches_the_result_the_session_record_search_and_report(shared_data, tmp_path):
    import subprocess
    import sys

    from copilot.result.document import validate

    def copilot(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "copilot", *args], capture_output=True, text=True,
                              timeout=120)

    out, report = tmp_path / "jfk.json", tmp_path / "jfk.html"
    jfk = str(shared_data / "whisper/jfk.flac")
    done = copilot("analyze", jfk, "--out", str(out), "--report", str(report))
    assert done.returncode == 0, done.stderr
    document = json.loads(out.read_text())
    validate(document)
    transcript = document["transcript"]
    assert transcript and all(s["participant"] == document["participants"][0]["id"] for s in transcript)
    assert word_errors(JFK, " ".join(s["text"] for s in transcript)).wer <= READ_SPEECH_WER
    for stretch in transcript:
        starts = [w["start"] for w in stretch["words"]]
        assert starts == sorted(starts) and stretch["start"] <= starts[0]
        assert stretch["words"][-1]["end"] <= stretch["end"] + 1e-3

    shown = copilot("sessions", "show", "last", "--transcript")
    assert shown.returncode == 0 and f"transcript: {len(transcript)} lines" in shown.stdout
    assert transcript[-1]["text"] in shown.stdout
    found = copilot("sessions", "search", "YOUR COUNTRY")
    assert found.returncode == 0 and "jfk.flac" in found.stdout and "country" in found.stdout
    assert copilot("sessions", "search", "zebra crossing").returncode == 1
    exported = json.loads(copilot("sessions", "export", "last").stdout)
    assert exported["transcript"] == transcript
    assert "What was said" in report.read_text() and "your country" in report.read_text()


@speech_missing
def test_a_hedge_is_quoted_in_the_uncertainty_rationale():
    """The issue's "Said 'I'm not sure' and paused 2 s": the words said are quoted. (The 2 s
    pause after them is not named yet: the pause features do not drive uncertainty enough.)"""
    track = Track()
    track.put(0.3, say("So what do you think about the new plan for the office?"))
    track.then(1.0, say("Well, I'm not sure,"), "not sure")
    track.then(2.0, say("it could work, but the rooms are small."))
    track.pad_to(track.duration_s + 2.0)
    steps = run_words(with_noise(track.samples, seed=5))
    unsure = ended(steps, "uncertainty")
    print("\n" + "\n".join(e.rationale for e in unsure))
    assert any("\"I'm not sure\"" in e.rationale for e in unsure), [e.rationale for e in unsure]


# Word times are estimated (median 0.24 s off on batchalign, see above) and the sound detector
# marks the vowel it hears, so a detection within half a second of the labelled vowel (about
# two words at conversational pace) is the same filler.
FILLER_SLACK_S = 0.5
FILLER_RECALL = 0.9  # the target


def _fillers_found(path: Path) -> list[tuple[str, float, float]]:
    """Fillers the product finds in a file: the words' filler cues and the voice's filled pauses."""
    from copilot.capture.media_file import MediaFile
    from copilot.engine.loop import Engine
    from copilot.voice.analyzer import VoiceAnalyzer
    from copilot.words.analyzer import WordsAnalyzer

    found: list[tuple[str, float, float]] = []

    def take(step) -> None:
        found.extend(("words", c.start, c.end) for s in step.results["words"].said for c in s.cues
                     if c.kind == "filler")
        found.extend(("sound", e.start, e.end) for e in step.results["voice"].events
                     if e.kind == "filled_pause")

    Engine([MediaFile(path)], [VoiceAnalyzer(), WordsAnalyzer()], [take], lossless=True).run()
    return found


def test_filler_recall_on_labelled_clips(shared_data):
    import tomllib

    labels = tomllib.loads((Path(__file__).parent / "scenarios/fillers.toml").read_text())["filler"]
    found = {clip: _fillers_found(shared_data / clip) for clip in {f["clip"] for f in labels}}
    hits: dict[str, list[bool]] = {"text": [], "candidate": []}
    for f in labels:
        by = sorted({how for how, a, b in found[f["clip"]]
                     if a < f["end"] + FILLER_SLACK_S and b > f["start"] - FILLER_SLACK_S})
        hits[f["source"]].append(bool(by))
        print(f"\n{f['clip']} {f['said']} {f['start']:.2f}-{f['end']:.2f}: {'+'.join(by) or 'MISSED'}",
              end="")
    for clip, dets in found.items():
        extra = [d for d in dets if not any(f["clip"] == clip and d[1] < f["end"] + FILLER_SLACK_S
                                            and d[2] > f["start"] - FILLER_SLACK_S for f in labels)]
        print(f"\n{clip}: {len(extra)} detections away from any label "
              f"({', '.join(f'{h} {a:.2f}' for h, a, _ in extra)})", end="")
    every = hits["text"] + hits["candidate"]
    print(f"\nfiller recall: {sum(every)}/{len(every)} = {sum(every) / len(every):.2f} "
          f"(independently labelled batchalign: {sum(hits['text'])}/{len(hits['text'])})")
    assert sum(every) / len(every) >= FILLER_RECALL
    assert all(hits["text"])


def test_live_caption_delay_is_measured_at_pace(shared_data):
    """The live path (words handed on as soon as they are read) with two clips played at their
    own pace: every utterance gets its caption, and the p95 delay from an utterance's end to
    its caption is printed (the issue's target is 1.5 s; a delay depends on the machine's
    load, so it is reported, not asserted)."""
    import math

    from copilot.bench.pipeline import bench_captions

    delays: list[float] = []
    for name in ("whisper/jfk.flac", "pyannote/ami_dev00.wav"):
        figures = bench_captions(shared_data / name)
        print(f"\n{name}: {figures['captions']} utterances captioned, {figures['uncaptioned']} not, "
              f"delays {figures['delays_s']}")
        assert figures["captions"] >= 4 and figures["uncaptioned"] <= 1
        delays += figures["delays_s"]
    ordered = sorted(delays)
    p95 = ordered[math.ceil(0.95 * len(ordered)) - 1]
    print(f"live caption delay over {len(delays)} utterances: median {ordered[len(ordered) // 2]:.2f} s, "
          f"p95 {p95:.2f} s (target 1.5 s)")


@pytest.mark.parametrize("detector", ["off", "on"])
def test_a_read_depends_on_its_own_audio_only_whichever_model_reads_it(shared_data, detector):
    """Moonshine 0.1.0 keeps one voice detector for the whole process, whose state every read
    used to carry on to the next, of any model: the sentence read after a longer cut of itself
    began with a "You" from the cut before, and a clip read after others read differently than
    in a new process. With the detector off (as shipped) its state cuts nothing; with it on,
    `SpeechToText.lines` clears it first. Either way the same audio reads the same (words,
    punctuation and times) first or after other audio, by one model or two at once."""
    import dataclasses
    import threading

    from copilot.capture.media_file import MediaFile
    from copilot.engine.loop import Engine
    from copilot.words.speech_to_text import SpeechToText, reading

    # "on": the library's own default threshold (reading.toml)
    settings = dataclasses.replace(reading(), detector_threshold=0.5) if detector == "on" else reading()

    chunks: list[np.ndarray] = []
    Engine([MediaFile(shared_data / "grid_lipnet/bbaf2n.mpg")], [],
           [lambda step: chunks.extend(c.samples for c in step.audio.values())], lossless=True).run()
    audio = np.concatenate(chunks)
    sentence, longer = audio[int(0.6 * 16000):int(2.4 * 16000)], audio[int(0.2 * 16000):int(2.9 * 16000)]
    first, second = SpeechToText(settings), SpeechToText(settings)
    try:
        alone = first.lines(sentence)
        assert alone and alone[0].text.lower() != "you"
        first.lines(longer)
        assert first.lines(sentence) == alone  # after other audio
        assert second.lines(sentence) == alone  # by another model, after the first one's reads
        reads: dict[str, list] = {}

        def read(name: str, model: SpeechToText) -> None:
            reads[name] = [model.lines(clip) for clip in (longer, sentence, longer, sentence)]

        both = [threading.Thread(target=read, args=(name, model))
                for name, model in (("first", first), ("second", second))]
        for thread in both:
            thread.start()
        for thread in both:
            thread.join()
        assert reads["first"] == reads["second"] and reads["first"][1] == reads["first"][3] == alone
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize("user_setting", [None, "0"])
def test_the_speech_model_adds_no_spinning_thread_pool(user_setting):
    """Moonshine's library runs its ONNX Runtime sessions with a pool of spinning threads unless
    told otherwise (speech_to_text.ONE_THREAD). Loaded as the app loads it, the model starts no
    thread; a user who sets the library's switch themselves keeps their setting. In a new process,
    since the switch is read as each model loads and stays in the environment."""
    import os
    import subprocess
    import sys

    code = ("import os; from copilot.words.speech_to_text import SpeechToText\n"
            "before = len(os.listdir('/proc/self/task')); model = SpeechToText()\n"
            "print(len(os.listdir('/proc/self/task')) - before, os.environ['MOONSHINE_ORT_SINGLE_THREAD'])")
    env = {k: v for k, v in os.environ.items() if k != "MOONSHINE_ORT_SINGLE_THREAD"}
    if user_setting is not None:
        env["MOONSHINE_ORT_SINGLE_THREAD"] = user_setting
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    added, switch = out.stdout.split()
    if user_setting is None:
        assert (int(added), switch) == (0, "1")
    else:
        assert switch == user_setting
        if (os.cpu_count() or 1) > 1:  # the library's own pool: a thread per further core
            assert int(added) >= 1
