"""One analysis run of the app: builds the engine for a choice, starts it, stops it.

It lives on the GUI thread and talks to the engine only through the engine's own
thread-safe calls (start, stop, stats, running); results come back through the
bridge. Starting the engine opens the source synchronously, so a camera that is
missing or a file that cannot be read is reported at once, as a CopilotError.
"""

from __future__ import annotations

import logging

from copilot.engine import Engine
from copilot.engine_stats import EngineStats
from copilot.errors import CopilotError
from copilot.pipeline import execution_provider, standard_analyzers
from ui.bridge import EngineBridge
from ui.sources import describe_choice, source_from_choice

log = logging.getLogger(__name__)

STOP_TIMEOUT_S = 3.0


class LiveSession:
    def __init__(self, bridge: EngineBridge) -> None:
        self.bridge = bridge
        self.engine: Engine | None = None
        self.choice: str | None = None  # what was last started, kept for "play again"
        self.provider = ""
        self._final_stats: EngineStats | None = None  # kept so a finished file still shows its figures

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
    def label(self) -> str:
        return describe_choice(self.choice) if self.choice else ""

    def start(self, choice: str) -> None:
        """Stops any current run and starts `choice`; raises CopilotError naming what failed."""
        self.stop()
        self.choice, self._final_stats = choice, None
        source = source_from_choice(choice)
        analyzers = standard_analyzers()
        engine = Engine([source], analyzers, [self.bridge.sink], on_error=self.bridge.report_error)
        try:
            engine.start()
        except CopilotError:
            engine.stop(STOP_TIMEOUT_S)  # closes the analyzers' models
            raise
        self.engine = engine
        try:
            self.provider = execution_provider()
        except Exception as exc:  # the status line must not take the session down
            log.warning("cannot tell the execution provider: %s", exc)
            self.provider = "unknown"

    def stats(self) -> EngineStats | None:
        return self.engine.stats() if self.engine is not None else self._final_stats

    def stop(self) -> None:
        """Stops capture and analysis and joins their threads; safe to call repeatedly."""
        engine, self.engine = self.engine, None
        if engine is not None:
            engine.stop(STOP_TIMEOUT_S)
            self._final_stats = engine.stats()
            if engine.running:
                log.warning("the analysis thread did not stop within %.0f s", STOP_TIMEOUT_S)
