"""Draws what the face cues say onto a frame, for a person to check them by eye.

Head-pose axes start at the nose tip, gaze rays at each iris, and a few cue bars sit
beside the face box; `copilot cues --preview` writes these frames to a video.
"""

from __future__ import annotations

import math

import numpy as np

from copilot.vision.cues.cues import FaceCues
from copilot.vision.face import Face

NOSE_TIP = 1  # mesh index
BARS = ("smile", "brow_raise", "brow_lower", "jaw_drop", "mouth_movement", "lid_tighten")
BAR_W, BAR_H = 60, 9
RED, GREEN, BLUE, YELLOW, WHITE = (60, 60, 230), (80, 200, 80), (230, 120, 40), (0, 220, 255), (240, 240, 240)


def _direction(yaw_deg: float, pitch_deg: float) -> tuple[float, float]:
    """Image-plane direction of a ray turned by yaw (> 0 to the image's right) and pitch (> 0 up)."""
    yaw, pitch = math.radians(yaw_deg), math.radians(pitch_deg)
    return math.sin(yaw) * math.cos(pitch), -math.sin(pitch)


def draw_cues(image: np.ndarray, face: Face, cues: FaceCues) -> None:
    """Draws in place: pose axes, gaze rays and cue bars for one face."""
    import cv2

    x, y, w, h = face.box
    length = 0.6 * w
    nose = face.landmarks[NOSE_TIP, :2]
    roll = math.radians(cues.roll)
    for (dx, dy), colour in (((math.cos(roll), math.sin(roll)), RED),
                             ((math.sin(roll), -math.cos(roll)), GREEN),
                             (_direction(cues.yaw, cues.pitch), BLUE)):
        end = nose + length * np.array([dx, dy])
        cv2.arrowedLine(image, _pt(nose), _pt(end), colour, 2, cv2.LINE_AA, tipLength=0.15)
    gaze = np.array(_direction(cues.lens_gaze_yaw, cues.lens_gaze_pitch))  # as eye contact reads it
    for centre in (face.iris[0, :2], face.iris[5, :2]):
        cv2.line(image, _pt(centre), _pt(centre + 0.8 * length * gaze), YELLOW, 1, cv2.LINE_AA)
    left, top = int(x + w + 6), int(y)
    for row, name in enumerate(BARS):
        value = float(np.clip(getattr(cues, name), 0.0, 1.0))
        y0 = top + row * (BAR_H + 4)
        cv2.rectangle(image, (left, y0), (left + BAR_W, y0 + BAR_H), (70, 70, 70), -1)
        cv2.rectangle(image, (left, y0), (left + round(BAR_W * value), y0 + BAR_H), GREEN, -1)
        cv2.putText(image, name.replace("_", " "), (left + BAR_W + 4, y0 + BAR_H - 1),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.35, WHITE, 1, cv2.LINE_AA)
    status = "at camera" if cues.at_camera else ("eyes closed" if cues.eyes_closed else "")
    label = f"yaw {cues.yaw:+.0f} pitch {cues.pitch:+.0f} roll {cues.roll:+.0f} {status}"
    cv2.putText(image, label, (int(x), int(y + h + 16)), cv2.FONT_HERSHEY_SIMPLEX, 0.45, WHITE, 1,
                cv2.LINE_AA)


def _pt(p: np.ndarray) -> tuple[int, int]:
    return round(float(p[0])), round(float(p[1]))
