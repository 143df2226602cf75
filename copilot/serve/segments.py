"""Cuts a recording into standalone segments, as a live client's recorder sends them.

Each segment is a whole file of its own (H.264 and AAC in mp4), re-encoded from the
decoded picture and sound so that it can start anywhere, not only at a key frame. The
stream tests and `copilot bench --serve` feed these to the server.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from copilot.capture.items import SAMPLE_RATE_HZ, AudioChunk, VideoFrame
from copilot.capture.media_file import MediaFile


def cut_segments(path: Path, folder: Path, *, seconds: float = 3.0, count: int | None = None) -> list[Path]:
    """The first `count` (default: all whole) `seconds`-long segments of `path`, in `folder`."""
    import av

    source = MediaFile(path)
    source.open()
    fps = Fraction(round(source.fps or 25)) if source.has_video else None
    whole = int((source.duration_s + 1e-6) // seconds)
    count = whole if count is None else min(count, whole)
    outputs, writer = [], None
    try:
        for item in source.items():
            index = int(item.t // seconds)
            if index >= count:
                break
            if writer is None or writer.index != index:
                if writer is not None:
                    writer.close()
                outputs.append(folder / f"{path.stem}-{index + 1:03d}.mp4")
                writer = _Writer(av, outputs[-1], index, seconds, source, fps)
            writer.add(item)
    finally:
        source.close()
        if writer is not None:
            writer.close()
    return outputs


class _Writer:
    def __init__(self, av, path: Path, index: int, seconds: float, source: MediaFile,
                 fps: Fraction | None) -> None:
        self.index, self.start_s = index, index * seconds
        self.out = av.open(str(path), "w")
        self.video = self.audio = None
        if fps is not None:
            self.video = self.out.add_stream("libx264", rate=fps)
            self.video.width, self.video.height = source.width // 2 * 2, source.height // 2 * 2
            self.video.pix_fmt, self.video.options = "yuv420p", {"preset": "veryfast"}
        if source.has_audio:
            self.audio = self.out.add_stream("aac", rate=SAMPLE_RATE_HZ, layout="mono")
        self.frames = self.samples = 0
        self._av, self._fps = av, fps

    def add(self, item: VideoFrame | AudioChunk) -> None:
        av = self._av
        if isinstance(item, VideoFrame) and self.video is not None:
            height, width = self.video.height, self.video.width
            frame = av.VideoFrame.from_ndarray(item.image[:height, :width], format="bgr24")
            frame.pts, frame.time_base = self.frames, 1 / self._fps
            self.frames += 1
            self.out.mux(self.video.encode(frame))
        elif isinstance(item, AudioChunk) and self.audio is not None:
            frame = av.AudioFrame.from_ndarray(item.samples.reshape(1, -1), format="flt", layout="mono")
            frame.sample_rate, frame.pts = SAMPLE_RATE_HZ, self.samples
            frame.time_base = Fraction(1, SAMPLE_RATE_HZ)
            self.samples += len(item.samples)
            self.out.mux(self.audio.encode(frame))

    def close(self) -> None:
        for stream in (self.video, self.audio):
            if stream is not None:
                self.out.mux(stream.encode(None))
        self.out.close()
