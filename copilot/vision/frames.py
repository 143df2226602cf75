"""Frames of a still image or a video file, and a preview video with faces drawn on it."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np

from copilot.capture.items import SourceError
from copilot.capture.still_image import StillImage, is_image
from copilot.vision.face import Face

MILLISECOND = Fraction(1, 1000)  # video timestamps are milliseconds of session time


def read_frames(path: Path) -> Iterator[tuple[float, np.ndarray]]:
    """(t, BGR image) pairs: one at t=0 for an image, every frame for a video."""
    if is_image(path):
        for frame in StillImage(path).items():
            yield frame.t, frame.image
        return
    from copilot.capture.media_file import MediaFile

    source = MediaFile(path, pace=False, with_audio=False)
    source.open()
    if not source.has_video:
        source.close()
        raise SourceError(f"{path}: has no video stream")
    for item in source.items():
        yield item.t, item.image


def draw_faces(image_bgr: np.ndarray, faces: list[Face]) -> np.ndarray:
    """A copy of the frame with each face's mesh, irises, box and participant id."""
    import cv2

    out = image_bgr.copy()
    for face in faces:
        for x, y in np.round(face.landmarks[:, :2]).astype(int):
            cv2.circle(out, (int(x), int(y)), 1, (80, 220, 80), -1, cv2.LINE_AA)
        for eye in (face.iris[:5], face.iris[5:]):
            radius = float(np.linalg.norm(eye[1:, :2] - eye[0, :2], axis=1).mean())
            centre = (round(float(eye[0, 0])), round(float(eye[0, 1])))
            cv2.circle(out, centre, max(1, round(radius)), (255, 200, 0), 1, cv2.LINE_AA)
        x, y, w, h = (round(v) for v in face.box)
        cv2.rectangle(out, (x, y), (x + w, y + h), (0, 160, 255), 2)
        cv2.putText(out, f"{face.participant} {face.presence:.2f}", (x, max(12, y - 6)),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 160, 255), 2, cv2.LINE_AA)
    return out


class PreviewVideo:
    """H.264 MP4 writer (PyAV, so no extra codec install), stamped in milliseconds.

    Frames written with their session time `t` keep it (a variable frame rate that lines
    up with recorded signals); without `t` they follow one another at `fps`.
    """

    def __init__(self, path: Path, fps: float = 30.0, *, survives_a_crash: bool = False) -> None:
        """`survives_a_crash`: a fragmented MP4 with a key frame every two seconds, readable up
        to the last fragment if the process is killed (a plain MP4's index is written at the end)."""
        self.path, self.fps, self.survives_a_crash = path, fps, survives_a_crash
        self._container = None
        self._stream = None
        self._written = 0
        self._last_pts = -1

    def write(self, image_bgr: np.ndarray, t: float | None = None) -> None:
        import av

        if self._container is None:
            fragments = {"movflags": "frag_keyframe+empty_moov+default_base_moof", "flush_packets": "1"}
            options = fragments if self.survives_a_crash else {}
            self._container = av.open(str(self.path), mode="w", options=options)
            self._stream = self._container.add_stream("libx264", rate=round(self.fps))
            if self.survives_a_crash:  # no B-frames: fragments carry no edit list to undo their delay
                self._stream.codec_context.gop_size = round(2 * self.fps)
                self._stream.codec_context.max_b_frames = 0
            self._stream.height, self._stream.width = image_bgr.shape[0] // 2 * 2, image_bgr.shape[1] // 2 * 2
            self._stream.pix_fmt, self._stream.time_base = "yuv420p", MILLISECOND
            self._stream.codec_context.time_base = MILLISECOND
        pts = round((self._written / self.fps if t is None else t) * 1000)
        if pts <= self._last_pts:  # two frames in one millisecond: keep the first
            return
        even = np.ascontiguousarray(image_bgr[: self._stream.height, : self._stream.width])
        frame = av.VideoFrame.from_ndarray(even, format="bgr24")
        # MILLISECOND, not the stream's time base: the MP4 muxer picks its own on start
        frame.pts, frame.time_base, self._last_pts = pts, MILLISECOND, pts
        self._written += 1
        for packet in self._stream.encode(frame):
            self._container.mux(packet)

    def close(self) -> None:
        if self._container is not None:
            for packet in self._stream.encode():
                self._container.mux(packet)
            self._container.close()
