"""One person's face cues, frame by frame: pose, lean, gaze, eyes, expressions, motion.

Expressions are changes from the person's own neutral (a running median, see
smoothing.RunningBaseline) divided by the change that counts as full intensity in
face_cues.toml, clipped to [0, 1]. Everything at time t uses frames up to t.
"""

from __future__ import annotations

from collections import deque
from dataclasses import asdict, dataclass, field

import numpy as np

from copilot.vision.cues.head import ShapeFit, direction_angles, head_frame, pose_angles
from copilot.vision.cues.measures import MEASURES, measure
from copilot.vision.cues.settings import settings
from copilot.vision.cues.smoothing import OneEuroFilter, RunningBaseline
from copilot.vision.face import Face

M = {name: k for k, name in enumerate(MEASURES)}
# After the measures, the baseline also follows pose, gaze and where the head is.
YAW, PITCH, ROLL, GAZE_YAW, GAZE_PITCH, HEAD_X, HEAD_Y, HEAD_SIZE = range(len(MEASURES), len(MEASURES) + 8)
# The expression measures whose neutral is read at the current head pose (smoothing.RunningBaseline,
# pose_trend). Left out: the iris offsets (the eyes' own turn within the head) and the eye
# openings, which blinks are timed on: a long closure sits in the fit's samples and, with the
# head moving, bent the curve enough to split d14's closure in two.
FOLLOWS_POSE = tuple(M[name] for name in MEASURES if not name.startswith(("iris_", "open_")))


@dataclass(slots=True)
class FaceCues:
    t: float
    participant: str
    ready: bool  # the neutral baseline has had enough time; intensities before are rough
    yaw: float  # degrees, > 0 turned toward the image's right
    pitch: float  # degrees, > 0 looking up
    roll: float  # degrees, > 0 leaning clockwise on screen
    head_x: float  # head position from its usual place, in interocular distances (> 0 right);
    #               measured from the frame's centre, so leaning in or out leaves it alone
    head_y: float  # ... (> 0 down)
    lean: float  # [-1, 1]: > 0 nearer the camera than usual (leaning in)
    gaze_yaw: float  # degrees, head pose and eyes together, the eyes read against their usual place
    gaze_pitch: float
    lens_gaze_yaw: float  # degrees, the gaze with the eyes read against people's usual straight-
    lens_gaze_pitch: float  # ahead (face_cues.toml people_straight_*): where it points from the lens
    at_camera: bool  # eye contact: on the screen, and the lens gaze near the lens
    at_screen: bool  # eyes on the screen: gaze inside the screen (on_the_screen), or into the lens,
    #                  and uncalibrated, the lens gaze within any screen (within_any_screen);
    #                  then, per participant, held through nods and blinks and cleared by shut
    #                  eyes (participant.EyesOnScreen): the one measure signals and report share
    eye_open_right: float  # share of the person's usual eye opening
    eye_open_left: float
    eyes_closed: bool
    brow_raise: float
    brow_lower: float
    brow_asymmetry: float
    lid_tighten: float
    smile: float
    lip_corner_depress: float
    lip_press: float
    jaw_drop: float
    mouth_asymmetry: float
    mouth_movement: float
    motion_energy: float
    nod_swings: int = 0  # head swings of a nod run confirmed at this frame (live, before the run ends)
    shake_swings: int = 0  # likewise for a head-shake run
    smiling: bool = False  # a held smile under way (face_cues.toml [smile]), live before it ends
    laughing: bool = False  # a laugh on the face under way ([laughter]), likewise
    gaze_off_deg: float = 0.0  # angle between the gaze and the screen's centre (how far off it looks)
    events: list = field(default_factory=list)  # BehaviourEvents that ended at this frame

    def to_json(self) -> dict[str, object]:
        record = asdict(self)
        record["events"] = [event.to_json() for event in self.events]
        return {key: round(value, 3) if isinstance(value, float) else value
                for key, value in record.items()}


class PersonCues:
    """The running state behind one participant's cues (filters, baseline, short history).

    `screen` is where the screen's centre is, as (gaze yaw, gaze pitch) in degrees, when the
    user calibrated it for their own face; None learns it (screen_direction).
    """

    def __init__(self, screen: tuple[float, float] | None = None) -> None:
        cfg = settings()
        smooth, base = cfg["smoothing"], cfg["baseline"]
        self.cfg = cfg
        self.screen = screen
        one_euro = (smooth["min_cutoff_hz"], smooth["beta"], smooth["derivative_cutoff_hz"])
        self.pose_filter, self.gaze_filter = OneEuroFilter(*one_euro), OneEuroFilter(*one_euro)
        self.lens_gaze_filter = OneEuroFilter(*one_euro)
        self.baseline = RunningBaseline(HEAD_SIZE + 1, base["sample_hz"], base["window_s"],
                                        base["ready_after_s"],
                                        (FOLLOWS_POSE, (YAW, PITCH), base["pose_prior_deg"]))
        pose = cfg["pose"]
        self.shape = ShapeFit(pose["frontal_within_deg"], pose["shape_learn_rate"],
                              (pose["parallax_gain_sideways"], pose["parallax_gain_vertical"]))
        self.mouth_history: deque[tuple[float, float]] = deque()
        self.previous: tuple[float, np.ndarray] | None = None
        self.motion = 0.0
        self.closed = False
        self.open_since: float | None = None  # when a closed eye first read open again

    def update(self, face: Face, t: float) -> FaceCues:
        cfg, expr = self.cfg, self.cfg["expression"]
        frame = head_frame(face.landmarks)
        rotation = self.shape.rotation(face.landmarks, frame)
        yaw, pitch, roll = self.pose_filter(pose_angles(rotation, cfg["pose"]["pitch_offset_deg"]), t)
        m = measure(face, frame)
        base = self.baseline.value
        gaze_yaw, gaze_pitch = self.gaze_filter(self._gaze(rotation, *self._eyes(m, base)), t)
        # The lens gaze: the same gaze with the eyes' straight-ahead of people in general, not this
        # person's usual eye position: which way they look from the lens, whatever they
        # usually look at (face_cues.toml [gaze] people_straight_*).
        gaze_cfg = cfg["gaze"]
        lens_gaze = self.lens_gaze_filter(self._gaze(rotation, *eye_angles(
            m[M["iris_x"]] - gaze_cfg["people_straight_x"], m[M["iris_y"]] - gaze_cfg["people_straight_y"],
            gaze_cfg["eye_width_over_radius"])), t)
        size = np.log(frame.scale)
        # Where the head is, from the frame's centre in face sizes: leaning straight toward the
        # camera scales the picture about its centre, which leaves this unchanged.
        centre_offset = (frame.origin[:2] - np.array(face.image_size) / 2) / frame.scale
        all_now = np.concatenate([m, [yaw, pitch, roll, gaze_yaw, gaze_pitch,
                                      *centre_offset, size]])
        base = self.baseline.update(all_now, t)
        d = all_now - base

        open_r, open_l = m[M["open_right"]] / base[M["open_right"]], m[M["open_left"]] / base[M["open_left"]]
        closed = self._eyes_closed((open_r + open_l) / 2, t)
        brow_d = (d[M["brow_right"]] + d[M["brow_left"]]) / 2
        corner_d = (d[M["corner_right"]] + d[M["corner_left"]]) / 2
        lips_apart = d[M["mouth_open"]] > 0.03
        screen = self.screen_direction(base[GAZE_YAW], base[GAZE_PITCH], self.baseline.seen_s)
        off_screen_deg = float(np.hypot(gaze_yaw - screen[0], gaze_pitch - screen[1]))
        gaze_now = (float(gaze_yaw), float(gaze_pitch))
        at_screen = ((into_the_lens(gaze_now, gaze_cfg) or on_the_screen(gaze_now, screen, gaze_cfg))
                     and (self.screen is not None or within_any_screen(lens_gaze, gaze_cfg)))
        return FaceCues(
            t=t, participant=face.participant, ready=self.baseline.ready,
            yaw=float(yaw), pitch=float(pitch), roll=float(roll),
            head_x=float(d[HEAD_X]), head_y=float(d[HEAD_Y]),
            lean=float(np.clip(np.expm1(d[HEAD_SIZE]) / cfg["lean"]["full_scale"], -1, 1)),
            gaze_yaw=float(gaze_yaw), gaze_pitch=float(gaze_pitch),
            lens_gaze_yaw=float(lens_gaze[0]), lens_gaze_pitch=float(lens_gaze[1]),
            at_camera=at_screen and into_the_lens(lens_gaze, gaze_cfg),
            at_screen=at_screen,
            eye_open_right=float(open_r), eye_open_left=float(open_l), eyes_closed=bool(closed),
            brow_raise=_unit(brow_d / expr["brow_raise"]),
            brow_lower=_unit((-brow_d - expr["brow_lower_gap_weight"] * d[M["brow_gap"]])
                             / expr["brow_lower"]),
            brow_asymmetry=_unit(abs(d[M["brow_right"]] - d[M["brow_left"]]) / expr["brow_asymmetry"]),
            lid_tighten=0.0 if closed else _unit((1 - (open_r + open_l) / 2) / expr["lid_tighten"]),
            smile=_unit((mouth_raise(all_now) - min(mouth_raise(base), expr["neutral_mouth_raise_max"]))
                        / expr["smile"]),
            lip_corner_depress=_unit(corner_d / expr["lip_corner_depress"]),
            lip_press=0.0 if lips_apart else _unit(
                -d[M["lip_thickness"]] / base[M["lip_thickness"]] / expr["lip_press"]),
            jaw_drop=_unit((d[M["jaw"]] + d[M["mouth_open"]]) / 2 / expr["jaw_drop"]),
            mouth_asymmetry=_unit(abs(d[M["corner_right"]] - d[M["corner_left"]]) / expr["mouth_asymmetry"]),
            mouth_movement=self._mouth_movement(m[M["mouth_open"]], t),
            motion_energy=self._motion(face.landmarks, frame.scale, t),
            gaze_off_deg=off_screen_deg,
        )

    def screen_direction(self, usual_yaw: float, usual_pitch: float, seen_s: float) -> tuple[float, float]:
        """The calibrated screen centre, else the person's usual gaze (over `seen_s` seconds) pulled
        to within the screen_max_* angles of the lens: a camera may sit beside the screen, but
        someone who looks far to one side all the time is looking at something else. A usual gaze
        of a few seconds is mostly where the talk took the eyes, so below where a screen sits it is
        believed only as the seconds behind it allow (learned_screen, face_cues.toml)."""
        if self.screen is not None:
            return self.screen
        return learned_screen(usual_yaw, usual_pitch, seen_s, self.cfg["gaze"])

    def _eyes_closed(self, opening: float, t: float) -> bool:
        """Closed below `closed_ratio` of the usual opening; open again only once above
        `open_ratio` for `reopen_s`. So a shut eye whose measured opening flickers, or lids
        that flutter open for single frames, read as one closure, not a burst of blinks."""
        blink = self.cfg["blink"]
        if opening < blink["closed_ratio"]:
            self.closed, self.open_since = True, None
        elif self.closed and opening > blink["open_ratio"]:
            self.open_since = t if self.open_since is None else self.open_since
            self.closed = t - self.open_since < blink["reopen_s"]
        elif self.closed:
            self.open_since = None
        return self.closed

    def _eyes(self, m: np.ndarray, base: np.ndarray | None) -> tuple[float, float]:
        """Eye-in-head yaw and pitch in radians, from the iris offset against its usual place."""
        if base is None:
            return 0.0, 0.0
        return eye_angles(m[M["iris_x"]] - base[M["iris_x"]], m[M["iris_y"]] - base[M["iris_y"]],
                          self.cfg["gaze"]["eye_width_over_radius"])

    def _gaze(self, rotation: np.ndarray, eye_yaw: float, eye_pitch: float) -> tuple[float, float]:
        """Gaze yaw and pitch in degrees from the lens: the eyes' turn carried by the head's."""
        gaze = direction_angles(rotation @ np.array([np.sin(eye_yaw) * np.cos(eye_pitch), -np.sin(eye_pitch),
                                                     -np.cos(eye_yaw) * np.cos(eye_pitch)]))
        return gaze[0], gaze[1] - self.cfg["pose"]["pitch_offset_deg"]

    def _mouth_movement(self, opening: float, t: float) -> float:
        expr = self.cfg["expression"]
        self.mouth_history.append((t, opening))
        while self.mouth_history and t - self.mouth_history[0][0] > expr["mouth_movement_window_s"]:
            self.mouth_history.popleft()
        values = [v for _, v in self.mouth_history]
        return _unit(float(np.std(values)) / expr["mouth_movement"]) if len(values) > 2 else 0.0

    def _motion(self, landmarks: np.ndarray, scale: float, t: float) -> float:
        expr = self.cfg["expression"]
        points = landmarks[:, :2]
        if self.previous is not None and t > self.previous[0]:
            dt = t - self.previous[0]
            speed = float(np.linalg.norm(points - self.previous[1], axis=1).mean()) / scale / dt
            self.motion += min(1.0, dt / expr["motion_smoothing_s"]) * (speed - self.motion)
        self.previous = (t, points.copy())
        return _unit(self.motion / expr["motion_energy"])


def eye_angles(dx: float, dy: float, eye_width_over_radius: float) -> tuple[float, float]:
    """Eye-in-head yaw and pitch in radians from the iris's offset (in eye widths, y down) from
    where it sits when the eye looks straight ahead."""
    return (float(np.arcsin(np.clip(dx * eye_width_over_radius, -1, 1))),
            float(-np.arcsin(np.clip(dy * eye_width_over_radius, -1, 1))))


def within_any_screen(gaze: tuple[float, float], cfg: dict[str, float]) -> bool:
    """Whether a gaze read against people's usual straight-ahead (yaw, pitch in degrees from the
    lens) could fall on any screen an uncalibrated face may be taken to watch: one centred within
    screen_max_* of the lens, widened by how far that reading strays for people looking at one
    point (face_cues.toml [gaze] people_spread_*). A person whose eyes are always turned away is
    learned as looking straight; this is what still tells that they look elsewhere."""
    widest_yaw = cfg["screen_max_yaw_deg"] + cfg["screen_half_width_deg"] + cfg["people_spread_yaw_deg"]
    widest_pitch = (cfg["screen_max_pitch_deg"] + cfg["screen_half_height_deg"]
                    + cfg["people_spread_pitch_deg"])
    return bool(abs(gaze[0]) < widest_yaw and abs(gaze[1]) < widest_pitch)


def into_the_lens(gaze: tuple[float, float], cfg: dict[str, float]) -> bool:
    """Whether a gaze (yaw, pitch in degrees) points into the camera (at_camera_cone_deg); the lens
    sits on the screen's bezel, so this counts as on the screen wherever its centre is taken to be."""
    return bool(np.hypot(*gaze) < cfg["at_camera_cone_deg"])


def learned_screen(usual_yaw: float, usual_pitch: float, seen_s: float,
                   cfg: dict[str, float]) -> tuple[float, float]:
    """Where the screen's centre is taken to be, uncalibrated: the usual gaze, clipped to the
    screen_max_* angles of the lens. Lower than a laptop's screen sits (screen_prior_pitch_deg) it is
    held there by a prior worth `screen_prior_s` seconds of gaze (weight seen / (seen + prior)): that
    low, a few seconds cannot tell a screen from a desk. Between there and the lens, or above it,
    it is taken at once, as before (face_cues.toml [gaze])."""
    yaw = float(np.clip(usual_yaw, -cfg["screen_max_yaw_deg"], cfg["screen_max_yaw_deg"]))
    pitch = float(np.clip(usual_pitch, -cfg["screen_max_pitch_deg"], cfg["screen_max_pitch_deg"]))
    prior_pitch, prior_s = cfg["screen_prior_pitch_deg"], cfg["screen_prior_s"]
    if pitch < prior_pitch and prior_s > 0:
        pitch = prior_pitch + (pitch - prior_pitch) * seen_s / (seen_s + prior_s)
    return yaw, pitch


def on_the_screen(gaze: tuple[float, float], screen: tuple[float, float], cfg: dict[str, float]) -> bool:
    """Whether a gaze (yaw, pitch in degrees) falls on a screen centred at `screen`: a rectangle,
    since a screen is wider than tall, so a look well below its middle is off while a look at its
    corner is on (face_cues.toml [gaze] screen_half_width_deg, screen_half_height_deg)."""
    return (abs(gaze[0] - screen[0]) < cfg["screen_half_width_deg"]
            and abs(gaze[1] - screen[1]) < cfg["screen_half_height_deg"])


def mouth_raise(values: np.ndarray) -> float:
    """How far the lip corners sit above their level, plus half the mouth's width: what a smile
    (AU12) raises. Its neutral is the person's own, but never above that of nearly everyone's
    neutral mouth (face_cues.toml), so a smile held from the first frame still reads as one."""
    return float(-(values[M["corner_right"]] + values[M["corner_left"]]) / 2 + 0.5 * values[M["mouth_width"]])


def _unit(value: float) -> float:
    return float(min(1.0, max(0.0, value)))
