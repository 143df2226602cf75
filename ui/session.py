"""One analysis run of the app: builds the engine for a choice, starts it, records it, stops it.

It lives on the GUI thread and talks to the engine only through the engine's own
thread-safe calls (start, stop, stats, running); results come back through the
bridge. Starting the engine opens the video source synchronously, so a camera that
is missing or a file that cannot be read is reported at once, as a CopilotError. A
microphone or system audio that fails leaves the picture running, with a notice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from copilot.capture.items import SourceError
from copilot.coach.rules import RuleSet
from copilot.engine.analyzers import execution_provider, standard_analyzers
from copilot.engine.loop import Engine
from copilot.engine.stats import EngineStats
from copilot.engine.step import Step
from copilot.errors import CopilotError
from ui.bridge import EngineBridge
from ui.sources import audio_sources, choice_kind, describe_choice, source_from_choice

if TYPE_CHECKING:
    from copilot.serve.publisher import Publisher

log = logging.getLogger(__name__)

STOP_TIMEOUT_S = 3.0


@dataclass(slots=True)
class SessionOptions:
    mode: str = "practice"
    microphone: str = ""  # an input's name, "default", or "" for none (live sources only)
    system_audio: bool = False
    rules: RuleSet | None = None  # None: the shipped nudge rules
    record: bool = True  # into the session database, for review afterwards
    keep_media: bool = False  # also the raw video and audio (live sources; the user's opt-in)
    # The user's calibrated screen centre (gaze yaw, pitch in degrees), or None to learn it; it is
    # their own face's, so it is used for a camera only, never for a screen region or a file
    screen: tuple[float, float] | None = None
    words: bool = True  # transcribe what is said (Preferences.transcribe)


def _start_recording(choice: str, mode: str, keep_media: bool = False):
    """(a SessionRecorder sink for this run, None) or, when the database fails, (None, the reason):
    the run goes on unrecorded and the window says so."""
    from copilot.session.recorder import SessionRecorder
    from copilot.session.store import default_database_path

    try:
        return SessionRecorder(default_database_path(), source_name=describe_choice(choice),
                               source_kind=choice_kind(choice), mode=mode, record_media=keep_media,
                               media_path=choice if choice_kind(choice) == "file" else None), None
    except CopilotError as exc:
        log.warning("this session is not recorded: %s", exc)
        return None, f"this session is not recorded: {exc}"


class LiveSession:
    def __init__(self, bridge: EngineBridge) -> None:
        self.bridge = bridge
        self.engine: Engine | None = None
        self.recorder = None  # the SessionRecorder of the current run
        self.choice: str | None = None  # what was last started, kept for "play again"
        self.provider = ""
        self.notices: list[str] = []  # what did not open but did not stop the run (a microphone)
        self._final_stats: EngineStats | None = None  # kept so a finished file still shows its figures
        self._closed_problem: str | None = None  # what the last closed recording could not keep
        # Programs following the live session (Settings: publish); set or cleared at any time,
        # so every run's engine hands its steps on through `_publish`
        self.publisher: Publisher | None = None

    @property
    def running(self) -> bool:
        """True while the engine analyses; False once stopped or once a file has ended."""
        return self.engine is not None and self.engine.running

    @property
    def has_video(self) -> bool:
        """Known once started: a recording may carry only sound."""
        return self.engine is not None and any(getattr(src, "has_video", False)
                                                for src in self.engine.sources)

    @property
    def record_problem(self) -> str | None:
        """One line naming the database and the reason when this run's record is not whole
        (a disk that filled part way); None while all is kept or nothing is recorded."""
        return self.recorder.problem if self.recorder is not None else self._closed_problem

    @property
    def label(self) -> str:
        return describe_choice(self.choice) if self.choice else ""

    def start(self, choice: str, options: SessionOptions | None = None) -> None:
        """Stops any current run and starts `choice`; raises CopilotError naming what failed."""
        options = options or SessionOptions()
        self.stop()
        self.bridge.drop()  # the last run's results must not reach the screen after this point
        self.choice, self._final_stats, self.notices, self._closed_problem = choice, None, [], None
        video = source_from_choice(choice)
        sound = audio_sources(choice, options.microphone, options.system_audio)
        recorder, not_recorded = (_start_recording(choice, options.mode, options.keep_media)
                                  if options.record else (None, None))
        sinks = [self.bridge.sink, self._publish] + ([recorder] if recorder is not None else [])
        screen = options.screen if choice_kind(choice) == "camera" else None
        live = choice_kind(choice) != "file"  # a file plays paced: its words keep the file's timing
        analyzers = standard_analyzers(options.mode, options.rules, screen, live=live, words=options.words)
        engine = Engine([video, *sound], analyzers, sinks,
                        on_error=self.bridge.report_error, skip_failed_sources=bool(sound))
        if self.publisher is not None:
            self.publisher.begin(describe_choice(choice))
        try:
            engine.start()
            if video not in engine.sources:  # skipped as failed: without its picture there is no run
                raise SourceError(engine.errors[0] if engine.errors else f"{video.name}: cannot open")
        except CopilotError:
            engine.stop(STOP_TIMEOUT_S)  # closes the analyzers' models
            if self.publisher is not None:
                self.publisher.end()
            if recorder is not None:
                recorder.discard()  # nothing was analysed: no empty session in the list
            raise
        self.notices = list(engine.errors) + ([not_recorded] if not_recorded else [])
        self.engine, self.recorder = engine, recorder
        try:
            self.provider = execution_provider()
        except Exception as exc:  # the status line must not take the session down
            log.warning("cannot tell the execution provider: %s", exc)
            self.provider = "unknown"

    def _publish(self, step: Step) -> None:
        """Engine sink (analysis thread): the step to the followers, while publishing is on."""
        publisher = self.publisher
        if publisher is not None:
            publisher.sink(step)

    def add_marker(self, t: float, label: str) -> bool:
        """Marks a moment in the recording; False when nothing is being recorded."""
        if self.recorder is None:
            return False
        self.recorder.add_marker(t, label)
        return True

    def stats(self) -> EngineStats | None:
        return self.engine.stats() if self.engine is not None else self._final_stats

    def stop(self) -> None:
        """Stops capture and analysis, joins their threads and closes the recording; repeatable."""
        engine, self.engine = self.engine, None
        recorder, self.recorder = self.recorder, None
        if engine is not None:
            engine.stop(STOP_TIMEOUT_S)
            if self.publisher is not None:
                self.publisher.end()
            self._final_stats = engine.stats()
            if engine.running:
                log.warning("the analysis thread did not stop within %.0f s", STOP_TIMEOUT_S)
        if recorder is not None:
            recorder.close()
            self._closed_problem = recorder.problem
