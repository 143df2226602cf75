"""`copilot cues` as a user runs it: face lines, behaviours, voice rows and the preview."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from copilot.cli import main


def _not_json(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def read_lines(path: Path) -> list[dict]:
    """Strictly: NaN and Infinity, which Python would read back, fail here as any other reader fails."""
    return [json.loads(line, parse_constant=_not_json) for line in path.read_text().splitlines()]


def test_a_photo_gives_one_face_line_per_face_with_landmarks(shared_data, tmp_path):
    out = tmp_path / "cues.jsonl"
    assert main(["cues", str(shared_data / "pyfeat/multi_face.jpg"), "--out", str(out), "--landmarks"]) == 0
    faces = [line for line in read_lines(out) if line["kind"] == "face"]
    assert sorted(line["participant"] for line in faces) == ["p1", "p2", "p3", "p4", "p5"]
    for line in faces:
        assert line["t"] == 0.0 and line["presence"] > 0.5 and len(line["box"]) == 4
        assert np.array(line["landmarks"]).shape == (468, 3) and np.array(line["iris"]).shape == (10, 3)
        assert 0.0 <= line["cues"]["smile"] <= 1.0 and "yaw" in line["cues"]


def test_the_nodding_clip_gives_cues_every_frame_nods_and_a_preview(shared_data, tmp_path):
    import av

    out, preview = tmp_path / "cues.jsonl", tmp_path / "preview.mp4"
    clip = shared_data / "noddingpigeon/head_nodding.mp4"
    assert main(["cues", str(clip), "--out", str(out), "--preview", str(preview)]) == 0
    lines = read_lines(out)
    kinds = Counter(line["kind"] for line in lines)
    assert kinds["face"] == 270  # every frame of the 9 s clip has the one face
    assert kinds["nod"] >= 1 and kinds["head_shake"] == 0
    with av.open(str(preview)) as container:
        assert sum(1 for _ in container.decode(video=0)) == 270


def test_speech_gives_voice_rows_and_utterances(shared_data, tmp_path, capsys):
    out, preview = tmp_path / "cues.jsonl", tmp_path / "preview.mp4"
    speech = shared_data / "whisper/jfk.flac"
    assert main(["cues", str(speech), "--out", str(out), "--preview", str(preview)]) == 0
    kinds = Counter(line["kind"] for line in read_lines(out))
    assert kinds["face"] == 0 and kinds["voice_hop"] > 50 and kinds["utterance"] >= 2
    assert not preview.exists() and "no video, so no preview" in capsys.readouterr().err


def test_a_sound_track_that_starts_late_writes_null_until_there_is_sound(shared_data, tmp_path):
    out = tmp_path / "cues.jsonl"
    assert main(["cues", str(shared_data / "pyfeat/face_noface.mov"), "--out", str(out)]) == 0
    hops = [line for line in read_lines(out) if line["kind"] == "voice_hop"]
    assert hops[0]["loudness_db"] is None and hops[-1]["loudness_db"] is not None


def test_an_unreadable_file_is_one_line_and_exit_2(tmp_path, capsys):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"this is not a video")
    assert main(["cues", str(broken), "--out", str(tmp_path / "out.jsonl")]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "broken.mp4" in error[0]


@pytest.mark.parametrize(("clip", "nods", "shakes"), [
    ("noddingpigeon/head_nodding.mp4", True, False),  # a man nodding "yes", slowly and deeply
    ("noddingpigeon/head_turning.mp4", False, True),  # a man shaking his head "no", widely
    ("video_retalking/2.mp4", False, False),  # talking heads that move with their speech
    ("video_retalking/3.mp4", False, False),  # (in no labelled set: nothing was tuned on them)
])
def test_without_out_the_behaviours_are_listed_one_per_line(shared_data, capsys, clip, nods, shakes):
    assert main(["cues", str(shared_data / clip)]) == 0
    lines = capsys.readouterr().out.splitlines()
    kinds = [line.split()[1] for line in lines if line != "no behaviours found"]
    assert ("nod" in kinds) == nods and ("head_shake" in kinds) == shakes, lines
    assert not {"face", "voice_hop", "utterance", "pause"} & set(kinds)
