"""Follows faces from frame to frame the way MediaPipe's face mesh does, with stable ids.

Each tracked face's region for the next frame comes from its landmarks in this one,
so the detector is not needed while tracking holds: it runs when nothing is tracked,
right after a face is lost, and on a slow cadence to notice people who arrive. A face
that disappears for a moment (turned away, occluded) and comes back near where it was
gets its old participant id back. A shot cut (copilot.vision.cuts) ends every track:
across a cut, position says nothing about who is who.

A new face is only a candidate until its track has lasted about a second, seen steadily
(people.toml [confirm]); candidates lost before that vanish, so a one-frame fragment never
becomes a participant (issue 18: a room of three people read as twelve). When a candidate is
confirmed, its appearance (copilot.vision.appearance) is compared with the participants not
in the picture now: the same person back after leaving, after a cut or after a long
occlusion gets their id back; only a face like none of them gets a new one.

In a gallery (more faces than people.toml [gallery] full_rate_faces), not every face's landmarks
are refreshed every frame: a face whose picture has not changed since its last refresh keeps its
landmarks for a few frames, and the faces due are refreshed in turn, longest waiting first, at
most `refresh_per_frame` a frame (issue 20: sixteen faces in real time). Each face then says how
often it was really analysed (Face.analysed_hz). The choice reads only the frames, never the
clock, so a file analysed fast or paced gives the same faces.

A candidate's face is still reported, apart (FrameFaces.tentative, under a key "c1", "c2", ...
that is never a participant id), so what follows a face can read its first second before
anyone knows whether it is a person: FrameFaces.confirmed says when a key becomes a
participant, and FrameFaces.dropped when a candidate vanished unconfirmed. When the input ends
(`finish`), a candidate seen in every frame since the input began is confirmed: a photo has one
frame, and a file shorter than a second is too short to watch anyone for a second. A face that
came into a longer input in its last second is a fragment there as anywhere (a passer-by in the
crowd clip's last 0.12 s was a participant before).
"""

from __future__ import annotations

import math
import time
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, field

import numpy as np

from copilot.shipped.models import alongside
from copilot.vision.appearance import blend, describe, similarity
from copilot.vision.cuts import CutDetector
from copilot.vision.detector import INPUT_SIZE, Detection, FaceDetector, views
from copilot.vision.face import Face, FrameFaces
from copilot.vision.geometry import Region, aligned_region, iou, points_box
from copilot.vision.mesh import FACE_SCALE, EyeResult, FaceMesh, MeshResult, eye_regions, face_region
from copilot.vision.people_settings import SETTINGS_FILE, people_settings
from copilot.vision.runtime import Loader, default_loader

DETECT_EVERY_S = 1.0
MIN_PRESENCE = 0.5  # MediaPipe's default min_tracking_confidence
SAME_FACE_IOU = 0.3
# A 5x5 gallery (Zoom and Teams show up to 49, but faces in a 7x7 grid at 1080p are ~50 px,
# under the 60 px issue 18 asks for); each face costs one landmark crop a frame.
MAX_FACES = 25
DESCRIBE_EVERY_S = 0.5  # a face's appearance memory takes in its latest look this often
MEMORY_WEIGHT = 0.2  # ... each refresh moving it this far towards the new look
LANDMARK_MODELS = ("attention", "mesh and iris")  # people.toml [landmarks] model
THUMBNAIL_PX = (16, 16)  # a gallery face's picture, compared between refreshes (people.toml [gallery])


@dataclass(slots=True)
class _Track:
    participant: str | None  # None while a candidate
    key: str  # the candidate key ("c1", ...) its frames are reported under until confirmed
    region: Region
    box: tuple[float, float, float, float]
    last_seen: float
    first_seen: float = 0.0
    first_frame: int = 0
    frames: int = 0  # frames it was seen in
    looks: np.ndarray | None = None  # running appearance descriptor
    described_at: float = -np.inf
    result: MeshResult | None = None  # its latest landmarks and eyes, kept while a gallery face is still
    read_frame: int = -1  # the frame `result` was read in
    before: np.ndarray | None = None  # the landmarks of the reading before that one ...
    before_frame: int = -1  # ... and its frame: where the eyes will be next (_eyes_alongside)
    eyes_wait: int = 0  # frames before its eyes are read alongside the mesh again, after a miss
    thumbnail: np.ndarray | None = None  # what its box looked like when its landmarks were refreshed
    refreshed: deque = field(default_factory=lambda: deque(maxlen=64))  # times of those refreshes


@dataclass(slots=True)
class _EyesAhead:
    """A face's eyes being read on the helper core while this frame's mesh runs."""

    track: _Track
    placed: np.ndarray  # the landmarks the eye crops were placed by
    reading: Future  # -> [EyeResult]


@dataclass(slots=True)
class StageTimes:
    """Milliseconds spent per stage in the latest `process` call (0 when a stage did not run)."""

    cuts: float = 0.0  # the shot-cut check (copilot.vision.cuts)
    detect: float = 0.0
    landmarks: float = 0.0
    iris: float = 0.0
    detections_run: int = 0  # over the tracker's life
    eyes_read_alongside: int = 0  # over the tracker's life: frames whose eyes were read beside the mesh
    eyes_read_again: int = 0  # ... and of those, the frames whose eyes were read again after it


@dataclass
class FaceTracker:
    detect_every_s: float = DETECT_EVERY_S
    min_presence: float = MIN_PRESENCE
    remember_lost_s: float | None = None  # lost faces are reclaimed by position this long (people.toml)
    confirm_s: float | None = None  # a candidate becomes a participant after this (people.toml)
    max_faces: int = MAX_FACES
    min_face_px: float | None = None  # the smallest face searched for (people.toml [detection])
    threads: int | None = None
    attention: bool | None = None  # the attention mesh; False: mesh, then iris (people.toml [landmarks])
    eyes_alongside: bool = True  # with mesh and iris, tracked faces' eyes read beside the mesh call
    full_rate_faces: int | None = None  # every face read every frame up to this many (people.toml [gallery])
    fine_search_every_s: float | None = None  # the fine tiles' cadence beside large faces (people.toml)
    load: Loader | None = None
    timings: StageTimes = field(default_factory=StageTimes)

    def __post_init__(self) -> None:
        load = self.load or default_loader()
        cfg = people_settings()
        if self.attention is None:
            self.attention = _attention(cfg["landmarks"]["model"])
        self.detector = FaceDetector(load, self.threads)
        self.mesh = FaceMesh(load, self.threads, self.attention)
        self.provider = self.mesh.mesh_model.provider
        self._tracks: list[_Track] = []
        self._lost: list[_Track] = []
        self._last_detect_t: float | None = None
        self._lost_last_frame = False
        self._next_id = 1
        self._cuts = CutDetector()
        if self.remember_lost_s is None:
            self.remember_lost_s = cfg["reid"]["by_position_s"]
        if self.confirm_s is None:
            self.confirm_s = cfg["confirm"]["confirm_s"]
        if self.min_face_px is None:
            self.min_face_px = cfg["detection"]["min_face_px"]
        self._max_missing = cfg["confirm"]["max_missing_share"]
        self._same_person = cfg["reid"]["same_person"]
        self._reid = cfg["reid"]
        self._remember_s = cfg["reid"]["remember_s"] or np.inf
        if self.fine_search_every_s is None:
            self.fine_search_every_s = cfg["detection"]["fine_search_every_s"]
        self._smallest_tensor_px = cfg["detection"]["smallest_face_tensor_px"]
        self._fine_per_frame = cfg["detection"]["fine_views_per_frame"]
        self._fine_queue: list[Region] = []  # fine tiles still to search (_search_fine)
        self._gallery = dict(cfg["gallery"])
        self._eyes_misplaced = cfg["landmarks"]["eyes_misplaced"]
        self._eyes_wait = cfg["landmarks"]["eyes_wait_after_miss"]
        if self.full_rate_faces is not None:
            self._gallery["full_rate_faces"] = self.full_rate_faces
        self._gone: dict[str, _Track] = {}  # confirmed people out of the picture, for re-identification
        self._last_full_detect_t: float | None = None
        self._frame_no = 0
        self._next_key = 1
        self._confirmed: dict[str, str] = {}  # this frame's: candidate key -> participant
        self._dropped: list[str] = []  # this frame's candidates that vanished unconfirmed

    def process(self, image_bgr: np.ndarray, t: float) -> FrameFaces:
        """Faces in this frame, tracked from earlier frames; `t` is the frame's session time."""
        times = self.timings
        times.detect = times.landmarks = times.iris = 0.0
        self._frame_no += 1
        self._confirmed, self._dropped = {}, []
        started = time.perf_counter()
        ended: tuple[str, ...] = ()
        if self._cuts.is_cut(image_bgr):
            ended = self.end_all()  # neither region nor position memory holds across a cut
        times.cuts = (time.perf_counter() - started) * 1000
        still = self._still_faces(image_bgr, t)  # a gallery's unchanged faces keep their landmarks
        candidates = [(track, track.region) for track in self._tracks if track not in still]
        if self._detection_due(t):
            started = time.perf_counter()
            candidates += [(None, r) for r in self._new_face_regions(image_bgr, t)]
            times.detect = (time.perf_counter() - started) * 1000
            times.detections_run += 1
            self._last_detect_t = t
        elif self._fine_queue:  # the rest of the fine search, a share a frame
            started = time.perf_counter()
            candidates += [(None, r) for r in self._untracked(self._search_fine(image_bgr, []))]
            times.detect = (time.perf_counter() - started) * 1000

        ahead = self._eyes_alongside(image_bgr, candidates)
        workers = 1 if ahead else None  # the helper core is reading its eyes meanwhile
        started = time.perf_counter()
        results = self.mesh.landmarks(image_bgr, [region for _, region in candidates], workers)
        self._confirm_new_faces(image_bgr, candidates, results)
        times.landmarks = (time.perf_counter() - started) * 1000

        kept: list[tuple[_Track, MeshResult]] = []
        for track in still:
            track.last_seen = t
            track.frames += 1
            kept.append((track, track.result))
        lost_now = False
        ranked = sorted(zip(candidates, results, strict=True),
                        key=lambda item: (item[0][0] is None, -item[1].presence))
        for (track, _), result in ranked:  # tracked faces first, then new ones by confidence
            box = points_box(result.landmarks)
            duplicate = any(iou(box, other.box) > SAME_FACE_IOU for other, _ in kept)
            if result.presence < self.min_presence or duplicate or len(kept) >= self.max_faces:
                if track is not None:
                    self._lost.append(track)
                    lost_now = True
                continue
            track = track or self._reclaim_or_new(box, t)
            track.region, track.box, track.last_seen = face_region(result.landmarks), box, t
            track.frames += 1
            track.refreshed.append(t)
            kept.append((track, result))
        self._tracks = [track for track, _ in kept]
        self._remember_lost(t)
        self._lost_last_frame = lost_now
        fresh = [(track, result) for track, result in kept if track not in still]
        if len(kept) > self._gallery["full_rate_faces"]:  # what each read face's new box shows now
            for track, _ in fresh:
                track.thumbnail = _thumbnail(image_bgr, track.box)
        for track, result in fresh:
            self._look_and_confirm(track, image_bgr, result.landmarks, t)
        for track in still:
            self._confirm(track, t)

        started = time.perf_counter()  # candidates' eyes too: their cues count once confirmed
        if ahead is None:
            eyes = self.mesh.eyes(image_bgr, [result for _, result in fresh])
        else:  # the frame's one face, read on: `fresh` holds it, or nothing when it was dropped
            guessed = ahead.reading.result()[0]
            eyes = [self._checked_eyes(image_bgr, ahead, guessed, result) for _, result in fresh]
        for (track, result), eye in zip(fresh, eyes, strict=True):
            result.eyes = eye
            if track.result is not None:
                track.before, track.before_frame = track.result.landmarks, track.read_frame
            track.result, track.read_frame = result, self._frame_no
        times.iris = (time.perf_counter() - started) * 1000
        size = (image_bgr.shape[1], image_bgr.shape[0])
        gallery = len(kept) > self._gallery["full_rate_faces"]
        not_read = {id(track) for track in still}
        faces = [Face(track.participant or track.key, track.box, result.presence, result.landmarks,
                      result.eyes.iris, result.eyes.contours, size,
                      _rate_hz(track.refreshed, t) if gallery else None, id(track) not in not_read)
                 for track, result in kept]
        people = [face for (track, _), face in zip(kept, faces, strict=True) if track.participant]
        tentative = [face for (track, _), face in zip(kept, faces, strict=True) if not track.participant]
        return FrameFaces(sorted(people, key=_order), ended, sorted(tentative, key=_order),
                          self._confirmed, tuple(self._dropped))

    def _still_faces(self, image_bgr: np.ndarray, t: float) -> list[_Track]:
        """The tracked faces whose landmarks are not refreshed in this frame: none unless there
        are more than `full_rate_faces`. Then a face is due when its box's picture changed since
        its last refresh, or when it has waited `still_every_s`; of those due, the
        `refresh_per_frame` that waited longest are refreshed and every other face is still."""
        cfg = self._gallery
        if len(self._tracks) <= cfg["full_rate_faces"]:
            for track in self._tracks:
                track.thumbnail = None  # a gallery that grows again starts by reading every face
            return []
        if self._lost_last_frame:
            return []  # someone left: read every face once while the layout may be changing
        due = []
        for track in self._tracks:
            thumbnail = _thumbnail(image_bgr, track.box)
            last = track.refreshed[-1] if track.refreshed else -np.inf
            changed = (track.thumbnail is None or thumbnail is None or track.result is None
                       or float(np.abs(thumbnail - track.thumbnail).mean()) >= cfg["still_change"])
            if changed or t - last >= cfg["still_every_s"] - 1e-6:
                due.append((last, track))
        due.sort(key=lambda item: item[0])
        chosen = {id(track) for _, track in due[:cfg["refresh_per_frame"]]}
        return [track for track in self._tracks if id(track) not in chosen]

    def finish(self) -> FrameFaces:
        """The input has ended: a candidate in the picture now that was seen in every frame since
        the input began is confirmed (a photo's faces, a file too short to confirm anyone); the
        other candidates are dropped. Nothing is ended: whatever follows faces closes its own."""
        self._confirmed, self._dropped = {}, []
        for track in self._tracks:
            if track.participant is None and track.looks is not None and track.first_frame == 1 and \
                    track.frames >= self._frame_no:
                track.participant = self._recognise(track)
                self._confirmed[track.key] = track.participant
        self._dropped += [track.key for track in (*self._tracks, *self._lost) if track.participant is None]
        self._tracks = [track for track in self._tracks if track.participant is not None]
        self._lost = [track for track in self._lost if track.participant is not None]
        return FrameFaces([], (), [], self._confirmed, tuple(self._dropped))

    def end_picture(self) -> FrameFaces:
        """No faces, every track ended (the picture has stopped): `ended` and `dropped` said."""
        self._confirmed, self._dropped = {}, []
        ended = self.end_all()
        return FrameFaces([], ended, dropped=tuple(self._dropped))

    def end_all(self) -> tuple[str, ...]:
        """Ends every track (a cut, or the picture has ended) and returns the participants'
        ids. Their looks are remembered: the same face after a cut gets its id back."""
        ended = tuple(track.participant for track in (*self._tracks, *self._lost) if track.participant)
        self._dropped += [track.key for track in (*self._tracks, *self._lost) if not track.participant]
        for track in (*self._tracks, *self._lost):
            if track.participant is not None and track.looks is not None:
                self._gone[track.participant] = track
        self._tracks, self._lost = [], []
        self._fine_queue = []  # tiles of the picture before
        return ended

    def _remember_lost(self, t: float) -> None:
        """Lost tracks wait `remember_lost_s` to be reclaimed by position; then a candidate
        vanishes and a participant is kept by appearance only."""
        keep = []
        for lost in self._lost:
            if t - lost.last_seen <= self.remember_lost_s:
                keep.append(lost)
            elif lost.participant is None:
                self._dropped.append(lost.key)
            elif lost.looks is not None:
                self._gone[lost.participant] = lost
        self._lost = keep
        self._gone = {p: g for p, g in self._gone.items() if t - g.last_seen <= self._remember_s}

    def _look_and_confirm(self, track: _Track, image_bgr: np.ndarray, landmarks: np.ndarray,
                          t: float) -> None:
        """Refreshes the track's appearance now and then, and confirms a steady candidate."""
        looks = describe(image_bgr, landmarks)  # every frame: ~0.3 ms a face
        if (track.participant is not None and track.looks is not None
                and similarity(track.looks, looks) < self._same_person):
            self._another_face(track, looks, t)
        elif track.looks is None:
            track.looks, track.described_at = looks, t
        elif t - track.described_at >= DESCRIBE_EVERY_S:
            track.looks, track.described_at = blend(track.looks, looks, MEMORY_WEIGHT), t
        self._confirm(track, t)

    def _confirm(self, track: _Track, t: float) -> None:
        """Makes a candidate seen steadily for `confirm_s` a participant."""
        if track.participant is not None or track.looks is None:
            return
        age = t - track.first_seen
        if age + 1e-6 < self.confirm_s:
            return
        expected = self._frame_no - track.first_frame + 1  # frames since it appeared
        if track.frames < (1.0 - self._max_missing) * expected:
            return  # seen in and out: not steady yet
        track.participant = self._recognise(track)
        self._confirmed[track.key] = track.participant

    def _another_face(self, track: _Track, looks: np.ndarray, t: float) -> None:
        """Someone else now shows where this participant was followed: gallery tiles trade
        places when someone joins or the layout changes, with no cut in the whole picture.
        The participant is remembered as gone, and the face starts over as a candidate."""
        gone = _Track(track.participant, track.key, track.region, track.box, t, looks=track.looks)
        self._gone[track.participant] = gone
        track.participant, track.key, track.looks, track.frames = None, self._new_key(), looks, 1
        track.first_seen, track.first_frame = t, self._frame_no

    def _recognise(self, track: _Track) -> str:
        """The id of the participant out of the picture who looks most like this face, else a new one."""
        on_screen = {other.participant for other in (*self._tracks, *self._lost)}
        scores = sorted(((similarity(track.looks, gone.looks), pid) for pid, gone in self._gone.items()
                         if pid not in on_screen), reverse=True)
        best = None
        if scores:
            score, pid = scores[0]
            # standing out needs others to stand out from: with one person out of the picture, a
            # newcomer scoring 0.88-0.905 against them (as different people do, people.toml) was
            # taken for them
            stands_out = len(scores) > 1 and score - scores[1][0] >= self._reid["margin"]
            if score >= self._same_person or (score >= self._reid["likely_same"] and stands_out):
                best = pid
        if best is not None:
            del self._gone[best]
            return best
        pid = f"p{self._next_id}"
        self._next_id += 1
        return pid

    def _detection_due(self, t: float) -> bool:
        if not self._tracks or self._lost_last_frame or self._last_detect_t is None:
            return True
        return t - self._last_detect_t >= self.detect_every_s or t < self._last_detect_t

    def _eyes_alongside(self, image_bgr: np.ndarray, candidates: list) -> _EyesAhead | None:
        """With the plain mesh, one face's two eye calls cost twice its mesh call, and one face's
        mesh call leaves the second core idle (two or more faces' batches are cut over both
        cores). So when the frame holds one face, tracked in the frame before, its eyes are read
        on the second core while the mesh runs, where they are expected to be: the last reading
        moved on by as much as it moved since the one before. Whether this happens depends on
        the frames alone, never on the cores (with one core it simply runs first)."""
        if not self.eyes_alongside or self.attention or len(candidates) != 1:
            return None
        track = candidates[0][0]
        if track is None or track.result is None or track.read_frame != self._frame_no - 1:
            return None
        if track.eyes_wait > 0:
            track.eyes_wait -= 1
            return None
        placed = track.result.landmarks
        if track.before is not None and track.before_frame == track.read_frame - 1:
            placed = placed + (placed - track.before)
        self.timings.eyes_read_alongside += 1
        return _EyesAhead(track, placed, alongside(self.mesh.eyes_at, image_bgr, [placed], 1))

    def _checked_eyes(self, image_bgr: np.ndarray, ahead: _EyesAhead, guessed: EyeResult,
                      result: MeshResult) -> EyeResult:
        """The eyes read alongside the mesh, or read again on this frame's landmarks when their
        crops missed where those landmarks put the eyes by more than people.toml [landmarks]
        eyes_misplaced (a head that started, stopped or jerked between frames); after a miss the
        face's eyes wait `eyes_wait_after_miss` frames before they are read alongside again."""
        limit = self._eyes_misplaced
        for guess, real in zip(eye_regions(ahead.placed), eye_regions(result.landmarks), strict=True):
            if (math.hypot(guess.cx - real.cx, guess.cy - real.cy) > limit * real.width
                    or abs(guess.width / real.width - 1.0) > limit or abs(guess.angle - real.angle) > limit):
                self.timings.eyes_read_again += 1
                ahead.track.eyes_wait = self._eyes_wait
                return self.mesh.eyes(image_bgr, [result])[0]
        return guessed

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

    def _new_face_regions(self, image_bgr: np.ndarray, t: float) -> list[Region]:
        """Regions for detected faces that no track covers already, from the whole frame and its
        short-side tiles, and on the fine search's cadence the first of its tiles.

        Small faces need many tiles (detector.views), about 100 model calls at 1080p, so the
        fine search runs on the slow cadence only; a lost face is looked for at once in the
        whole frame and its large tiles. While every tracked face is large enough for those
        large views to find (a webcam, a small room), a newcomer is most likely as large, so
        the fine search waits `fine_search_every_s` instead (issue 20: at 720p it costs about
        25 model calls, most of a frame's budget). A new fine search waits for the last one to
        reach its last tile, however few frames a second are analysed.
        """
        last = self._last_full_detect_t
        every = self.detect_every_s if self._small_faces_likely(image_bgr) else self.fine_search_every_s
        height, width = image_bgr.shape[:2]
        coarse = views(width, height)
        if last is None or t < last or (not self._fine_queue and t - last >= every):
            self._last_full_detect_t = t
            self._fine_queue = views(width, height, min_face_px=self.min_face_px)[len(coarse):]
            if not self._tracks:  # nobody to follow yet: find everyone now, whatever it costs
                coarse, self._fine_queue = coarse + self._fine_queue, []
        return self._untracked(self._search_fine(image_bgr, coarse))

    def _search_fine(self, image_bgr: np.ndarray, first: list[Region]) -> list[Detection]:
        """Detections in `first` and the next `fine_views_per_frame` fine tiles waiting: a fine
        search (about 100 tiles at 1080p) is spread over the frames that follow its start, so
        no frame pays for all of it (issue 20: a gallery's frame took 0.4 s every second). While
        nothing is tracked the whole search runs at once: the first faces are not kept waiting."""
        share = self._fine_queue[:self._fine_per_frame]
        del self._fine_queue[:self._fine_per_frame]
        return self.detector.detect(image_bgr, regions=first + share)

    def _untracked(self, detections: list[Detection]) -> list[Region]:
        """Regions for the detected faces that no track covers already."""
        regions = []
        for found in detections:
            x, y, w, h = found.box
            centre = (x + w / 2, y + h / 2)
            if any(iou(found.box, tr.box) > SAME_FACE_IOU or _contains(tr.box, centre)
                   for tr in self._tracks):
                continue
            regions.append(aligned_region(found.box, found.keypoints[0], found.keypoints[1],
                                          FACE_SCALE))
        return regions

    def _small_faces_likely(self, image_bgr: np.ndarray) -> bool:
        """True unless faces are tracked and all are big enough for the whole-frame and
        short-side views to find (people.toml [detection] smallest_face_tensor_px)."""
        if not self._tracks:
            return True
        short_side = min(image_bgr.shape[:2])
        coarse_px = self._smallest_tensor_px * short_side / INPUT_SIZE
        return min(max(track.box[2], track.box[3]) for track in self._tracks) < coarse_px

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
        return _Track(None, self._new_key(), Region(0, 0, 1, 1), box, t, first_seen=t,
                      first_frame=self._frame_no)

    def _new_key(self) -> str:
        key = f"c{self._next_key}"
        self._next_key += 1
        return key


def _attention(model: str) -> bool:
    if model not in LANDMARK_MODELS:
        raise RuntimeError(f"people settings {SETTINGS_FILE}: [landmarks] model {model!r} is none of "
                           f"{', '.join(map(repr, LANDMARK_MODELS))}")
    return model == "attention"


def _thumbnail(image_bgr: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray | None:
    """The box's picture as a 16x16 grey thumbnail (0-255), or None when it is off the frame."""
    import cv2

    height, width = image_bgr.shape[:2]
    x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
    x1, y1 = min(width, int(box[0] + box[2]) + 1), min(height, int(box[1] + box[3]) + 1)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    step = max(1, min(x1 - x0, y1 - y0) // 32)  # every step-th pixel is plenty for 16x16
    patch = image_bgr[y0:y1:step, x0:x1:step]
    return cv2.resize(patch, THUMBNAIL_PX, interpolation=cv2.INTER_AREA).astype(np.float32).mean(axis=2)


def _rate_hz(refreshed: deque, t: float) -> float:
    """Landmark refreshes of a face in the second up to `t`."""
    return float(sum(1 for when in refreshed if t - 1.0 < when <= t))


def _order(face: Face) -> int:
    return int(face.participant[1:])


def _contains(box: tuple[float, float, float, float], point: tuple[float, float]) -> bool:
    return box[0] <= point[0] <= box[0] + box[2] and box[1] <= point[1] <= box[1] + box[3]
