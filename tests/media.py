"""Makes small media files with exactly known content, for tests that need ground truth."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np

# container suffix -> (video codec, audio codec)
CODECS = {
    ".mp4": ("libx264", "aac"),
    ".mkv": ("libx264", "flac"),
    ".webm": ("libvpx", "libopus"),
    ".mov": ("libx264", "aac"),
    ".avi": ("mpeg4", "mp3"),
}
TONE_HZ = 440.0


def frame_image(index: int, width: int, height: int) -> np.ndarray:
    """A frame whose bright square's position encodes its index (readable after lossy coding)."""
    image = np.full((height, width, 3), 40, np.uint8)
    x = 8 + (index * 6) % max(1, width - 40)
    image[height // 2 - 12:height // 2 + 12, x:x + 24] = (40, 220, 250)
    return image


def square_x(image: np.ndarray) -> int:
    """Left edge of the bright square drawn by frame_image."""
    column_energy = image[:, :, 2].astype(np.int32).sum(axis=0)
    return int(np.argmax(column_energy > column_energy.max() * 0.5))


def make_clip(path: Path, *, seconds: float = 2.0, fps: int = 25, width: int = 160, height: int = 120,
              audio_rate: int = 44_100, video: bool = True, audio: bool = True, start_s: float = 0.0,
              interleaved: bool = True) -> Path:
    """Writes a clip with a moving square and a 440 Hz stereo tone, its timestamps starting at
    `start_s`; not `interleaved`, the file holds all its video before any of its audio."""
    import av

    vcodec, acodec = CODECS.get(path.suffix, ("libx264", "aac"))
    with av.open(str(path), "w", options={} if interleaved else {"max_interleave_delta": "1"}) as out:
        vstream = astream = None
        if video:
            vstream = out.add_stream(vcodec, rate=fps)
            vstream.width, vstream.height, vstream.pix_fmt = width, height, "yuv420p"
        if audio:
            astream = out.add_stream(acodec, rate=48_000 if acodec == "libopus" else audio_rate)
            astream.layout = "stereo"
        n_frames = round(seconds * fps)
        if vstream is not None:
            for i in range(n_frames):
                frame = av.VideoFrame.from_ndarray(frame_image(i, width, height), format="bgr24")
                frame.pts = i + round(start_s * fps)
                frame.time_base = Fraction(1, fps)
                out.mux(vstream.encode(frame))
            out.mux(vstream.encode(None))
        if astream is not None:
            rate = astream.rate
            t = np.arange(round(seconds * rate)) / rate
            tone = (0.3 * np.sin(2 * np.pi * TONE_HZ * t)).astype(np.float32)
            block = 1024
            for start in range(0, len(tone), block):
                piece = tone[start:start + block]
                frame = av.AudioFrame.from_ndarray(np.stack([piece, piece]), format="fltp",
                                                   layout="stereo")
                frame.sample_rate, frame.pts = rate, start + round(start_s * rate)
                frame.time_base = Fraction(1, rate)
                out.mux(astream.encode(frame))
            out.mux(astream.encode(None))
    return path


def make_cut_clip(path: Path, *, seconds: float = 3.0) -> Path:
    """An mp4 with its index at the front, cut off at 60%: it opens, then decoding fails part way."""
    import av

    whole = make_clip(path.with_name(f"whole-{path.name}"), seconds=seconds, width=320, height=240)
    front = path.with_name(f"front-{path.name}")
    with av.open(str(whole)) as source, av.open(str(front), "w", options={"movflags": "faststart"}) as out:
        streams = {s.index: out.add_stream_from_template(s) for s in source.streams}
        for packet in source.demux():
            if packet.dts is not None:
                packet.stream = streams[packet.stream.index]
                out.mux(packet)
    data = front.read_bytes()
    path.write_bytes(data[: len(data) * 6 // 10])
    return path


def make_damaged_clip(path: Path, *, at_s: float, packets: int = 1) -> tuple[Path, float]:
    """A 3 s mp4 whose audio packets from the one nearest `at_s` on (`packets` of them) are
    overwritten with garbage (a disk or network glitch); returns it and the first one's time."""
    import av

    clip = make_clip(path.with_name(f"whole-{path.name}"), seconds=3.0)
    with av.open(str(clip)) as container:
        sound = [p for p in container.demux(audio=0) if p.pts is not None and p.pos is not None]
        first = min(range(len(sound)), key=lambda k: abs(float(sound[k].pts * sound[k].time_base) - at_s))
        bad = [(p.pos, p.size) for p in sound[first:first + packets]]
        at = float(sound[first].pts * sound[first].time_base)
    data = bytearray(clip.read_bytes())
    for where, size in bad:
        data[where:where + size] = b"\xff" * size
    path.write_bytes(bytes(data))
    return path, at


def still_frame(path: Path, index: int) -> np.ndarray:
    """Frame `index` of a recording, as BGR."""
    from copilot.vision.frames import read_frames

    for k, (_, image) in enumerate(read_frames(path)):
        if k == index:
            return image
    raise ValueError(f"{path} has no frame {index}")
