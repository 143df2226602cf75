"""Renders a scenario into an mp4 (H.264 + AAC) and writes its labels file beside it.

The face is the shipped astronaut photo warped by tests/warp.py with the scripted head
rotation per frame; the jaw drops with the loudness of the speech so the mouth moves
when the voice does. Speech comes from espeak-ng via tests/speech.py. Renders are
cached per (angles, mouth) so still stretches and repeated nods cost one warp each.
"""

from __future__ import annotations

import math
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np

from .script import Scenario, derive_labels, labels_toml, move_at

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/: the warp and speech helpers
from speech import RATE_HZ, Track, say, with_noise
from warp import SIZE, build_rig, rotation

FPS = 25
RAMP_S = 0.4  # how long turning away, looking down or sliding out takes
MOUTH_PX = 9.0  # jaw drop at the loudest speech, in pixels of the 480 px render
# Face-mesh points that open the mouth: lower lip (inner, outer), then the chin, with how far each moves.
_JAW = {**dict.fromkeys((95, 88, 178, 87, 14, 317, 402, 318, 324), 1.0),
        **dict.fromkeys((146, 91, 181, 84, 17, 314, 405, 321, 375), 0.9),
        **dict.fromkeys((152, 148, 377, 176, 400, 149, 378), 0.6)}


def _rig():
    import cv2

    from copilot.shipped.resources import resource_path
    from copilot.vision.tracker import FaceTracker

    photo = cv2.imread(str(resource_path("assets", "faces/astronaut.jpg")))
    return build_rig(photo, (225, 125), 250, FaceTracker())


def _ramp(t: float, start: float, end: float) -> float:
    """0 -> 1 over RAMP_S after `start`, back to 0 over RAMP_S before `end` (smooth)."""
    up = min(max((t - start) / RAMP_S, 0.0), 1.0)
    down = min(max((end - t) / RAMP_S, 0.0), 1.0)
    return 0.5 - 0.5 * math.cos(math.pi * min(up, down))


def head_pose(scenario: Scenario, t: float) -> tuple[float, float, float]:
    """The scripted head rotation (yaw, pitch, roll in degrees) at `t`."""
    move = move_at(scenario, t)
    local = t - move.start
    if move.kind == "nod":
        return 0.0, move.amplitude_deg * math.sin(2 * math.pi * move.hz * local), 0.0
    if move.kind == "shake":
        return move.amplitude_deg * math.sin(2 * math.pi * move.hz * local), 0.0, 0.0
    if move.kind == "glance":
        return move.amplitude_deg * math.sin(math.pi * local / (move.end - move.start)), 0.0, 0.0
    if move.kind == "away":
        return move.amplitude_deg * _ramp(t, move.start, move.end), 0.0, 0.0
    if move.kind == "down":
        return 0.0, -move.amplitude_deg * _ramp(t, move.start, move.end), 0.0
    return 0.0, 0.0, 0.0


def _slide(scenario: Scenario, t: float) -> float:
    move = move_at(scenario, t)
    return _ramp(t, move.start, math.inf) * 1.2 if move.kind == "leave" else 0.0


def speech_track(scenario: Scenario) -> tuple[np.ndarray, list[float]]:
    """The scenario's audio at 16 kHz and when each line stops sounding."""
    track, ends = Track(), []
    for line in scenario.lines:
        flat = line.kind == "filler"
        ends.append(track.put(line.start, say(line.text, speed_wpm=line.speed_wpm, flat=flat), line.kind))
    track.pad_to(scenario.duration_s)
    return with_noise(track.samples[: round(scenario.duration_s * RATE_HZ)]), ends


def mouth_levels(samples: np.ndarray, n_frames: int) -> np.ndarray:
    """Jaw opening per video frame, 0..1 in quarter steps, from the speech loudness."""
    hop = RATE_HZ // FPS
    rms = np.array([np.sqrt(np.mean(samples[k * hop:(k + 1) * hop] ** 2)) if k * hop < len(samples) else 0.0
                    for k in range(n_frames)])
    level = np.clip(rms / max(float(rms.max()), 1e-6), 0, 1) if rms.max() > 0.01 else np.zeros(n_frames)
    return np.round(level * 4) / 4


def render_clip(scenario: Scenario, path: Path, rig=None) -> list[float]:
    """Writes `path` (mp4) and returns when each spoken line ends."""
    import av
    import cv2

    rig = rig or _rig()
    audio, ends = speech_track(scenario)
    n_frames = round(scenario.duration_s * FPS)
    mouth = mouth_levels(audio, n_frames)
    background = tuple(int(v) for v in np.median(rig.image[:40].reshape(-1, 3), axis=0))
    cache: dict[tuple, np.ndarray] = {}
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=FPS, options={"preset": "veryfast", "crf": "20"})
        video.width, video.height, video.pix_fmt = SIZE, SIZE, "yuv420p"
        sound = out.add_stream("aac", rate=RATE_HZ, layout="mono")
        for k in range(n_frames):
            t = k / FPS
            yaw, pitch, roll = (round(a * 4) / 4 for a in head_pose(scenario, t))
            key = (yaw, pitch, roll, float(mouth[k]))
            if key not in cache:
                offsets = {i: (0.0, w * MOUTH_PX * key[3]) for i, w in _JAW.items()} if key[3] else None
                cache[key] = rig.render(rotation(yaw, pitch, roll), offsets)
            image = cache[key]
            shift = _slide(scenario, t) * SIZE
            if shift:
                image = cv2.warpAffine(image, np.float32([[1, 0, shift], [0, 1, 0]]), (SIZE, SIZE),
                                       borderMode=cv2.BORDER_CONSTANT, borderValue=background)
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            frame.pts, frame.time_base = k, Fraction(1, FPS)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        block = 1024
        for start in range(0, len(audio), block):
            piece = audio[start:start + block].reshape(1, -1).astype(np.float32)
            frame = av.AudioFrame.from_ndarray(piece, format="flt", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = RATE_HZ, start, Fraction(1, RATE_HZ)
            out.mux(sound.encode(frame))
        out.mux(sound.encode(None))
    return ends


def generate(out_dir: Path, scenarios: tuple[Scenario, ...]) -> list[Path]:
    """Renders each scenario to OUT_DIR/<name>.mp4 with OUT_DIR/<name>.toml; returns the labels files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rig, written = _rig(), []
    for scenario in scenarios:
        clip = out_dir / f"{scenario.name}.mp4"
        ends = render_clip(scenario, clip, rig)
        labels = out_dir / f"{scenario.name}.toml"
        labels.write_text(labels_toml(scenario, clip.name, derive_labels(scenario, ends)), encoding="utf-8")
        written.append(labels)
    return written
