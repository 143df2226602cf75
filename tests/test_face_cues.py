"""Face cues against exact ground truth: clips rendered from a real photo (tests/warp.py).

The NASA astronaut portrait shipped in assets/faces and stills of four people from the
shared recordings are rigged once each; their heads are then turned by known rotations
(nods and shakes use the astronaut). Pose ground truth is the applied rotation composed with
the photo's own pose as the cues read it on the unwarped render, so errors are
relative to that render, not to an absolute frontal. Nods and shakes are scripted
sinusoids of pitch or yaw; still heads and slow turns must give no events.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from copilot.vision.cues.analyzer import FaceCueAnalyzer
from copilot.vision.cues.head import ShapeFit, head_frame, pose_angles
from copilot.vision.cues.settings import settings

sys.path.insert(0, str(Path(__file__).parent))
from media import still_frame
from warp import build_rig, faces_in_photo, rig_around_face, rotation

FPS = 25.0


@pytest.fixture(scope="module")
def rig():
    import cv2

    from copilot.shipped.resources import resource_path
    from copilot.vision.tracker import FaceTracker

    photo = cv2.imread(str(resource_path("assets", "faces/astronaut.jpg")))
    return build_rig(photo, (225, 125), 250, FaceTracker())


def _track(rig, angles_per_frame):
    from copilot.vision.tracker import FaceTracker

    tracker, analyzer, events = FaceTracker(), FaceCueAnalyzer(), []
    for k, angles in enumerate(angles_per_frame):
        t = k / FPS
        events += analyzer.process(tracker.process(rig.render(rotation(*angles)), t), t).events
    return events + analyzer.finish()


# Five people turned by known angles: the shipped astronaut photo and stills of four people
# from the shared recordings (file, frame), each one frontal enough for the warp to turn.
PEOPLE = {
    "astronaut": None,
    "d18 (man)": ("liveportrait/d18.mp4", 10),
    "d14 (woman)": ("liveportrait/d14.mp4", 0),
    "openface (man)": ("openface_samples/default.wmv", 30),
    "grid (man)": ("grid_lipnet/bbaf2n.mpg", 10),
}
# Every pose out to 25° from frontal: turns, nods, tilts and turn-plus-nod combinations.
POSES = ([(a, 0, 0) for a in (-25, -20, -15, -5, 5, 15, 20, 25)]
         + [(0, a, 0) for a in (-25, -20, -10, 10, 20, 25)]
         + [(0, 0, -20), (0, 0, 20), (10, 10, 5), (-10, -10, -5),
            (20, 15, 0), (-20, 15, 0), (20, -15, 0), (-20, -15, 0)])


@pytest.fixture(scope="module")
def turned_people(shared_data):
    """Per person: the landmarks found on the unturned render and on each of POSES."""
    import cv2

    from copilot.shipped.resources import resource_path
    from copilot.vision.tracker import FaceTracker

    found = {}
    for name, source in PEOPLE.items():
        photo = (cv2.imread(str(resource_path("assets", "faces/astronaut.jpg"))) if source is None
                 else still_frame(shared_data / source[0], source[1]))
        rig = rig_around_face(photo, FaceTracker)
        # each render read as a video's frames are after the first: from its own landmarks' crop
        start = faces_in_photo(FaceTracker(), rig.render(), frames=2)[0].landmarks
        found[name] = (start, [faces_in_photo(FaceTracker(), rig.render(rotation(*angles)), frames=2)[0]
                               .landmarks for angles in POSES])
    return found


def _errors(start, turned, gains):
    """|estimate - truth| per pose; truth is each turn applied to the unturned render's own pose."""
    fit = ShapeFit(10.0, 0.05, gains)
    reference = fit.rotation(start, head_frame(start))
    return np.array([np.abs(np.subtract(pose_angles(fit.rotation(found, head_frame(found))),
                                        pose_angles(rotation(*angles) @ reference)))
                     for angles, found in zip(POSES, turned, strict=True)])


@pytest.fixture(scope="module")
def pose_errors(turned_people):
    pose = settings()["pose"]
    gains = (pose["parallax_gain_sideways"], pose["parallax_gain_vertical"])
    errors = {name: _errors(start, turned, gains) for name, (start, turned) in turned_people.items()}
    print("\n|error| in degrees (yaw pitch roll) per person, with the configured parallax gains")
    print(f"{'applied':16s}" + "".join(f"{name:>18s}" for name in errors))
    for k, angles in enumerate(POSES):
        print(f"{angles!s:16s}" + "".join("".join(f"{v:6.1f}" for v in e[k]) for e in errors.values()))
    print(f"{'worst':16s}" + "".join(f"{e.max():18.1f}" for e in errors.values()))
    return errors


def _turned_by(angles) -> float:
    """How far a pose is from frontal: the angle of its rotation, in degrees."""
    return float(np.degrees(np.arccos(np.clip((np.trace(rotation(*angles)) - 1) / 2, -1, 1))))


def test_pose_error_within_3_degrees_out_to_20_and_bounded_to_25(pose_errors):
    near = [k for k, angles in enumerate(POSES) if _turned_by(angles) <= 20]
    for name, errors in pose_errors.items():
        assert errors[near].max() <= 3.0, name
        assert errors.max() <= 4.0, name


def test_pose_error_is_small_on_average(pose_errors):
    rms = float(np.sqrt(np.mean([np.mean(errors ** 2) for errors in pose_errors.values()])))
    print(f"\nroot-mean-square pose error over {len(pose_errors)} people and {len(POSES)} poses: {rms:.2f}°")
    assert rms <= 1.3


@pytest.mark.xfail(strict=True, reason="known gap: four of 110 poses read 3.1-3.5°: the astronaut's "
                   "25° turn (read about 13% short) and turn-and-nod combinations of d18 and grid; the "
                   "issue asks for 3° everywhere out to 25°")
def test_pose_error_within_3_degrees_out_to_25(pose_errors):
    assert max(errors.max() for errors in pose_errors.values()) <= 3.0


def test_the_vertical_parallax_gain_is_the_models_not_one_persons(turned_people):
    """The configured gain must fit each person's nods alike, or it would be tuned to one face."""
    nods = [k for k, (yaw, pitch, roll) in enumerate(POSES) if pitch and not yaw and not roll]
    configured = settings()["pose"]["parallax_gain_vertical"]
    print("\nbest vertical parallax gain per person (nods only)")
    for name, (start, turned) in turned_people.items():
        best = min(np.arange(0.5, 1.01, 0.02),
                   key=lambda g: _errors(start, turned, (1.0, g))[nods, 1].max())
        print(f"  {name:16s} {best:.2f}")
        assert abs(best - configured) <= 0.05, name
        assert _errors(start, turned, (1.0, configured))[nods, 1].max() < \
            _errors(start, turned, (1.0, 1.0))[nods, 1].max(), name


def _script(kind, amplitude, hz, cycles):
    lead, tail = int(0.6 * FPS), int(1.2 * FPS)
    n = int(cycles / hz * FPS)
    wave = amplitude * np.sin(2 * np.pi * hz * np.arange(n) / FPS)
    series = np.concatenate([np.zeros(lead), wave, np.zeros(tail)])
    frames = [(0, s, 0) if kind == "nod" else (s, 0, 0) for s in series]
    return frames, (lead / FPS, (lead + n) / FPS)


GESTURES = [(kind, amplitude, hz, cycles) for kind in ("nod", "head_shake")
            for amplitude, hz, cycles in ((5, 1.5, 2), (10, 2.5, 3), (15, 2.0, 4), (8, 3.0, 3))]


@pytest.fixture(scope="module")
def gesture_results(rig):
    results = []
    for gesture in GESTURES:
        frames, span = _script(*gesture)
        results.append((gesture, span, _track(rig, frames)))
    still = _track(rig, [(0, 0, 0)] * int(2 * FPS))
    slow = _track(rig, [(-10 + 20 * k / (3 * FPS), 0, 0) for k in range(int(3 * FPS))])
    slow_pitch = _track(rig, [(0, -8 + 16 * k / (3 * FPS), 0) for k in range(int(3 * FPS))])
    return results, still + slow + slow_pitch


def test_nods_and_shakes_precision_and_recall(gesture_results):
    results, negatives = gesture_results
    print("\ngesture      amp  Hz  cycles  detected  count")
    scores = {}
    for kind in ("nod", "head_shake"):
        hits = false = found = total = 0
        for (gesture_kind, amplitude, hz, cycles), (start, end), events in results:
            mine = [e for e in events if e.kind == kind]
            right = [e for e in mine if gesture_kind == kind and e.start < end + 0.3 and e.end > start - 0.3]
            false += len(mine) - len(right)
            hits += len(right)
            if gesture_kind == kind:
                total += 1
                found += bool(right)
                print(f"{kind:11s} {amplitude:4d} {hz:4.1f} {cycles:6d} {bool(right)!s:>9s} "
                      f"{sum(e.count for e in right):6d}")
        false += sum(e.kind == kind for e in negatives)
        scores[kind] = (hits / max(1, hits + false), found / total)
    for kind, (precision, recall) in scores.items():
        print(f"{kind}: precision {precision:.2f} recall {recall:.2f}")
        assert precision >= 0.9 and recall >= 0.9


def test_still_and_slowly_turning_heads_give_no_gestures(gesture_results):
    _, negatives = gesture_results
    assert not [e for e in negatives if e.kind in ("nod", "head_shake")]


def test_a_head_held_tilted_is_one_tilt_and_a_slight_lean_is_none(rig):
    """15° of roll held 1.6 s is a sustained tilt; 6° (under the 10° of face_cues.toml) is not."""
    lead, held, tail = int(2.0 * FPS), int(1.6 * FPS), int(0.8 * FPS)
    for roll, expected in ((15, 1), (-15, 1), (6, 0)):
        events = _track(rig, [(0, 0, 0)] * lead + [(0, 0, roll)] * held + [(0, 0, 0)] * tail)
        tilts = [e for e in events if e.kind == "head_tilt"]
        assert len(tilts) == expected, (roll, tilts)
        for tilt in tilts:
            assert tilt.start == pytest.approx(lead / FPS, abs=0.2)
            assert tilt.end == pytest.approx((lead + held) / FPS, abs=0.2)


# Head movements whose smoothed pose is compared with the unsmoothed one: (name, axis, angle at t).
MOVEMENTS = [("shake 10° at 1 Hz", 0, lambda t: 10 * np.sin(2 * np.pi * t)),
             ("nod 10° at 1 Hz", 1, lambda t: 10 * np.sin(2 * np.pi * t)),
             ("turn at 5°/s", 0, lambda t: -5 + 5 * t),
             ("nod at 3°/s", 1, lambda t: -3 + 3 * t)]


def test_pose_smoothing_adds_at_most_50_ms_of_lag(rig):
    """The pose cues against the same fit unsmoothed: the shift that best lines them up is the lag."""
    from copilot.vision.tracker import FaceTracker

    pose = settings()["pose"]
    t = np.arange(int(2.5 * FPS)) / FPS
    print("\nmovement             lag added by smoothing")
    for name, axis, angle in MOVEMENTS:
        tracker, analyzer, smoothed, raw = FaceTracker(), FaceCueAnalyzer(), [], []
        fit = ShapeFit(pose["frontal_within_deg"], pose["shape_learn_rate"],
                       (pose["parallax_gain_sideways"], pose["parallax_gain_vertical"]))
        for k, a in enumerate(angle(t)):
            faces = tracker.process(rig.render(rotation(*((a, 0, 0) if axis == 0 else (0, a, 0)))), t[k])
            face = (list(faces) or list(faces.tentative))[0]  # a candidate for its first second
            step = analyzer.process(faces, t[k])
            cues = {**step.tentative, **step.cues}[face.participant]
            smoothed.append((cues.yaw, cues.pitch)[axis])
            raw.append(pose_angles(fit.rotation(face.landmarks, head_frame(face.landmarks)),
                                   pose["pitch_offset_deg"])[axis])
        settled = t >= 0.5
        shifts = np.arange(0.0, 0.2, 0.001)
        misfit = [np.mean((np.array(smoothed)[settled] - np.interp(t[settled] - shift, t, raw)) ** 2)
                  for shift in shifts]
        lag_ms = 1000 * shifts[int(np.argmin(misfit))]
        print(f"{name:20s} {lag_ms:4.0f} ms")
        assert lag_ms <= 50, name


def test_the_cue_bench_times_every_face_it_tracked(shared_data):
    """How fast the cues are is `copilot bench`'s to say (medians on a quiet machine); a timed
    assertion here would pass or fail with the machine's load. This checks the bench measures
    what it claims: one timing per tracked face."""
    from copilot.bench.cues import bench_face_cues

    result = bench_face_cues(shared_data / "noddingpigeon" / "head_stationary.mp4", max_frames=150)
    print(f"\ncue extraction: {result['cues_ms_per_face_median']} ms per face (median), "
          f"p95 {result['cues_ms_per_face_p95']} ms")
    assert result["frames"] == 150 and result["faces"] == 150
    assert 0 < result["cues_ms_per_face_median"] <= result["cues_ms_per_face_p95"]
