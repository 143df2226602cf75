"""The face pipeline's cost per frame on the same decoded frames: now, as it was, and MediaPipe.

Every variant reads the very same frames (decoded once, kept in memory), and their passes take
turns (now, before, MediaPipe, now, before, ...) so that a burst of load elsewhere on a shared
machine falls on all of them alike. Each pass starts a fresh tracker, as a new session would.
Every figure in ms is a median over all frames of all passes, the total and each of its parts
alike; `fps` is the throughput, frames over the time all of them took.

"before" is the face pipeline as issue 20 found it (the plain mesh, then the iris model on a
crop of each eye once the mesh is done, every face every frame, the fine detection tiles every
second at once);
"attention" is the pipeline as it is but with the attention mesh (people.toml [landmarks]),
left out when that is already the choice; MediaPipe is its own FaceMesh(refine_landmarks=True)
when `mediapipe` is installed (the optional `bench` extra), fed the same frames in RGB.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from copilot.capture.still_image import is_image
from copilot.vision.frames import read_frames
from copilot.vision.people_settings import people_settings
from copilot.vision.tracker import DETECT_EVERY_S, MAX_FACES, FaceTracker

STILL_FRAMES = 90  # an image is replayed as this many frames of a 30 fps video
STAGES = ("cuts", "detect", "landmarks", "iris")
# The earlier pipeline, for the before/after columns: FaceTracker options that restore it
# (the plain mesh, then the iris model on its landmarks; every face read every frame however many
# there are; the fine detection tiles every second whatever the faces' size).
BEFORE = {"attention": False, "eyes_alongside": False, "full_rate_faces": MAX_FACES,
          "fine_search_every_s": DETECT_EVERY_S}
MEDIAPIPE_VERSION = "0.10.21"  # the release that still ships the legacy FaceMesh solution

Frames = list[tuple[float, np.ndarray]]


def clip_frames(path: str | Path, max_frames: int | None = None) -> Frames:
    """A clip's (t, BGR image) frames in memory; a photo is replayed as STILL_FRAMES frames."""
    path = Path(path)
    frames = []
    for item in read_frames(path):
        frames.append(item)
        if max_frames and len(frames) >= max_frames:
            break
    if is_image(path) and frames:
        frames = [(k / 30.0, frames[0][1]) for k in range(STILL_FRAMES)]
    return frames


def mediapipe_available() -> str | None:
    """MediaPipe's version when the legacy FaceMesh can run here, else None."""
    try:
        import mediapipe
    except ImportError:
        return None
    return getattr(mediapipe, "__version__", "?") if hasattr(mediapipe, "solutions") else None


def _tracker_pass(frames: Frames, options: dict) -> dict[str, list[float]]:
    tracker = FaceTracker(**options)
    out: dict[str, list[float]] = {"total": [], "faces": [], "detect": [], "cuts": [], "landmarks": [],
                                   "iris": []}
    for t, image in frames:
        before = tracker.timings.detections_run
        started = time.perf_counter()
        found = tracker.process(image, t)
        out["total"].append((time.perf_counter() - started) * 1000)
        times = tracker.timings
        if times.detections_run > before:
            out["detect"].append(times.detect)
        for stage in ("cuts", "landmarks", "iris"):
            out[stage].append(getattr(times, stage))
        out["faces"].append(len(found) + len(found.tentative))
    out["eyes_alongside"] = [tracker.timings.eyes_read_alongside]  # frames, over the pass
    out["eyes_again"] = [tracker.timings.eyes_read_again]
    return out


def _mediapipe_pass(frames_rgb: list[np.ndarray], max_faces: int) -> dict[str, list[float]]:
    import mediapipe as mp

    out: dict[str, list[float]] = {"total": [], "faces": []}
    with mp.solutions.face_mesh.FaceMesh(max_num_faces=max_faces, refine_landmarks=True) as mesh:
        for image in frames_rgb:
            started = time.perf_counter()
            result = mesh.process(image)
            out["total"].append((time.perf_counter() - started) * 1000)
            out["faces"].append(len(result.multi_face_landmarks or ()))
    return out


def bench_faces(frames: Frames, repeats: int = 3, *, variants: dict[str, dict] | None = None,
                mediapipe: bool = True, max_faces: int = 16) -> dict[str, object]:
    """Median ms per frame of each variant (name -> FaceTracker options; default "now",
    "attention" and "before") and of MediaPipe's FaceMesh, in interleaved passes over the same
    frames."""
    if variants is None:
        variants = {"now": {}, "attention": {"attention": True}, "before": BEFORE}
        if people_settings()["landmarks"]["model"] == "attention":
            del variants["attention"]
    runs: dict[str, Callable[[], dict[str, list[float]]]] = {
        name: (lambda options=options: _tracker_pass(frames, options)) for name, options in variants.items()}
    version = mediapipe_available() if mediapipe else None
    if version is not None:
        import cv2

        rgb = [cv2.cvtColor(image, cv2.COLOR_BGR2RGB) for _, image in frames]
        runs["mediapipe"] = lambda: _mediapipe_pass(rgb, max_faces)
    samples: dict[str, dict[str, list[float]]] = {name: {} for name in runs}
    load = [os.getloadavg()[0]]
    for _ in range(max(1, repeats)):
        for name, run in runs.items():
            for key, values in run().items():
                samples[name].setdefault(key, []).extend(values)
    load.append(os.getloadavg()[0])
    report: dict[str, object] = {"frames": len(frames), "repeats": max(1, repeats),
                                 "load": [round(v, 2) for v in load]}
    for name, got in samples.items():
        report[name] = summary(got)
    if version is not None:
        report["mediapipe"]["version"] = version
    return report


def summary(got: dict[str, list[float]]) -> dict[str, float]:
    """Medians of a variant's per-frame samples (detection: over the frames where it ran)."""
    out = {"total_ms": _median(got["total"]), "faces": _median(got["faces"])}
    for stage in STAGES:
        if stage in got:
            out[f"{stage}_ms"] = _median(got[stage])
    if "detect" in got:
        out["detections"] = len(got["detect"])
    if "eyes_alongside" in got:  # counts over all passes, beside the frames read
        out["eyes_alongside"], out["eyes_again"] = sum(got["eyes_alongside"]), sum(got["eyes_again"])
        out["frames_read"] = len(got["total"])
    # frames analysed per second over whole passes, detection frames and all: the throughput
    # (the one figure that is not a median; the median frame says what a typical frame costs)
    out["fps"] = round(1000 * len(got["total"]) / sum(got["total"]), 1) if got["total"] else 0.0
    return out


def _median(values: Iterable[float]) -> float:
    values = list(values)
    return round(float(np.median(values)), 3) if values else 0.0
