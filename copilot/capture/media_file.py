"""A recorded file as a source: its video frames and its audio track, on media time.

Items come out in time order across both streams (a frame at `t` follows every audio
chunk that starts before `t`), so the analysis thread always has all the audio that
precedes a frame by the time it takes that frame. That ordering is what makes a fast run and a paced
run of the same file see identical inputs.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np

from copilot.capture.items import SAMPLE_RATE_HZ, AudioChunk, SourceError, VideoFrame
from copilot.capture.source import SessionClock

SUPPORTED_SUFFIXES = (
    ".mp4",
    ".mkv",
    ".webm",
    ".mov",
    ".avi",
    ".wmv",
    ".mpg",
    ".mpeg",
    ".m4v",
    ".ts",  # MPEG transport stream, as broadcast and HLS recorders write it
    ".wav",
    ".flac",
    ".mp3",
    ".m4a",
    ".ogg",
    ".opus",
    ".aac",
)
AUDIO_CHUNK_S = 0.032  # re-cut decoded audio into chunks this long, whatever the codec's frame size
# A file counts as cut short when its streams end this much before the length its header
# declares (and a twentieth of it): headers are often a frame or two off, never seconds.
CUT_SHORT_S = 1.0
PEEK_PACKETS = 30  # packets tried for the first picture, to learn which way up it is


def _file_error(path: Path, reason: str) -> SourceError:
    return SourceError(f"{path}: {reason}")


class MediaFile:
    """Decodes a media file with PyAV; `pace=True` releases items at their real-time moment.

    The picture and the sound are each read by a demuxer of their own and merged by time,
    so however a file is interleaved (some muxers write all the video first), each frame
    is analysed with the sound that precedes it. A damaged packet is skipped and named in
    `warnings`; a file whose streams end well before the length its header declares is an
    error once everything it holds has been given out.
    """

    live = False

    def __init__(
        self, path: str | Path, *, pace: bool = False, with_audio: bool = True, with_video: bool = True
    ) -> None:
        self.path = Path(path)
        self.name = self.path.name
        self.pace = pace
        self._with_audio = with_audio
        self._with_video = with_video
        self._stop = threading.Event()
        self._streams: tuple[int | None, int | None] = (None, None)  # (video, audio) stream index
        self._origin_s = 0.0  # the container's start time: media time 0
        self._declared_s = 0.0  # the length the header declares
        self._ends: dict[str, float] = {}  # stream kind -> where its last item ended
        self._skipped: dict[str, list[float]] = {}  # stream kind -> times of damaged packets
        self.duration_s = 0.0
        self.fps = 0.0
        self.width = 0
        self.height = 0
        self.has_video = False
        self.has_audio = False
        self.warnings: list[str] = []

    def open(self, clock: SessionClock | None = None) -> None:
        import av

        if not self.path.exists():
            raise _file_error(self.path, "no such file")
        if self.path.is_dir():
            raise _file_error(self.path, "is a folder, not a media file")
        try:
            container = av.open(str(self.path))
        except av.error.FFmpegError as exc:
            raise _file_error(self.path, f"not a readable media file ({exc.strerror or exc})") from exc
        with container:
            video, audio = chosen_streams(container)
            video = video if self._with_video else None
            audio = audio if self._with_audio else None
            if video is None and audio is None:
                raise _file_error(self.path, "has neither a video nor an audio stream")
            self._streams = (video.index if video else None, audio.index if audio else None)
            self.has_video, self.has_audio = video is not None, audio is not None
            if video is not None:
                rate = video.average_rate or video.guessed_rate
                self.fps = float(rate) if rate else 0.0
                self.width, self.height = video.codec_context.width, video.codec_context.height
                if _quarter_turns(container, video) % 2:
                    self.width, self.height = self.height, self.width
            self._origin_s = start_time_s(container)
            self.duration_s = _duration_s(container)
            self._declared_s = _declared_s(container, [s for s in (video, audio) if s is not None],
                                           self._origin_s)

    def describe(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "duration_s": round(self.duration_s, 3),
            "fps": round(self.fps, 3),
            "width": self.width,
            "height": self.height,
            "has_video": self.has_video,
            "has_audio": self.has_audio,
            "paced": self.pace,
        }

    def close(self) -> None:
        self._stop.set()

    def items(self) -> Iterator[VideoFrame | AudioChunk]:
        if self._streams == (None, None):
            self.open()
        readers = ([self._video_frames()] if self.has_video else []) + (
            [self._audio_chunks()] if self.has_audio else [])
        # audio first at equal times: a frame's step takes the sound up to its own time
        merged = heapq.merge(*readers, key=lambda item: (item.t, isinstance(item, VideoFrame)))
        started: float | None = None  # wall time of media time 0, fixed at the first item
        try:
            for item in merged:
                if self._stop.is_set():
                    return
                if self.pace:
                    if started is None:
                        started = time.monotonic() - item.t
                    delay = started + item.t - time.monotonic()
                    if delay > 0 and self._stop.wait(delay):
                        return
                    item = replace(item, captured_at=time.monotonic())
                yield item
        finally:  # stopped, failed part way or done: what was skipped on the way is still said
            self._name_skipped()
        if not self._stop.is_set():
            self._check_length()

    def _video_frames(self) -> Iterator[VideoFrame]:
        step = 1.0 / (self.fps or 30.0)
        for index, frame in enumerate(self._decoded("video", self._streams[0])):
            t = frame.time if frame.time is not None else index * step
            image = upright(frame)
            t = max(0.0, t - self._origin_s)
            self._ends["video"] = t + step
            yield VideoFrame(t=t, image=image, index=index, captured_at=time.monotonic())

    def _audio_chunks(self) -> Iterator[AudioChunk]:
        cutter = _AudioCutter(self._origin_s)
        for frame in self._decoded("audio", self._streams[1]):
            for chunk in cutter.add(frame):
                self._ends["audio"] = chunk.end
                yield chunk
        for chunk in cutter.flush():
            self._ends["audio"] = chunk.end
            yield chunk

    def _decoded(self, kind: str, index: int | None) -> Iterator:
        """The stream's decoded frames in order, read by a demuxer of its own; a packet the
        decoder rejects is skipped and remembered, a file that cannot be read on is an error."""
        import av

        with av.open(str(self.path)) as container:
            stream = container.streams[index]
            stream.thread_type = "AUTO"
            packets = container.demux(stream)
            while not self._stop.is_set():
                try:
                    packet = next(packets)
                except StopIteration:
                    return
                except av.error.FFmpegError as exc:
                    at = self._ends.get(kind, 0.0)
                    raise _file_error(self.path, f"reading failed at {at:.1f} s ({_reason(exc)})") from exc
                try:
                    yield from packet.decode()
                except av.error.FFmpegError:
                    at = float(packet.pts * packet.time_base) - self._origin_s if packet.pts is not None \
                        else self._ends.get(kind, 0.0)
                    self._skipped.setdefault(kind, []).append(max(0.0, at))

    def _name_skipped(self) -> None:
        for kind, times in self._skipped.items():
            one = len(times) == 1
            where = f"at {times[0]:.1f} s" if one else f"between {min(times):.1f} and {max(times):.1f} s"
            self.warnings.append(f"{self.path}: skipped {len(times)} damaged {kind} "
                                 f"{'packet' if one else 'packets'} ({where})")
        self._skipped = {}

    def _check_length(self) -> None:
        """Once the whole file is read: takes the length its streams really have, and says when
        they end well before the length its header declares for them (a file cut short, e.g.
        by a copy that stopped)."""
        if not self._ends:
            return
        ended = max(self._ends.values())
        self.duration_s = ended
        # a header may count from the container's start time or from zero (Matroska does)
        short_by = self._declared_s - max(ended, ended + self._origin_s)
        if self._declared_s and short_by > max(CUT_SHORT_S, 0.05 * self._declared_s):
            raise _file_error(self.path, f"ends at {ended:.1f} s, though its header says "
                                         f"{self._declared_s:.1f} s: the file is cut short")


class _AudioCutter:
    """Resamples to 16 kHz mono and cuts gapless fixed-length chunks stamped by sample count;
    a hole in the stream's own timestamps is filled with silence."""

    def __init__(self, origin_s: float) -> None:
        import av

        self._resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE_HZ)
        self._origin = origin_s
        self._start_t: float | None = None
        self._emitted = 0
        self._pending: list[np.ndarray] = []
        self._chunk = round(AUDIO_CHUNK_S * SAMPLE_RATE_HZ)

    def add(self, frame) -> Iterator[AudioChunk]:
        if self._start_t is None:
            self._start_t = max(0.0, (frame.time or 0.0) - self._origin)
        elif frame.time is not None:  # a gap (a damaged packet skipped): silence keeps later sound in time
            queued = self._emitted + sum(len(p) for p in self._pending)
            gap = frame.time - self._origin - (self._start_t + queued / SAMPLE_RATE_HZ)
            if gap > AUDIO_CHUNK_S:
                self._pending.append(np.zeros(round(gap * SAMPLE_RATE_HZ), np.float32))
        for out in self._resampler.resample(frame):
            self._pending.append(out.to_ndarray().reshape(-1).astype(np.float32, copy=False))
        yield from self._cut(final=False)

    def flush(self) -> Iterator[AudioChunk]:
        if self._start_t is None:
            return
        for out in self._resampler.resample(None):
            self._pending.append(out.to_ndarray().reshape(-1).astype(np.float32, copy=False))
        yield from self._cut(final=True)

    def _cut(self, *, final: bool) -> Iterator[AudioChunk]:
        if not self._pending:
            return
        buffer = np.concatenate(self._pending)
        usable = len(buffer) if final else len(buffer) - len(buffer) % self._chunk
        for start in range(0, usable, self._chunk):
            samples = buffer[start : start + self._chunk].copy()
            t = self._start_t + self._emitted / SAMPLE_RATE_HZ
            self._emitted += len(samples)
            yield AudioChunk(t=t, samples=samples, channel="file", captured_at=time.monotonic())
        self._pending = [buffer[usable:]] if usable < len(buffer) else []


def packet_span_s(path: Path) -> float:
    """How long a file's picture and sound run, from their packets' times alone: no decoding,
    so a segment's length is known before its frames are (a recorder's chunk often has no
    length in its header at all). Raises SourceError for a file that cannot be read."""
    import av

    try:
        with av.open(str(path)) as container:
            chosen = [s for s in chosen_streams(container) if s is not None]
            if not chosen:
                raise _file_error(path, "has neither a video nor an audio stream")
            origin, end = start_time_s(container), 0.0
            for packet in container.demux(chosen):
                if packet.pts is not None and packet.time_base:
                    end = max(end, float((packet.pts + (packet.duration or 0)) * packet.time_base) - origin)
            return end
    except av.error.FFmpegError as exc:
        raise _file_error(path, f"not a readable media file ({_reason(exc)})") from exc


def chosen_streams(container) -> tuple:
    """The picture and the sound to analyse: the first video stream that is a picture, not
    an album cover attached to a sound file, and the audio stream marked default (else the first)."""
    import av

    cover = av.stream.Disposition.attached_pic
    videos = [s for s in container.streams.video if not s.disposition & cover]
    audios = list(container.streams.audio)
    default = [s for s in audios if s.disposition & av.stream.Disposition.default]
    return (videos[0] if videos else None), ((default or audios)[0] if audios else None)


def _quarter_turns(container, stream) -> int:
    """How many quarter turns counterclockwise make the picture upright (see `upright`), read
    off the first frame: the picture's size depends on it."""
    import av

    try:
        for packet in itertools.islice(container.demux(stream), PEEK_PACKETS):
            try:
                frames = packet.decode()
            except av.error.FFmpegError:
                continue  # a damaged packet: try the next
            for frame in frames:
                return _turns(frame)
    except av.error.FFmpegError:
        pass  # unreadable: the reading itself will say so
    return 0


def _turns(frame) -> int:
    return round((frame.rotation or 0) / 90) % 4


def upright(frame) -> np.ndarray:
    """A decoded frame as a BGR image the right way up: phones record sideways and say how
    to turn the picture in a display matrix, which players obey."""
    # One thread: left to choose, the colour conversion starts slice threads for every frame, which
    # cost more than they save at these sizes (the same pixels; 0.62 against 0.83 CPU-ms a 720p frame).
    image = frame.to_ndarray(format="bgr24", threads=1)  # may keep the decoder's row padding
    return np.ascontiguousarray(np.rot90(image, _turns(frame)))


def _reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc)


def start_time_s(container) -> float:
    """Media time 0 of a file: where its earliest stream starts."""
    import av

    return container.start_time / av.time_base if container.start_time not in (None, 0) else 0.0


def _declared_s(container, read: list, origin_s: float) -> float:
    """Where the header says the streams being read end, from media time 0; 0 when it does not
    say. The container's own figure covers every stream (a longer second sound track, subtitles),
    so it stands in only when the streams read are all the file holds."""
    ends = [float((s.start_time or 0) * s.time_base + s.duration * s.time_base) - origin_s
            for s in read if s.duration and s.time_base]
    if ends:
        return max(ends)
    return _duration_s(container) if len(read) == len(container.streams) else 0.0


def _duration_s(container) -> float:
    import av

    if container.duration:
        return container.duration / av.time_base
    longest = 0.0
    for stream in container.streams:
        if stream.duration and stream.time_base:
            longest = max(longest, float(stream.duration * stream.time_base))
    return longest
