"""Per-stage timings of the face pipeline on a clip, for `copilot bench`."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from copilot.capture.still_image import is_image
from copilot.vision.frames import read_frames
from copilot.vision.tracker import FaceTracker

STILL_FRAMES = 90  # an image is replayed as this many frames of a 30 fps video


def bench_faces(path: str | Path, repeats: int = 3, **tracker_options: object) -> dict[str, object]:
    """Median milliseconds per frame for decoding and each face stage, over `repeats` passes.

    `detect` is the median over the frames where detection ran (it runs on a cadence);
    `total` is the whole tracker call per frame, detection frames included.
    """
    path = Path(path)
    started = time.perf_counter()
    frames = list(read_frames(path))
    decode_ms = (time.perf_counter() - started) * 1000 / max(1, len(frames))
    if is_image(path):
        decode_ms = 0.0  # decoded once and replayed: nothing per frame
        frames = [(k / 30.0, frames[0][1]) for k in range(STILL_FRAMES)]
    cuts, detect, landmarks, iris, total, faces = [], [], [], [], [], []
    tracker = None
    for _ in range(max(1, repeats)):
        tracker = FaceTracker(**tracker_options)
        for t, image in frames:
            before = tracker.timings.detections_run
            started = time.perf_counter()
            found = tracker.process(image, t)
            total.append((time.perf_counter() - started) * 1000)
            if tracker.timings.detections_run > before:
                detect.append(tracker.timings.detect)
            cuts.append(tracker.timings.cuts)
            landmarks.append(tracker.timings.landmarks)
            iris.append(tracker.timings.iris)
            faces.append(len(found))
    return {
        "input": str(path), "frames": len(frames), "repeats": max(1, repeats),
        "provider": tracker.provider if tracker else "?",
        "faces_median": float(np.median(faces)) if faces else 0.0,
        "detections_per_pass": len(detect) // max(1, repeats),
        "decode_ms": round(decode_ms, 2),
        "cuts_ms": round(float(np.median(cuts)), 2) if cuts else 0.0,
        "detect_ms": round(float(np.median(detect)), 2) if detect else 0.0,
        "landmarks_ms": round(float(np.median(landmarks)), 2) if landmarks else 0.0,
        "iris_ms": round(float(np.median(iris)), 2) if iris else 0.0,
        "total_ms": round(float(np.median(total)), 2) if total else 0.0,
    }
