"""Wires sources -> analyzers -> sinks on one clock, live or from a file, by the same code.

Each source runs on its own capture thread and writes into a bounded buffer; one
analysis thread takes the newest frame plus the audio before it, runs the analyzers
in order and hands the finished `Step` to every sink (plain callbacks, called on the
analysis thread: a GUI must hop threads itself). With no video, steps follow a fixed
audio hop instead. `lossless=True` (fast file analysis) makes writers wait rather than
drop, which together with the file source's time ordering makes results identical to
a paced run.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from copilot.capture.items import SourceError, VideoFrame
from copilot.capture.source import SessionClock, Source
from copilot.engine.buffers import AudioRing, LatestFrame
from copilot.engine.stats import EngineStats, StatsRecorder
from copilot.engine.step import Analyzer, Step

log = logging.getLogger(__name__)

Sink = Callable[[Step], None]
ErrorHandler = Callable[[str], None]

AUDIO_HOP_S = 0.1  # step rate when there is no video: 10 Hz, the top of the signals' 5-10 Hz
AUDIO_RING_S = 8.0  # seconds of audio each channel keeps while analysis catches up
TAKE_TIMEOUT_S = 0.02  # how long the analysis thread waits for a frame before checking audio


class Engine:
    def __init__(self, sources: Sequence[Source], analyzers: Sequence[Analyzer],
                 sinks: Sequence[Sink] = (), *, lossless: bool = False,
                 on_error: ErrorHandler | None = None, skip_failed_sources: bool = False) -> None:
        video_sources = [s for s in sources if getattr(s, "has_video", False)]
        if len(video_sources) > 1:
            raise ValueError("one video source at a time: " + ", ".join(s.name for s in video_sources))
        self.sources = list(sources)
        self.analyzers = list(analyzers)
        self.sinks = list(sinks)
        self.lossless = lossless
        self.clock = SessionClock()
        self._on_error = on_error
        self._skip_failed = skip_failed_sources
        self._video = LatestFrame(lossless=lossless)
        self._rings: dict[str, AudioRing] = {}
        self._rings_lock = threading.Lock()
        self._stop = threading.Event()
        self._capture_threads: list[threading.Thread] = []
        self._ended: set[str] = set()
        self._analysis: threading.Thread | None = None
        self._stats = StatsRecorder()
        self.errors: list[str] = []
        self.warnings: list[str] = []  # what a source lost on the way, the rest being fine
        self.failure: BaseException | None = None

    # -- life -------------------------------------------------------------------------
    def start(self) -> None:
        opened = []
        for source in self.sources:
            try:
                source.open(self.clock)
                opened.append(source)
            except SourceError as exc:
                if not self._skip_failed:
                    for done in opened:
                        done.close()
                    raise
                # kept, not passed to on_error: whoever called start() reads them right after,
                # while a callback's message (queued to a GUI) would arrive late and cover theirs
                self.errors.append(str(exc))
                log.info(str(exc))
        self.sources = opened
        self._has_video = any(getattr(s, "has_video", False) for s in opened)
        for source in opened:
            thread = threading.Thread(target=self._capture, args=(source,),
                                      name=f"capture: {source.name}", daemon=True)
            self._capture_threads.append(thread)
            thread.start()
        self._analysis = threading.Thread(target=self._analyse, name="analysis", daemon=True)
        self._analysis.start()

    def wait(self, timeout_s: float | None = None) -> bool:
        """Blocks until every source ended and all its data was analysed; False on timeout."""
        if self._analysis is None:
            return True
        self._analysis.join(timeout_s)
        return not self._analysis.is_alive()

    def stop(self, timeout_s: float = 3.0) -> None:
        """Stops capture and analysis; returns within about `timeout_s`."""
        self._stop.set()
        for source in self.sources:
            source.close()
        self._video.close()
        for ring in list(self._rings.values()):
            ring.close()
        deadline = time.monotonic() + timeout_s
        for thread in [*self._capture_threads, self._analysis]:
            if thread is not None:
                thread.join(max(0.0, deadline - time.monotonic()))
        for analyzer in self.analyzers:
            analyzer.close()

    def run(self) -> None:
        """Analyses until the sources end (a file), then raises the first failure if any."""
        self.start()
        try:
            self.wait()
        finally:
            self.stop()
        if self.failure is not None:
            raise self.failure

    def stats(self) -> EngineStats:
        return self._stats.snapshot(self._video, list(self._rings.values()))

    @property
    def running(self) -> bool:
        return self._analysis is not None and self._analysis.is_alive()

    # -- threads ----------------------------------------------------------------------
    def _capture(self, source: Source) -> None:
        try:
            for item in source.items():
                if self._stop.is_set():
                    break
                if isinstance(item, VideoFrame):
                    self._video.put(item)
                else:
                    self._ring(item.channel).write(item)
        except SourceError as exc:
            self._report(str(exc))
        except Exception as exc:  # a source bug must not hang the session
            log.exception("capture from %s failed", source.name)
            self._report(f"{source.name}: capture failed ({exc})")
        finally:
            for message in getattr(source, "warnings", []):
                self.warnings.append(message)
                self._report(message, error=False)
            with self._rings_lock:
                self._ended.add(source.name)

    def _ring(self, channel: str) -> AudioRing:
        with self._rings_lock:
            ring = self._rings.get(channel)
            if ring is None:
                ring = self._rings[channel] = AudioRing(channel, AUDIO_RING_S,
                                                        lossless=self.lossless)
            return ring

    def _all_ended(self) -> bool:
        with self._rings_lock:
            return all(s.name in self._ended for s in self.sources)

    def _analyse(self) -> None:
        next_hop_t, last_t = AUDIO_HOP_S, -1.0
        try:
            while not self._stop.is_set():
                frame = self._video.take(TAKE_TIMEOUT_S) if self._has_video else None
                if frame is not None:
                    self._step(frame.t, frame)
                    last_t, next_hop_t = frame.t, frame.t + AUDIO_HOP_S
                    continue
                ended = self._all_ended()
                if self._has_video and not ended:
                    continue  # audio-only steps start once the video has finished
                heard = [h for r in list(self._rings.values()) if (h := r.written_until()) is not None]
                if heard and min(heard) >= next_hop_t:
                    self._step(next_hop_t, None)
                    last_t, next_hop_t = next_hop_t, next_hop_t + AUDIO_HOP_S
                elif ended:
                    if heard and max(heard) > last_t + 1e-6:  # the tail shorter than a hop
                        last_t = max(heard)
                        self._step(last_t, None)
                    break
                else:
                    time.sleep(TAKE_TIMEOUT_S)
            self._step(max(last_t, 0.0), None, final=True)
        except BaseException as exc:
            log.exception("analysis failed")
            self.failure = exc
            self._report(f"analysis failed: {exc}")

    def _step(self, t: float, frame: VideoFrame | None, *, final: bool = False) -> None:
        with self._rings_lock:
            rings = list(self._rings.values())
        audio = {}
        for ring in rings:
            chunk = ring.read_until(t)
            if chunk is not None:
                audio[ring.channel] = chunk
        step = Step(t=t, frame=frame, audio=audio, final=final)
        for analyzer in self.analyzers:
            started = time.perf_counter()
            step.results[analyzer.name] = analyzer.analyze(step)
            self._stats.stage(analyzer.name, (time.perf_counter() - started) * 1000)
        for sink in self.sinks:
            sink(step)
        self._stats.step_done(t, frame.captured_at if frame is not None else None)

    def _report(self, message: str, *, error: bool = True) -> None:
        """Keeps an error (or a warning) and passes it on; the caller decides how to show it,
        so it is logged only at INFO (a CLI would otherwise print it twice)."""
        if error:
            self.errors.append(message)
        log.info(message)
        if self._on_error is not None:
            self._on_error(message)
