"""The signal engine end to end on real recordings (face and voice pipelines included)."""

from __future__ import annotations

import csv
import itertools
import json
from fractions import Fraction

import numpy as np
import pytest

from copilot.capture.media_file import MediaFile
from copilot.engine.analyzers import standard_analyzers
from copilot.engine.loop import Engine
from copilot.result.document import ResultCollector, validate
from copilot.signals import SIGNALS
from copilot.signals.csv_out import COLUMNS, ScoresCsv
from copilot.vision.analyzer import PICTURE_OVER_S
from copilot.vision.people_settings import people_settings

CONFIRM_S = people_settings()["confirm"]["confirm_s"]  # a face is a participant after this (issue 18)

_RUNS: dict[tuple, dict] = {}


class OnlyFrames(MediaFile):
    """A file with only the given video frames, and all of its sound: run fast, it sees exactly
    what a paced run that dropped the others analysed."""

    def __init__(self, path, indices: frozenset[int]) -> None:
        super().__init__(path)
        self.indices = indices

    def _video_frames(self):
        return (frame for frame in super()._video_frames() if frame.index in self.indices)


def analyse(shared_data, name: str, *, paced: bool = False, csv_path=None,
            frames: frozenset[int] | None = None) -> dict:
    """The result document, what was announced live step by step, and the indices of the frames
    analysed (cached per clip, pacing and frames); `frames`: a fast run of those frames only."""
    key = (name, paced, frames)
    if key in _RUNS and csv_path is None:
        return _RUNS[key]
    source = (MediaFile(shared_data / name, pace=paced) if frames is None
              else OnlyFrames(shared_data / name, frames))
    source.open()
    collector = ResultCollector()
    live: list[tuple[float, str, dict]] = []
    behaviours: list = []
    analysed: list[int] = []

    def listen(step) -> None:
        if step.frame is not None:
            analysed.append(step.frame.index)
        signals = step.results["signals"]
        live.extend((step.t, "started", e.to_json()) for e in signals.started)
        face_step = step.results.get("face_cues")
        behaviours.extend(face_step.events if face_step is not None else ())

    sinks = [collector, listen]
    scores = ScoresCsv(csv_path) if csv_path is not None else None
    if scores is not None:
        sinks.append(scores)
    engine = Engine([source], standard_analyzers(), sinks, lossless=not paced)
    engine.run()
    if scores is not None:
        scores.close()
    document = collector.document(duration_s=source.duration_s, fps=source.fps,
                                  source=source.describe())
    _RUNS[key] = {"document": document, "live": live, "behaviours": behaviours,
                  "frames": frozenset(analysed)}
    return _RUNS[key]


def of_type(document: dict, kind: str) -> list[dict]:
    return [e for e in document["signals"] if e["type"] == kind]


def test_nodding_gives_agreement_explained_by_nods_and_no_disagreement(shared_data, tmp_path):
    run = analyse(shared_data, "noddingpigeon/head_nodding.mp4", csv_path=tmp_path / "scores.csv")
    document = run["document"]
    validate(document)
    agreement = of_type(document, "agreement")
    assert agreement and not of_type(document, "disagreement")
    assert "Nodded" in agreement[0]["rationale"] and agreement[0]["modality"] == ["visual"]
    assert sum(e["end"] - e["start"] for e in agreement) > 5.0  # he nods nearly throughout 9 s
    rows = list(csv.reader((tmp_path / "scores.csv").open()))
    assert tuple(rows[0]) == COLUMNS
    # 10 Hz for 9 s, one participant, less its first second: a face is a participant only once
    # confirmed (issue 18, people.toml [confirm]), and a tick's scores are never written afterwards;
    # that second's cues count from the confirmation on (copilot.signals.analyzer, `early`).
    assert len(rows) - 1 == pytest.approx(90 - 10 * CONFIRM_S, abs=2)
    assert float(rows[-1][2 + SIGNALS.index("agreement")]) > 0.5


def test_head_shaking_gives_disagreement_and_not_agreement(shared_data):
    document = analyse(shared_data, "noddingpigeon/head_turning.mp4")["document"]
    validate(document)
    disagreement = of_type(document, "disagreement")
    assert disagreement and not of_type(document, "agreement")
    assert disagreement[0]["rationale"].startswith("Shook the head")


def test_a_still_face_gives_neither_agreement_nor_disagreement(shared_data):
    document = analyse(shared_data, "noddingpigeon/head_stationary.mp4")["document"]
    validate(document)
    assert not of_type(document, "agreement") and not of_type(document, "disagreement")


def test_a_recording_that_cuts_away_from_a_face_ends_that_participant(shared_data):
    """face_noface.mov: the man is on screen until about 2.1 s, the picture fades to black and cuts
    to a cartoon at 2.4 s. His participant ends at the cut instead of reading "disengaged, left
    the picture" to the end of the file. (A face that slides out of a continuous shot still
    reads as having left: the synthetic leaves_frame scenario, test_eval_scenarios.)"""
    document = analyse(shared_data, "pyfeat/face_noface.mov")["document"]
    validate(document)
    assert not [e for e in of_type(document, "disengagement") if e["participant"] == "p1"]
    # Confirmed about 1 s in and gone at 2.4 s, he is not watched for the 2 s an engagement state
    # needs (issue 19, evidence first): no state is said of him, and none runs past the cut.
    states = [s for s in document["engagement_state"] if s["participant"] == "p1"]
    assert all(s["end"] <= 2.4 + 0.05 for s in states)
    assert all(a["end"] == b["start"] for a, b in itertools.pairwise(states))
    (p1,) = [p for p in document["participants"] if p["id"] == "p1"]
    assert p1["last_seen"] <= 2.4 + 0.05  # the detector follows him into the fade, not past the cut


def test_a_silent_sound_track_makes_no_voice_participant(shared_data):
    """face_noface.mov's track has no speech (the voice model never passes 0.44): once the face
    has gone, nothing speaks, so no face-less voice-only participant may appear."""
    document = analyse(shared_data, "pyfeat/face_noface.mov")["document"]
    assert [p["id"] for p in document["participants"]] == ["p1"]
    assert {s["participant"] for s in document["engagement_state"]} <= {"p1"}


class _LostFrames:
    """Takes the face away for 0.6 s now and then, as frames dropped under load would."""

    name = "lost_frames"
    GAPS = ((3.0, 3.6), (8.0, 8.6), (15.0, 15.6), (19.0, 19.6))

    def analyze(self, step) -> None:
        from copilot.vision.cues.analyzer import FaceCueStep

        if any(start <= step.t < end for start, end in self.GAPS):
            step.results["face_cues"] = FaceCueStep({})

    def close(self) -> None:
        pass


def test_a_voice_stays_with_its_face_through_a_moment_without_frames(shared_data):
    source = MediaFile(shared_data / "reallife_trial_video/trial_truth_043.mp4")
    source.open()
    analyzers = standard_analyzers()
    analyzers.insert(3, _LostFrames())  # after the face cues, before the signals
    collector = ResultCollector()
    Engine([source], analyzers, [collector], lossless=True).run()
    document = collector.document(duration_s=source.duration_s, fps=source.fps, source=source.describe())
    assert [p["id"] for p in document["participants"]] == ["p1"]  # the man who talks, no voice alone


def test_a_voice_is_present_while_it_is_heard_not_until_the_file_ends(shared_data, tmp_path):
    import wave

    with wave.open(str(shared_data / "ravdess_audio/03-01-01-01-01-01-01.wav")) as said:
        params, sound = said.getparams(), said.readframes(said.getnframes())
    padded = tmp_path / "then_silence.wav"
    with wave.open(str(padded), "wb") as out:  # ten seconds of silence after the sentence
        out.setparams(params)
        out.writeframes(sound + bytes(params.sampwidth * params.nchannels * params.framerate * 10))
    spoke = params.nframes / params.framerate
    source = MediaFile(padded)
    source.open()
    collector = ResultCollector()
    Engine([source], standard_analyzers(), [collector], lossless=True).run()
    document = collector.document(duration_s=source.duration_s, fps=0.0, source=source.describe())
    voices = document["participants"]
    # the recording's track is split by voice (issue 18): its one speaker is voice v1
    assert [(v["id"], v["by"]) for v in voices] == [("v1", "voice")]
    assert 0.5 < voices[0]["first_seen"] < voices[0]["last_seen"] <= spoke + 0.3, voices


def test_fast_and_paced_analysis_give_the_same_document(shared_data):
    """Determinism under any load: the same clip with audio at playback speed gives the document
    that a fast run of the same frames gives. The models are warmed up before the first frame,
    so on an idle machine the paced run keeps every frame and that is the plain fast document;
    on a busy one it drops a frame now and then, as live analysis must, and only that differs."""
    name = "grid_lipnet/bbaf2n.mpg"
    paced_run = analyse(shared_data, name, paced=True)
    kept = paced_run["frames"]
    assert 74 in kept  # the last frame: nothing comes after it to replace it, however busy the machine
    fast, paced = analyse(shared_data, name, frames=kept)["document"], paced_run["document"]
    for document in (fast, paced):
        validate(document)
        document["meta"]["source"].pop("paced")
    assert json.dumps(fast, sort_keys=True) == json.dumps(paced, sort_keys=True)
    assert fast["participants"][0]["id"] == "p1"  # the one face speaks: no separate voice


def test_live_agreement_is_announced_within_a_second_of_the_first_nods(shared_data):
    run = analyse(shared_data, "noddingpigeon/head_nodding.mp4", paced=True)
    nods = [b for b in run["behaviours"] if b.kind == "nod"]
    started = [(t, e) for t, kind, e in run["live"] if e["type"] == "agreement"]
    assert nods and started
    first_nod = min(b.start for b in nods)
    announced_at, event = started[0]
    assert event["start"] >= first_nod
    # Three swings make a nod (face_cues.toml [nod] min_swings): at this man's 0.3 s a swing, the
    # third turns about 1 s after the first began; the signal follows within a tick or two. He
    # nods from his first frames, while his face is still a candidate: nothing may be said of him
    # before it is confirmed (issue 18, CONFIRM_S), and then not on less than the floor of evidence
    # (weights.toml [events.min_evidence_s], issue 19), which is counted from the confirmation
    # (the first second's cues are handed over, but into the tick of the confirmation).
    from copilot.signals.config import model

    floor_s = model().min_evidence_s["agreement"]
    assert announced_at >= floor_s - 0.1 - 1e-6
    assert announced_at <= max(max(first_nod, CONFIRM_S) + 1.2, CONFIRM_S + floor_s + 0.1)
    # Paced, the clip still gives what the same frames give analysed fast (a busy machine drops a
    # frame now and then when paced, as live analysis must: compared with every frame, a nod's
    # third swing can land a tick later, and the event with it).
    fast = analyse(shared_data, "noddingpigeon/head_nodding.mp4", frames=run["frames"])["document"]
    assert [e["start"] for e in of_type(run["document"], "agreement")] == \
        [e["start"] for e in of_type(fast, "agreement")]


def test_an_events_modality_covers_every_behaviour_its_rationale_names(shared_data):
    """A rationale that says "with the eyes on the screen" comes from a visual event, and one
    that says "saying 'um'" from an audible one, whatever else drove it."""
    from copilot.signals.config import rationales
    from copilot.signals.features import FEATURES

    # A phrase may be shared by one behaviour seen and heard ("laughing for"): either will do.
    modalities: dict[str, set[str]] = {}
    for name, entry in rationales().items():
        if name in FEATURES:
            modalities.setdefault(entry["with"].split("{")[0].strip(), set()).add(FEATURES[name][0])
    checked = 0
    for clip in ("reallife_trial_video/trial_truth_043.mp4", "noddingpigeon/head_nodding.mp4",
                 "pyfeat/face_noface.mov", "face_recognition/short_hamilton_clip.mp4"):
        for event in analyse(shared_data, clip)["document"]["signals"]:
            for fixed, allowed in modalities.items():
                if len(fixed) > 8 and f" {fixed}" in event["rationale"]:
                    assert allowed & set(event["modality"]), (clip, event)
                    checked += 1
    assert checked >= 3


def test_people_a_shot_cut_takes_off_screen_are_closed_not_scored_as_having_left(shared_data):
    """short_hamilton_clip: the wide shot (p1) and the performer's close shot (p2) each end at a
    cut. Before cuts closed them, p1 was "disengaged, left the picture for 8.3 s" until the
    end of the file, and p2 went on "engaged" over the audience shot."""
    document = analyse(shared_data, "face_recognition/short_hamilton_clip.mp4")["document"]
    last_seen = {p["id"]: p["last_seen"] for p in document["participants"]}
    closed = [pid for pid in ("p1", "p2") if pid in last_seen]
    assert closed == ["p1", "p2"]
    for entry in document["signals"] + document["engagement_state"]:
        if entry["participant"] in closed:  # over within a frame of the cut after they were last seen
            assert entry["end"] <= last_seen[entry["participant"]] + 0.05, entry
    assert not [e for e in document["signals"] if "Left the picture" in e["rationale"]]


def test_people_walking_past_have_not_left_a_conversation(shared_data):
    """facenet_pytorch/video.mp4: pedestrians walk at the camera through an arcade and pass behind
    one another, each confirmed and then lost within a second or two (a hard negative). Two of
    them read "disengagement high: Left the picture for 2.8 s" while nobody there was in a
    conversation to leave; leaving is news only of someone watched in the picture for the 2 s
    that disengagement needs as evidence (copilot/signals/participant.py)."""
    document = analyse(shared_data, "facenet_pytorch/video.mp4")["document"]
    validate(document)
    assert len(document["participants"]) >= 3  # they are seen; ids are test_people_real's
    assert not [e for e in document["signals"] if "Left the picture" in e["rationale"]]
    assert not of_type(document, "disengagement")


def test_a_sound_track_that_outlasts_the_picture_does_not_make_the_face_leave(shared_data, tmp_path):
    """2.4 s of d18's face, then sound alone to 6 s (a sound track longer than its video is
    common): the picture stopping is not the man walking out of it."""
    import av

    from copilot.vision.frames import read_frames

    clip = tmp_path / "longer_sound.mp4"
    frames = [image for t, image in read_frames(shared_data / "liveportrait/d18.mp4") if t < 2.0]
    with av.open(str(clip), "w") as out:
        video, sound = out.add_stream("libx264", rate=25), out.add_stream("aac", rate=16000)
        video.height, video.width, video.pix_fmt = *frames[0].shape[:2], "yuv420p"
        sound.layout = "mono"
        for k, image in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            frame.pts, frame.time_base = k, Fraction(1, 25)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        hum = (0.05 * np.sin(2 * np.pi * 220 * np.arange(6 * 16000) / 16000)).astype(np.float32)
        for start in range(0, len(hum), 1024):
            frame = av.AudioFrame.from_ndarray(hum[None, start:start + 1024], format="flt", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = 16000, start, Fraction(1, 16000)
            out.mux(sound.encode(frame))
        out.mux(sound.encode(None))
    source = MediaFile(clip)
    source.open()
    collector = ResultCollector()
    Engine([source], standard_analyzers(), [collector], lossless=True).run()
    document = collector.document(duration_s=source.duration_s, fps=source.fps, source=source.describe())
    assert document["meta"]["duration"] == pytest.approx(6.0, abs=0.1)
    states = [s for s in document["engagement_state"] if s["participant"] == "p1"]
    picture_s = len(frames) / 25
    assert picture_s == pytest.approx(2.4)
    # closed when it stopped; 1.4 s after his confirmation is too little for a state (issue 19)
    assert all(s["end"] <= picture_s + PICTURE_OVER_S + 0.1 for s in states)
    (p1,) = [p for p in document["participants"] if p["id"] == "p1"]
    assert p1["last_seen"] <= picture_s + 1e-6
    assert not [e for e in document["signals"] if "Left the picture" in e["rationale"]]
