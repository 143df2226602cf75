"""The head-gesture sweep: nods and shakes across the range people use, and hard negatives.

`python -m tests.scenarios.synth.sweep OUT_DIR` renders one short clip per cell with a
labels file beside it; `copilot eval OUT_DIR` prints recall and false alarms per minute
for each cell. The face is the shipped astronaut photo warped by tests/warp.py, so the
applied rotation is the ground truth.

Where the ranges come from:
- Listeners' "yes" and "no" are symmetrical, cyclic head movements (Hadar, Steiner &
  Clifford Rose 1985, J. Nonverbal Behav. 9:214-228); the quick ones are small, the
  slow emphatic ones wide (Hadar et al. 1983, Hum. Movement Sci. 2:35-46). Within one
  nod the later cycles shrink and the last one is smaller still (Mori, Den & Jokinen
  2025, PLOS One 20:e0323448), so the swings of a run are not all the same size.
- Tempo: half-swings from 0.15 s (a 3.3 Hz backchannel bob) to 1.2 s (a slow 0.4 Hz
  "yes"), amplitude from +-3 to +-35 degrees: the span the product must cover (issue 15),
  inside what the papers above report.
- A cell whose peak angular speed (pi * amplitude / half-swing) passes 500 deg/s is left
  out: that is beyond the fastest voluntary head turns, which peak at a few hundred
  degrees per second (Zangemeister & Stark 1981, Exp. Neurol. 71:76-91).
- Orientation: facing the camera, turned 30 degrees aside, or looking 15 degrees down
  and 20 aside (a laptop beside the camera); the product must hold within 35 degrees.
- Talking: the jaw follows espeak-ng speech and the head carries the small, quick
  movements that go with speech (about 1.5 degrees at syllable rate, 4 Hz) and a slow
  drift of several degrees (Hadar et al. 1983's "rapid" and "ordinary" classes).
- Expression: a held smile (lip corners up and out), which moves the mesh's points that
  the pose reading leans on.

`--faces checking` renders a smaller grid (the corners of the tempo x amplitude range, the
talking cells and two negatives) on the faces of six people from the checking half of
tests/scenarios/behaviours (SPLIT.md) instead of the astronaut: real faces nothing was
tuned on, of different ages, sexes and looks, one with glasses.
"""

from __future__ import annotations

import argparse
import functools
import math
import sys
import time
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/: the warp and speech helpers
from warp import SIZE, rotation

from .render import mouth_levels  # the jaw follows the speech's loudness, as in the scenarios

FPS = 25
LEAD_S, TAIL_S = 1.0, 0.8  # still head before and after a gesture (the end of input closes a run)
HALF_SWINGS_S = (0.15, 0.3, 0.6, 1.2)
AMPLITUDES_DEG = (3, 10, 20, 35)
MAX_PEAK_SPEED_DEG_S = 500.0
ORIENTATIONS = {"frontal": (0.0, 0.0), "turned": (30.0, 0.0), "down_aside": (-20.0, -15.0)}
CONDITIONS = (("silent", "neutral"), ("talking", "neutral"), ("silent", "smile"))
# The cells crossed with every orientation and condition: one quick and small, one slow and wide.
REFERENCE_CELLS = ((0.3, 10), (1.2, 20))
CYCLES = 2  # down-up-down-up: three full swings between a quarter swing in and out
SPEECH_WOBBLE = ((1.5, 4.0, 0.0),)  # (degrees, Hz, phase) of pitch while talking
SPEECH_DRIFT = ((4.0, 0.3, 0.0, "yaw"), (3.0, 0.45, 1.0, "pitch"))
# People of the checking half (tests/scenarios/behaviours/SPLIT.md), each at a moment the face is
# frontal with the eyes open: (clip under /work/shared/data, seconds into it).
CHECKING_FACES = {
    "d13": ("liveportrait/d13.mp4", 1.0),  # man with glasses, selfie, office ceiling behind
    "d14": ("liveportrait/d14.mp4", 0.3),  # young woman, long dark hair
    "katiehill": ("sadtalker/WDA_KatieHill_000.mp4", 0.5),  # woman, fair hair, studio light
    "single_face": ("pyfeat/single_face.mp4", 0.2),  # man, short dark hair, door behind
    "d11": ("liveportrait/d11.mp4", 0.3),  # child, green screen
    "d0": ("liveportrait/d0.mp4", 0.2),  # man, hair tied back, green screen
}
# The grid rendered on each of them: the corners of the range, quick to slow and small to wide.
FACE_GRID = ((0.15, 3), (0.15, 20), (0.6, 3), (0.6, 20), (1.2, 3), (1.2, 35))
SENTENCE = "So the plan for next week is that we finish the draft and send it round on Friday"

# Lip corners (61: the person's right, 291: left) and the points beside them, moved by a smile:
# up and outward, in pixels of the 480 px render at full smile.
_SMILE = {61: (-6.0, -6.0), 291: (6.0, -6.0), 76: (-4.0, -4.0), 306: (4.0, -4.0),
          62: (-3.0, -3.0), 292: (3.0, -3.0), 146: (-3.0, -2.0), 375: (3.0, -2.0),
          185: (-3.0, -3.0), 409: (3.0, -3.0)}
_JAW = {**dict.fromkeys((95, 88, 178, 87, 14, 317, 402, 318, 324), 1.0),
        **dict.fromkeys((146, 91, 181, 84, 17, 314, 405, 321, 375), 0.9),
        **dict.fromkeys((152, 148, 377, 176, 400, 149, 378), 0.6)}
MOUTH_PX = 9.0


@dataclass(frozen=True)
class Cell:
    """One clip of the sweep: a gesture (or a named hard negative) under one condition."""

    name: str
    gesture: str | None  # nod | head_shake | None for a negative
    half_swing_s: float
    amplitude_deg: float
    orientation: str
    talking: bool
    expression: str  # neutral | smile
    negative: str = ""  # a hard negative: still, talking, looks_aside, glance, slow_turns, scan, laughing...
    duration_s: float = 0.0

    @property
    def gesture_span(self) -> tuple[float, float]:
        return LEAD_S, LEAD_S + 2 * CYCLES * self.half_swing_s


def _positive(gesture: str, half: float, amp: float, orientation: str, talk: str, expr: str) -> Cell:
    name = f"{gesture}_h{half:.2f}_a{amp:g}_{orientation}_{talk}_{expr}"
    duration = LEAD_S + 2 * CYCLES * half + TAIL_S
    return Cell(name, gesture, half, amp, orientation, talk == "talking", expr, duration_s=duration)


def cells() -> tuple[Cell, ...]:
    out: list[Cell] = []
    for gesture in ("nod", "head_shake"):
        for half in HALF_SWINGS_S:
            for amp in AMPLITUDES_DEG:
                if math.pi * amp / half <= MAX_PEAK_SPEED_DEG_S:
                    out.append(_positive(gesture, half, amp, "frontal", "silent", "neutral"))
        for half, amp in REFERENCE_CELLS:
            for orientation in ORIENTATIONS:
                for talk, expr in CONDITIONS:
                    if (orientation, talk, expr) != ("frontal", "silent", "neutral"):
                        out.append(_positive(gesture, half, amp, orientation, talk, expr))
    for orientation in ("frontal", "turned"):
        out.append(Cell(f"still_{orientation}", None, 0, 0, orientation, False, "neutral", "still", 8.0))
        out.append(Cell(f"talking_{orientation}", None, 0, 0, orientation, True, "neutral", "talking", 10.0))
    out += [Cell("talking_smiling", None, 0, 0, "frontal", True, "smile", "talking", 10.0),
            Cell("looks_aside", None, 0, 30, "frontal", False, "neutral", "looks_aside", 11.0),
            Cell("glances", None, 0, 20, "frontal", False, "neutral", "glance", 10.0),
            Cell("slow_turns", None, 0, 20, "frontal", False, "neutral", "slow_turns", 12.0),
            Cell("scans_the_room", None, 0, 25, "frontal", False, "neutral", "scan", 11.0),
            Cell("looks_down_at_notes", None, 0, 20, "frontal", True, "neutral", "looks_down", 12.0),
            Cell("laughing", None, 0, 3, "frontal", True, "smile", "laughing", 10.0)]
    return tuple(out)


def face_cells(face: str) -> tuple[Cell, ...]:
    """The smaller grid for one checking-half face: FACE_GRID silent and frontal, the talking
    reference cells, a still head and a talking one; names end in `__FACE`."""
    chosen = [_positive(g, half, amp, "frontal", "silent", "neutral") for g in ("nod", "head_shake")
              for half, amp in FACE_GRID]
    chosen += [_positive(g, half, amp, "frontal", "talking", "neutral") for g in ("nod", "head_shake")
               for half, amp in REFERENCE_CELLS]
    chosen += [c for c in cells() if c.name in ("still_frontal", "talking_frontal")]
    return tuple(replace(c, name=f"{c.name}__{face}") for c in chosen)


def _smooth_step(x: float) -> float:
    x = min(max(x, 0.0), 1.0)
    return 0.5 - 0.5 * math.cos(math.pi * x)


def _negative_pose(cell: Cell, t: float) -> tuple[float, float]:
    """(yaw, pitch) offsets of a hard negative at `t`."""
    a = cell.amplitude_deg
    if cell.negative == "looks_aside":  # turn aside over 0.4 s, hold 2 s, back; twice
        yaw = 0.0
        for start, side in ((1.5, 1), (6.5, -1)):
            yaw += side * a * (_smooth_step((t - start) / 0.4) - _smooth_step((t - start - 2.4) / 0.4))
        return yaw, 0.0
    if cell.negative == "glance":  # out and back in 1 s, no hold, three times
        for start in (1.5, 4.5, 7.5):
            if start <= t < start + 1.0:
                return a * math.sin(math.pi * (t - start)), 0.0
        return 0.0, 0.0
    if cell.negative == "slow_turns":  # from one side to the other over 3 s, and back
        return a * math.sin(2 * math.pi * t / 6.0), 0.0
    if cell.negative == "scan":  # left, hold, right, hold, back to the middle: looking round the room
        keys = ((1.0, 0.0), (1.6, -a), (2.6, -a), (3.4, a), (4.4, a), (5.0, 0.0), (7.0, 0.0), (7.6, a),
                (8.6, a), (9.2, 0.0))
        return float(np.interp(t, [k for k, _ in keys], [v for _, v in keys])), 0.0
    if cell.negative == "looks_down":  # glances down at notes while talking: down 0.3 s, 1 s there, up
        pitch = 0.0
        for start in (2.0, 5.5, 9.0):
            pitch -= a * (_smooth_step((t - start) / 0.3) - _smooth_step((t - start - 1.3) / 0.3))
        return 0.0, pitch
    if cell.negative == "laughing":  # the head bobs with each "ha" (about 5 a second) for 2 s bouts
        inside = any(start <= t < end for start, end in LAUGH_BOUTS)
        return 0.0, a * math.sin(2 * math.pi * 5.0 * t) if inside else 0.0
    return 0.0, 0.0


def head_pose(cell: Cell, t: float) -> tuple[float, float, float]:
    """The applied head rotation (yaw, pitch, roll degrees) at `t`."""
    yaw, pitch = ORIENTATIONS[cell.orientation]
    if cell.gesture is not None:
        start, end = cell.gesture_span
        if start <= t < end:
            swing = cell.amplitude_deg * math.sin(math.pi * (t - start) / cell.half_swing_s)
            if cell.gesture == "nod":
                pitch += swing
            else:
                yaw += swing
    else:
        dy, dp = _negative_pose(cell, t)
        yaw, pitch = yaw + dy, pitch + dp
    if cell.talking:
        for amp, hz, phase in SPEECH_WOBBLE:
            pitch += amp * math.sin(2 * math.pi * hz * t + phase)
        for amp, hz, phase, axis in SPEECH_DRIFT:
            value = amp * math.sin(2 * math.pi * hz * t + phase)
            yaw, pitch = (yaw + value, pitch) if axis == "yaw" else (yaw, pitch + value)
    return yaw, pitch, 0.0


LAUGH_BOUTS = ((2.0, 4.0), (6.0, 8.0))
LAUGH_SMILE = 2.5  # a laughing smile is broad: lip corners 15 px up and out, against 6 for a plain one
LAUGH_OPEN = 2.5  # ... and the jaw drops 22 px with each call, against up to 9 in speech


def _smile(cell: Cell, t: float) -> float:
    """How far the lip corners are pulled up at `t` (1 = the full smile of _SMILE)."""
    if cell.negative == "laughing":  # a broad smile comes with each laugh and goes after it
        return LAUGH_SMILE * max((_smooth_step((t - start) / 0.3) - _smooth_step((t - end) / 0.3)
                                  for start, end in LAUGH_BOUTS), default=0.0)
    return 1.0 if cell.expression == "smile" else 0.0


def _speech(duration_s: float) -> np.ndarray:
    from speech import RATE_HZ, Track, say, with_noise

    track, at = Track(), 0.3
    while at < duration_s - 1.0:
        at = track.put(at, say(SENTENCE, speed_wpm=170)) + 0.4
    track.pad_to(duration_s)
    return with_noise(track.samples[: round(duration_s * RATE_HZ)])


def _silence(duration_s: float) -> np.ndarray:
    from speech import RATE_HZ, with_noise

    return with_noise(np.zeros(round(duration_s * RATE_HZ), np.float32))


def render(cell: Cell, path: Path, rig, cache: dict) -> None:
    """Writes the cell's clip (H.264 + AAC mp4, 480x480, 25 fps)."""
    import av
    from speech import RATE_HZ

    audio = _speech(cell.duration_s) if cell.talking else _silence(cell.duration_s)
    n_frames = round(cell.duration_s * FPS)
    mouth = mouth_levels(audio, n_frames)
    if cell.negative == "laughing":  # the jaw opens and closes with each "ha"
        mouth = np.array([LAUGH_OPEN * (k / FPS % 0.2 < 0.1) if any(s <= k / FPS < e for s, e in LAUGH_BOUTS)
                          else 0.0 for k in range(n_frames)])
        audio = _silence(cell.duration_s)
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=FPS, options={"preset": "veryfast", "crf": "20"})
        video.width, video.height, video.pix_fmt = SIZE, SIZE, "yuv420p"
        sound = out.add_stream("aac", rate=RATE_HZ, layout="mono")
        for k in range(n_frames):
            # half a degree steps: far below the pose reading's own jitter, and more renders reused
            yaw, pitch, roll = (round(a * 2) / 2 for a in head_pose(cell, k / FPS))
            smile = round(_smile(cell, k / FPS) * 4) / 4
            key = (yaw, pitch, roll, float(mouth[k]), smile)
            if key not in cache:
                offsets: dict[int, tuple[float, float]] = {}
                for i, w in _JAW.items():
                    offsets[i] = (0.0, w * MOUTH_PX * key[3])
                for i, (dx, dy) in _SMILE.items():
                    x, y = offsets.get(i, (0.0, 0.0))
                    offsets[i] = (x + dx * smile, y + dy * smile)
                cache[key] = rig.render(rotation(yaw, pitch, roll), offsets or None)
            frame = av.VideoFrame.from_ndarray(cache[key], format="bgr24")
            frame.pts, frame.time_base = k, Fraction(1, FPS)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        for start in range(0, len(audio), 1024):
            piece = audio[start:start + 1024].reshape(1, -1).astype(np.float32)
            frame = av.AudioFrame.from_ndarray(piece, format="flt", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = RATE_HZ, start, Fraction(1, RATE_HZ)
            out.mux(sound.encode(frame))
        out.mux(sound.encode(None))


def labels_toml(cell: Cell) -> str:
    """The behaviour labels file of a cell (format: tests/scenarios/behaviours/README.md)."""
    kinds = ["talking"] if cell.talking else ["still"] if cell.negative == "still" else []
    kinds += ["gesturing"] if cell.gesture else ["turning"] if cell.negative in (
        "looks_aside", "glance", "slow_turns", "scan", "looks_down") else []
    kinds += ["expressive"] if cell.expression != "neutral" else []
    lines = [f'clip = "{cell.name}.mp4"', 'split = "synthetic"', f"kinds = {kinds!r}".replace("'", '"'),
             f'notes = "Rendered head: {cell.negative or cell.gesture}, {cell.orientation}, '
             f'{"talking" if cell.talking else "silent"}, {cell.expression}."',
             'complete = ["nod", "head_shake"]', "",
             "[cell]", f'gesture = "{cell.gesture or cell.negative}"',
             f"half_swing_s = {cell.half_swing_s:g}",
             f"amplitude_deg = {cell.amplitude_deg:g}", f'orientation = "{cell.orientation}"',
             f'condition = "{"talking" if cell.talking else "silent"}"', f'expression = "{cell.expression}"']
    if cell.gesture:
        start, end = cell.gesture_span
        lines += ["", "[[expect]]", f'behaviour = "{cell.gesture}"', f"start = {start:.3f}",
                  f"end = {end:.3f}",
                  f'why = "{CYCLES} cycles of +-{cell.amplitude_deg:g} degrees, '
                  f'{cell.half_swing_s:g} s a half-swing"']
    return "\n".join(lines) + "\n"


def generate(out_dir: Path, chosen: tuple[Cell, ...] | None = None, face: str | None = None) -> list[Path]:
    """Renders every cell (or `chosen`) into OUT_DIR with its labels file; returns the labels files.
    `face`: a key of CHECKING_FACES to render instead of the astronaut."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rig = _rig(face)
    cache, written = {}, []
    for cell in chosen or cells():
        render(cell, out_dir / f"{cell.name}.mp4", rig, cache)
        labels = out_dir / f"{cell.name}.toml"
        labels.write_text(labels_toml(cell), encoding="utf-8")
        written.append(labels)
    return written


@functools.cache
def _rig(face: str | None):
    """The astronaut's rig, or one checking-half person's: built once per process (the sweep's
    test renders one cell at a time in each worker)."""
    import cv2
    from warp import build_rig, rig_around_face

    from copilot.shipped.resources import resource_path
    from copilot.vision.tracker import FaceTracker

    if face is None:
        photo = cv2.imread(str(resource_path("assets", "faces/astronaut.jpg")))
        return build_rig(photo, (225, 125), 250, FaceTracker())
    return rig_around_face(_frame(*CHECKING_FACES[face]), FaceTracker)


def _frame(clip: str, t: float) -> np.ndarray:
    import cv2

    from copilot.evaluation.labels import shared_data_dir

    path = shared_data_dir() / clip
    capture = cv2.VideoCapture(str(path))
    capture.set(cv2.CAP_PROP_POS_MSEC, t * 1000)
    ok, image = capture.read()
    if not ok:
        raise SystemExit(f"{path}: no frame at {t} s")
    return image


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.scenarios.synth.sweep",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--only", nargs="*", default=(), help="cell names (or prefixes) to render")
    parser.add_argument("--faces", choices=["checking"],
                        help="render the smaller grid on the checking half's faces instead")
    args = parser.parse_args()
    began = time.monotonic()
    if args.faces:
        chosen = ()
        for face in CHECKING_FACES:
            face_grid = tuple(c for c in face_cells(face)
                              if not args.only or any(c.name.startswith(p) for p in args.only))
            generate(args.out_dir, face_grid, face)
            chosen += face_grid
    else:
        chosen = tuple(c for c in cells() if not args.only or any(c.name.startswith(p) for p in args.only))
        generate(args.out_dir, chosen)
    print(f"{len(chosen)} cell(s), {sum(c.duration_s for c in chosen):.0f} s of video, "
          f"in {time.monotonic() - began:.1f} s")


if __name__ == "__main__":
    main()
