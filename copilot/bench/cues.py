"""Milliseconds the face cues add per face per frame, for `copilot bench`."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from copilot.vision.cues.analyzer import FaceCueAnalyzer


def bench_face_cues(path: str | Path, max_frames: int = 300) -> dict[str, object]:
    """Tracks the faces of a clip once, then times only the cue extraction over those faces."""
    from copilot.vision.frames import read_frames
    from copilot.vision.tracker import FaceTracker

    tracker, seen = FaceTracker(), []
    for t, image in read_frames(Path(path)):
        seen.append((t, tracker.process(image, t)))
        if len(seen) >= max_frames:
            break
    analyzer, per_face = FaceCueAnalyzer(), []
    for t, faces in seen:
        started = time.perf_counter()
        analyzer.process(faces, t)
        read = len(faces) + len(faces.tentative)  # a candidate's cues are read too, until it is confirmed
        if read:
            per_face.append((time.perf_counter() - started) * 1000 / read)
    return {"input": str(path), "frames": len(seen), "faces": sum(len(f) + len(f.tentative) for _, f in seen),
            "cues_ms_per_face_median": round(float(np.median(per_face)), 3) if per_face else 0.0,
            "cues_ms_per_face_p95": round(float(np.percentile(per_face, 95)), 3) if per_face else 0.0}
