"""`copilot bench`'s face cases: the same frames through the pipeline as it is and as it was (and
MediaPipe where installed), every figure a median. Speed itself is the bench's to print on a
quiet machine; these check what it measures, never how fast it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.bench.faces import bench_faces, clip_frames, mediapipe_available
from copilot.bench.gallery import gallery_frames
from copilot.commands.bench import format_text, measure


@pytest.mark.timeout(1800)
def test_a_gallery_case_finds_every_face_with_both_pipelines(shared_data: Path) -> None:
    frames = gallery_frames(shared_data, 3, 3, 12)
    report = bench_faces(frames, repeats=1, mediapipe=False)
    assert report["frames"] == 12 and set(report) >= {"now", "attention", "before", "load"}
    for variant in ("now", "attention", "before"):
        figures = report[variant]
        assert figures["faces"] == 9, variant
        assert figures["total_ms"] > 0 and figures["detections"] >= 1
        assert 0 < figures["fps"] <= 1000 / figures["total_ms"] * 1.5  # detection frames cost more
    assert report["attention"]["iris_ms"] < report["before"]["iris_ms"]  # its irises come with its mesh


def test_the_text_report_puts_the_pipelines_side_by_side(shared_data: Path) -> None:
    report = measure([shared_data / "noddingpigeon" / "head_stationary.mp4"], 1, faces_only=True)
    text = format_text(report)
    header = next(line for line in text.splitlines() if "faces" in line and "now" in line)
    assert "before" in header and ("MediaPipe" in header)
    row = next(line for line in text.splitlines() if line.strip().startswith("head_stationary"))
    assert len(row.split()) >= 5  # name, faces, now, before, ... fps
    faces = next(iter(report["clips"].values()))["faces"]
    # one still face: its eyes are read beside the mesh now, after it before
    assert faces["now"]["eyes_alongside"] > 0.8 * faces["now"]["frames_read"]
    assert faces["before"]["eyes_alongside"] == 0
    assert "eyes read beside the mesh in" in text


def test_mediapipe_reads_the_same_frames_when_installed(shared_data: Path) -> None:
    if mediapipe_available() is None:
        pytest.skip("mediapipe==0.10.21 is not installed (pip install -e .[bench])")
    frames = clip_frames(shared_data / "liveportrait" / "s18.mp4", 30)
    report = bench_faces(frames, repeats=1)
    assert report["mediapipe"]["faces"] == report["now"]["faces"] == 1
    assert report["mediapipe"]["total_ms"] > 0 and report["mediapipe"]["version"] == "0.10.21"
