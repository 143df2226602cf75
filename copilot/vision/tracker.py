"""Follows faces from frame to frame the way MediaPipe's face mesh does, with stable ids.

Each tracked face's region for the next frame comes from its landmarks in this one,
so the detector is not needed while tracking holds: it runs when nothing is tracked,
right after a face is lost, and on a slow cadence to notice people who arrive. A face
that disappears for a moment (turned away, occluded) and comes back near where it was
gets its old participant id back. A shot cut (copilot.vision.cuts) ends every track:
across a cut, position says nothing about who is who, so faces after it get new ids.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from copilot.vision.cuts import CutDetector
from copilot.vision.detector import FaceDetector
from copilot.vision.face import Face, FrameFaces
from copilot.vision.geometry import Region, aligned_region, iou, points_box
from copilot.vision.mesh import FACE_SCALE, FaceMesh, face_region
from copilot.vision.runtime import Loader, default_loader

DETECT_EVERY_S = 1.0
MIN_PRESENCE = 0.5  # MediaPipe's default min_tracking_confidence
REMEMBER_LOST_S = 2.0  # how long a lost face's id waits to be given back
SAME_FACE_IOU = 0.3


@dataclass(slots=True)
class _Track:
    participant: str
    region: Region
    box: tuple[float, float, float, float]
    last_seen: float


@dataclass(slots=True)
class StageTimes:
    """Milliseconds spent per stage in the latest `process` call (0 when a stage did not run)."""

    cuts: float = 0.0  # the shot-cut check (copilot.vision.cuts)
    detect: float = 0.0
    landmarks: float = 0.0
    iris: float = 0.0
    detections_run: int = 0  # over the tracker's life


@dataclass
class FaceTracker:
    detect_every_s: float = DETECT_EVERY_S
    min_presence: float = MIN_PRESENCE
    remember_lost_s: float = REMEMBER_LOST_S
    max_faces: int = 8
    threads: int | None = None
    load: Loader | None = None
    timings: StageTimes = field(default_factory=StageTimes)

    def __post_init__(self) -> None:
        load = self.load or default_loader()
        self.detector = FaceDetector(load, self.threads)
        self.mesh = FaceMesh(load, self.threads)
        self.provider = self.mesh.mesh_model.provider
        self._tracks: list[_Track] = []
        self._lost: list[_Track] = []
        self._last_detect_t: float | None = None
        self._lost_last_frame = False
        self._next_id = 1
        self._cuts = CutDetector()

    def process(self, image_bgr: np.ndarray, t: float) -> FrameFaces:
        """Faces in this frame, tracked from earlier frames; `t` is the frame's session time."""
        times = self.timings
        times.detect = times.landmarks = times.iris = 0.0
        started = time.perf_counter()
        ended: tuple[str, ...] = ()
        if self._cuts.is_cut(image_bgr):
            ended = self.end_all()  # neither region nor memory holds across a cut
        times.cuts = (time.perf_counter() - started) * 1000
        candidates = [(track, track.region) for track in self._tracks]
        if self._detection_due(t):
            started = time.perf_counter()
            candidates += [(None, r) for r in self._new_face_regions(image_bgr)]
            times.detect = (time.perf_counter() - started) * 1000
            times.detections_run += 1
            self._last_detect_t = t

        started = time.perf_counter()
        results = self.mesh.landmarks(image_bgr, [region for _, region in candidates])
        self._confirm_new_faces(image_bgr, candidates, results)
        times.landmarks = (time.perf_counter() - started) * 1000

        kept: list[tuple[_Track, np.ndarray, float]] = []
        lost_now = False
        ranked = sorted(zip(candidates, results, strict=True),
                        key=lambda item: (item[0][0] is None, -item[1].presence))
        for (track, _), result in ranked:  # tracked faces first, then new ones by confidence
            box = points_box(result.landmarks)
            duplicate = any(iou(box, other.box) > SAME_FACE_IOU for other, _, _ in kept)
            if result.presence < self.min_presence or duplicate or len(kept) >= self.max_faces:
                if track is not None:
                    self._lost.append(track)
                    lost_now = True
                continue
            track = track or self._reclaim_or_new(box, t)
            track.region, track.box, track.last_seen = face_region(result.landmarks), box, t
            kept.append((track, result.landmarks, result.presence))
        self._tracks = [track for track, _, _ in kept]
        self._lost = [lost for lost in self._lost if t - lost.last_seen <= self.remember_lost_s]
        self._lost_last_frame = lost_now

        started = time.perf_counter()
        eyes = self.mesh.eyes(image_bgr, [landmarks for _, landmarks, _ in kept])
        times.iris = (time.perf_counter() - started) * 1000
        size = (image_bgr.shape[1], image_bgr.shape[0])
        faces = [Face(track.participant, track.box, presence, landmarks, eye.iris, eye.contours, size)
                 for (track, landmarks, presence), eye in zip(kept, eyes, strict=True)]
        return FrameFaces(sorted(faces, key=lambda face: int(face.participant[1:])), ended)

    def end_all(self) -> tuple[str, ...]:
        """Ends every track for good (the picture has ended) and returns their ids."""
        ended = tuple(track.participant for track in (*self._tracks, *self._lost))
        self._tracks, self._lost = [], []
        return ended

    def _detection_due(self, t: float) -> bool:
        if not self._tracks or self._lost_last_frame or self._last_detect_t is None:
            return True
        return t - self._last_detect_t >= self.detect_every_s or t < self._last_detect_t

    def _confirm_new_faces(self, image_bgr: np.ndarray, candidates: list, results: list) -> None:
        """Re-runs new faces on the region their own landmarks give, and keeps that answer.

        This is the crop the next frame would use anyway; real faces keep a presence near
        1 on it, while patterns the detector mistook for a face (cartoon letters) lose it.
        """
        fresh = [k for k, (track, _) in enumerate(candidates)
                 if track is None and results[k].presence >= self.min_presence]
        if fresh:
            again = self.mesh.landmarks(image_bgr, [face_region(results[k].landmarks) for k in fresh])
            for k, result in zip(fresh, again, strict=True):
                results[k] = result

    def _new_face_regions(self, image_bgr: np.ndarray) -> list[Region]:
        """Regions for detected faces that no track covers already."""
        regions = []
        for found in self.detector.detect(image_bgr):
            x, y, w, h = found.box
            centre = (x + w / 2, y + h / 2)
            if any(iou(found.box, tr.box) > SAME_FACE_IOU or _contains(tr.box, centre)
                   for tr in self._tracks):
                continue
            regions.append(aligned_region(found.box, found.keypoints[0], found.keypoints[1],
                                          FACE_SCALE))
        return regions

    def _reclaim_or_new(self, box: tuple[float, float, float, float], t: float) -> _Track:
        """The id of a recently lost face near this box, else the next new id."""
        centre = np.array([box[0] + box[2] / 2, box[1] + box[3] / 2])
        best, best_distance = None, np.inf
        for lost in self._lost:
            lost_centre = np.array([lost.box[0] + lost.box[2] / 2, lost.box[1] + lost.box[3] / 2])
            distance = float(np.linalg.norm(centre - lost_centre))
            if distance < max(lost.box[2], lost.box[3]) and distance < best_distance:
                best, best_distance = lost, distance
        if best is not None:
            self._lost.remove(best)
            return best
        track = _Track(f"p{self._next_id}", Region(0, 0, 1, 1), box, t)
        self._next_id += 1
        return track


def _contains(box: tuple[float, float, float, float], point: tuple[float, float]) -> bool:
    return box[0] <= point[0] <= box[0] + box[2] and box[1] <= point[1] <= box[1] + box[3]
