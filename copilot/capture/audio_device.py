"""Live audio: the microphone ("you") and what the computer plays ("them").

PortAudio calls `_on_block` on its own real-time thread; it only copies the block
into a preallocated ring and bumps a counter, so it never waits on Python locks,
logging or Qt. `items()` reads the ring with its own cursor, downmixes, resamples
to 16 kHz and stamps each chunk from the sample count since the first block, so
consecutive chunks are gapless on the session clock (except across samples that
were really lost, which are counted).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import numpy as np

from copilot.capture.devices import AudioInput, find_input, import_sounddevice, refresh_portaudio
from copilot.capture.items import SAMPLE_RATE_HZ, AudioChunk, SourceError
from copilot.capture.source import SessionClock

FIRST_AUDIO_S = 10.0  # a device that delivers nothing for this long after opening is broken
STALL_S = 5.0  # ... or that stops delivering for this long once it has started
MAX_CHUNK = SAMPLE_RATE_HZ * 50 // 1000  # samples; longer reads are cut to this
_env_lock = threading.Lock()  # PULSE_SOURCE is process-wide: one opening at a time
_open_streams = 0  # PortAudio may only be restarted (to rescan devices) with none open


class _Ring:
    """A fixed block of samples written by the audio thread and read by one reader."""

    def __init__(self, frames: int, channels: int) -> None:
        self.data = np.zeros((frames, channels), dtype=np.float32)
        self.written = 0  # total frames ever written; the reader keeps its own count

    def write(self, block: np.ndarray) -> None:
        size = len(self.data)
        block = block[-size:]
        start = self.written % size
        first = min(len(block), size - start)
        self.data[start : start + first] = block[:first]
        self.data[: len(block) - first] = block[first:]
        self.written += len(block)

    def read(self, start: int, stop: int) -> np.ndarray:
        size = len(self.data)
        index = np.arange(start, stop) % size
        return self.data[index]


class Resampler:
    """Kaiser-windowed sinc interpolation for a stream cut into arbitrary blocks.

    Output sample k sits at input position k * in_rate / out_rate, so timing is exact
    for any pair of rates (44.1 kHz included); the low-pass sits just under the lower
    Nyquist frequency so that nothing above 8 kHz folds into the speech band.
    """

    ZERO_CROSSINGS = 16  # per side; sets the filter's steepness
    KAISER_BETA = 8.0

    def __init__(self, in_rate: int, out_rate: int) -> None:
        self.step = in_rate / out_rate
        self.cutoff = 0.5 * min(1.0, out_rate / in_rate) * 0.92  # cycles per input sample
        self.half = int(np.ceil(self.ZERO_CROSSINGS / (2 * self.cutoff)))
        self.reset()

    def reset(self) -> None:
        self._history = np.zeros(self.half, dtype=np.float64)
        self._pos = float(self.half)  # where the next output falls, in history coordinates

    def process(self, x: np.ndarray) -> np.ndarray:
        if self.step == 1.0:
            return x.astype(np.float32)
        buf = np.concatenate([self._history, x])
        last = len(buf) - 1 - self.half  # the last position with all its taps available
        count = int((last - self._pos) // self.step) + 1 if last >= self._pos else 0
        pos = self._pos + self.step * np.arange(count)
        taps = np.floor(pos).astype(np.int64)[:, None] + np.arange(1 - self.half, self.half + 1)
        dist = pos[:, None] - taps
        edge = np.clip(1.0 - (dist / self.half) ** 2, 0.0, None)
        weights = np.sinc(2 * self.cutoff * dist) * np.i0(self.KAISER_BETA * np.sqrt(edge))
        weights /= weights.sum(axis=1, keepdims=True)  # unit gain at DC
        out = (buf[taps] * weights).sum(axis=1).astype(np.float32)
        next_pos = self._pos + self.step * count
        keep = int(np.floor(next_pos)) - self.half + 1
        self._history, self._pos = buf[keep:], next_pos - keep
        return out


class AudioDevice:
    """One input device captured as 16 kHz mono chunks of about `block_ms`."""

    live = True
    has_video = False

    def __init__(
        self,
        channel: str,
        device: str | int | None = None,
        block_ms: float = 20.0,
        buffer_s: float = 5.0,
    ) -> None:
        if channel not in ("you", "them"):
            raise ValueError(f"channel must be 'you' or 'them', got {channel!r}")
        self.channel = channel
        self.wanted = device
        self.block_ms = block_ms
        self.buffer_s = buffer_s
        kind = "microphone" if channel == "you" else "system audio"
        self.name = f"{kind}: {device}" if device is not None else kind
        self.input: AudioInput | None = None
        self.rate = 0
        self.overflows = 0  # blocks PortAudio reported as lost before we saw them
        self.lost_frames = 0  # frames overwritten in the ring before items() read them
        self._stream: Any = None
        self._ring: _Ring | None = None
        self._first_at: float | None = None  # monotonic time of the first captured frame
        self._clock: SessionClock | None = None
        self._ended = threading.Event()  # set by PortAudio when the stream stops by itself
        self._stop = threading.Event()

    def open(self, clock: SessionClock) -> None:
        global _open_streams
        sd = import_sounddevice()
        try:
            self.input = find_input(self.wanted, loopback=self.channel == "them")
        except SourceError:
            if _open_streams:
                raise
            refresh_portaudio()  # PortAudio lists devices only when it starts; look again
            self.input = find_input(self.wanted, loopback=self.channel == "them")
        self.name = f"{self.name.split(':')[0]}: {self.input.name}"
        self._clock = clock
        self._stop.clear()
        self._ended.clear()
        self._first_at = None
        channels, self.rate = self._pick_format(sd)
        self._ring = _Ring(int(self.buffer_s * self.rate), channels)
        try:
            with _env_lock:
                saved = os.environ.get("PULSE_SOURCE")
                if self.input.pulse_source:
                    os.environ["PULSE_SOURCE"] = self.input.pulse_source
                try:
                    self._stream = sd.InputStream(
                        device=self.input.device,
                        samplerate=self.rate,
                        channels=channels,
                        dtype="float32",
                        callback=self._on_block,
                        finished_callback=self._ended.set,
                    )
                finally:
                    if saved is None:
                        os.environ.pop("PULSE_SOURCE", None)
                    else:
                        os.environ["PULSE_SOURCE"] = saved
            self._stream.start()
        except (sd.PortAudioError, ValueError) as err:
            if self._stream is not None:
                self._stream.close(ignore_errors=True)
                self._stream = None
            raise SourceError(f"{self.name}: cannot open the device: {err}") from err
        with _env_lock:
            _open_streams += 1

    def _pick_format(self, sd: Any) -> tuple[int, int]:
        """Mono at 16 kHz if the device takes it, else what it offers; we convert the rest."""
        assert self.input is not None
        info = sd.query_devices(self.input.device, "input")
        for channels in (1, min(2, info["max_input_channels"])):
            for rate in (SAMPLE_RATE_HZ, int(info["default_samplerate"])):
                try:
                    sd.check_input_settings(self.input.device, channels=channels, samplerate=rate)
                except (sd.PortAudioError, ValueError):
                    continue
                return channels, rate
        raise SourceError(f"{self.name}: the device accepts neither mono nor stereo input")

    def _on_block(self, indata: np.ndarray, frames: int, _time: Any, status: Any) -> None:
        # PortAudio's thread: copy and count, nothing else.
        if status.input_overflow:
            self.overflows += 1
        if self._first_at is None:
            self._first_at = time.monotonic() - frames / self.rate
        self._ring.write(indata)  # type: ignore[union-attr]

    def items(self) -> Iterator[AudioChunk]:
        if self._ring is None or self._clock is None:
            raise SourceError(f"{self.name}: items() called before open()")
        ring, rate = self._ring, self.rate
        resampler = Resampler(rate, SAMPLE_RATE_HZ)
        hop = max(1, int(rate * self.block_ms / 1000))
        read = 0  # device frames consumed
        out_count = 0  # 16 kHz samples emitted since the first captured frame
        last_data = time.monotonic()
        while not self._stop.is_set():
            written = ring.written
            if written - read > len(ring.data):  # the reader fell a whole ring behind
                self.lost_frames += written - len(ring.data) - read
                read = written - len(ring.data)
                resampler.reset()
                out_count = -(-read * SAMPLE_RATE_HZ // rate)  # ceil: the next output's index
            if written - read >= hop:
                block = ring.read(read, written)
                read = written
                last_data = time.monotonic()
                samples = resampler.process(block.mean(axis=1))
                t0 = self._clock.at(self._first_at)  # type: ignore[arg-type]
                for start in range(0, len(samples), MAX_CHUNK):  # a late reader gets several
                    piece = samples[start : start + MAX_CHUNK]
                    t = t0 + out_count / SAMPLE_RATE_HZ
                    out_count += len(piece)
                    yield AudioChunk(t, piece, self.channel, time.monotonic())
                continue
            if self._ended.is_set() and not self._stop.is_set():
                raise SourceError(f"{self.name}: the device stopped (unplugged or server gone?)")
            quiet = time.monotonic() - last_data
            if quiet > (STALL_S if written else FIRST_AUDIO_S):
                raise SourceError(f"{self.name}: no audio arrived for {quiet:.0f} s")
            self._stop.wait(self.block_ms / 2000)

    def close(self) -> None:
        global _open_streams
        self._stop.set()
        stream, self._stream = self._stream, None
        if stream is not None:
            with _env_lock:
                _open_streams -= 1
            # A vanished device can fail even here; the stream is gone either way.
            with contextlib.suppress(Exception):
                stream.close(ignore_errors=True)

    def describe(self) -> dict[str, object]:
        return {
            "source": self.name,
            "channel": self.channel,
            "device": self.input.name if self.input else self.wanted,
            "device_rate_hz": self.rate,
            "rate_hz": SAMPLE_RATE_HZ,
            "overflows": self.overflows,
            "lost_frames": self.lost_frames,
        }


def microphone(device: str | int | None = None) -> AudioDevice:
    return AudioDevice("you", device)


def system_audio(device: str | int | None = None) -> AudioDevice:
    return AudioDevice("them", device)
