"""The engine: bounded buffers, newest-frame-wins, audio by time, and identical fast/paced runs."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator

import numpy as np
import pytest
from media import make_clip

from copilot.capture.items import SAMPLE_RATE_HZ, AudioChunk, SourceError, VideoFrame
from copilot.capture.media_file import MediaFile
from copilot.capture.source import SessionClock
from copilot.engine.buffers import AudioRing, LatestFrame
from copilot.engine.loop import AUDIO_HOP_S, Engine
from copilot.engine.step import Step


class Recorder:
    """An analyzer that fingerprints exactly what it was given."""

    name = "recorder"

    def __init__(self, delay_s: float = 0.0) -> None:
        self.seen: list[tuple] = []
        self.sound: dict[str, list[np.ndarray]] = {}  # every channel's samples, in the order given
        self.finals: list[float] = []
        self.delay_s = delay_s

    def analyze(self, step: Step):
        if step.final:
            self.finals.append(step.t)
            return None
        if self.delay_s:
            time.sleep(self.delay_s)
        frame = hashlib.md5(step.frame.image.tobytes()).hexdigest() if step.frame is not None else None
        audio = {k: (round(c.t, 6), hashlib.md5(c.samples.tobytes()).hexdigest())
                 for k, c in sorted(step.audio.items())}
        self.seen.append((round(step.t, 6), frame, audio))
        for channel, chunk in step.audio.items():
            self.sound.setdefault(channel, []).append(chunk.samples)
        return len(self.seen)

    def close(self) -> None:
        pass


class FastCamera:
    """A live video source that produces frames faster than a slow analyzer can take them."""

    name = "synthetic camera"
    live = True
    has_video = True

    def __init__(self, frames: int, interval_s: float) -> None:
        self.frames, self.interval_s = frames, interval_s
        self._stop = threading.Event()

    def open(self, clock: SessionClock) -> None:
        self.clock = clock

    def items(self) -> Iterator[VideoFrame]:
        for i in range(self.frames):
            if self._stop.wait(self.interval_s):
                return
            image = np.full((8, 8, 3), i % 256, np.uint8)
            yield VideoFrame(t=self.clock.now(), image=image, index=i, captured_at=time.monotonic())

    def close(self) -> None:
        self._stop.set()

    def describe(self) -> dict[str, object]:
        return {}


def chunk(t: float, n: int, value: float = 0.0) -> AudioChunk:
    return AudioChunk(t=t, samples=np.full(n, value, np.float32), channel="you")


def test_audio_ring_reads_by_time_across_the_wrap():
    ring = AudioRing("you", capacity_s=0.1, lossless=False)  # 1600 samples
    for i in range(5):
        ring.write(AudioChunk(t=i * 0.02, samples=np.arange(i * 320, (i + 1) * 320, dtype=np.float32),
                              channel="you"))
    first = ring.read_until(0.05)
    assert first.t == 0.0 and np.array_equal(first.samples, np.arange(800, dtype=np.float32))
    for i in range(5, 7):  # wraps past the end of the buffer
        ring.write(AudioChunk(t=i * 0.02, samples=np.arange(i * 320, (i + 1) * 320, dtype=np.float32),
                              channel="you"))
    rest = ring.read_until(1.0)
    assert rest.t == pytest.approx(0.05)
    assert np.array_equal(rest.samples, np.arange(800, 7 * 320, dtype=np.float32))
    assert ring.read_until(2.0) is None and ring.dropped_samples == 0


def test_audio_ring_drops_oldest_when_nobody_reads_and_fills_gaps_with_silence():
    ring = AudioRing("you", capacity_s=0.1, lossless=False)
    ring.write(chunk(0.0, 2400, 1.0))  # 0.15 s into a 0.1 s ring
    assert ring.dropped_samples == 800
    got = ring.read_until(10.0)
    assert got.t == pytest.approx(800 / SAMPLE_RATE_HZ) and len(got.samples) == 1600
    ring.write(chunk(0.2, 160, 1.0))  # 0.05 s after the last sample: 800 samples of silence
    got = ring.read_until(10.0)
    assert got.t == pytest.approx(0.15)
    assert np.count_nonzero(got.samples == 0) == 800 and got.samples[-1] == 1.0


def test_latest_frame_keeps_only_the_newest_and_counts_drops():
    box = LatestFrame(lossless=False)
    for i in range(5):
        box.put(VideoFrame(t=i, image=np.zeros((1, 1, 3), np.uint8), index=i))
    assert box.take(0.01).index == 4
    assert box.take(0.01) is None
    assert (box.received, box.dropped) == (5, 4)


def test_live_engine_drops_stale_frames_instead_of_queueing():
    recorder = Recorder(delay_s=0.03)
    engine = Engine([FastCamera(frames=60, interval_s=0.005)], [recorder])
    engine.run()
    stats = engine.stats()
    indices = [int(np.frombuffer(bytes.fromhex(s[1][:2]), np.uint8)[0]) for s in recorder.seen]
    assert stats.frames_in == 60
    assert stats.frames_dropped > 20  # the analyzer is ~6x slower than capture
    assert len(recorder.seen) == stats.frames_in - stats.frames_dropped
    assert stats.steps == len(recorder.seen) + 1  # and the closing step
    assert len(recorder.finals) == 1  # at the last step's time (which `seen` keeps rounded)
    assert recorder.finals[0] == pytest.approx(recorder.seen[-1][0], abs=1e-6)
    assert [s[0] for s in recorder.seen] == sorted(s[0] for s in recorder.seen)
    assert indices  # fingerprints exist
    assert stats.stage_ms["recorder"] >= 25
    assert stats.latency_ms >= 25


def test_lossless_engine_analyses_every_frame_even_when_slow(tmp_path):
    clip = make_clip(tmp_path / "clip.mp4", seconds=1.0, fps=25)
    recorder = Recorder(delay_s=0.01)
    engine = Engine([MediaFile(clip)], [recorder], lossless=True)
    engine.run()
    assert engine.stats().frames_dropped == 0
    assert sum(1 for s in recorder.seen if s[1] is not None) == 25


def test_fast_and_paced_runs_of_a_real_recording_see_identical_inputs(shared_data):
    """What holds under any load. A paced run analyses at playback speed and, like a live one,
    drops a frame that a newer one replaces before analysis takes it (on a busy machine, it
    does); so every frame it analyses is the fast run's, bit for bit at the same time, each one
    it left is counted, and it hears the same sound, only cut into steps differently."""
    clip = shared_data / "grid_lipnet/bbaf2n.mpg"  # 3 s, video and speech
    runs = []
    for paced in (False, True):
        recorder = Recorder()
        engine = Engine([MediaFile(clip, pace=paced)], [recorder], lossless=not paced)
        started = time.monotonic()
        engine.run()
        runs.append((recorder, time.monotonic() - started, engine.stats()))
    (fast, _, fast_stats), (paced, paced_s, paced_stats) = runs
    assert paced_s >= 2.9  # paced really waited for playback time (its last frame is at 2.96 s)
    fast_frames = [(t, frame) for t, frame, _ in fast.seen if frame is not None]
    paced_frames = [(t, frame) for t, frame, _ in paced.seen if frame is not None]
    assert len(fast_frames) == 75 and fast_stats.frames_dropped == 0
    assert paced_frames and set(paced_frames) <= set(fast_frames)
    assert len(paced_frames) + paced_stats.frames_dropped == 75
    assert sorted(fast.sound) == sorted(paced.sound) == ["file"]
    assert np.array_equal(np.concatenate(fast.sound["file"]), np.concatenate(paced.sound["file"]))
    audio_s = sum(1 for s in fast.seen for _ in s[2])  # every frame after the first got audio
    assert audio_s >= 74


def test_audio_only_file_steps_on_a_fixed_hop(tmp_path):
    clip = make_clip(tmp_path / "voice.mkv", seconds=1.0, video=False)
    recorder = Recorder()
    Engine([MediaFile(clip)], [recorder], lossless=True).run()
    times = [s[0] for s in recorder.seen]
    assert times[:3] == pytest.approx([AUDIO_HOP_S, 2 * AUDIO_HOP_S, 3 * AUDIO_HOP_S])
    assert times[-1] == pytest.approx(1.0, abs=0.01)


def test_a_source_that_fails_to_open_is_an_error_or_skipped_as_asked(tmp_path):
    with pytest.raises(SourceError, match=r"missing\.mp4"):
        Engine([MediaFile(tmp_path / "missing.mp4")], [Recorder()]).start()
    errors: list[str] = []
    clip = make_clip(tmp_path / "clip.mp4", seconds=0.4)
    engine = Engine([MediaFile(tmp_path / "missing.mp4"), MediaFile(clip)], [Recorder()],
                    skip_failed_sources=True, on_error=errors.append, lossless=True)
    engine.run()
    # said to whoever called start() (in engine.errors), not through on_error: that callback is
    # for what goes wrong while running, and a GUI would get it late, over the caller's own message
    assert errors == [] and len(engine.errors) == 1 and "missing.mp4" in engine.errors[0]
    assert engine.stats().steps >= 10


def test_stop_ends_an_endless_live_session_promptly():
    engine = Engine([FastCamera(frames=10**9, interval_s=0.01)], [Recorder()])
    engine.start()
    time.sleep(0.3)
    started = time.monotonic()
    engine.stop(timeout_s=2.0)
    assert time.monotonic() - started < 1.0
    assert not engine.running
    assert engine.stats().steps > 5
