"""The standard set of analyzers, in the order they run: the one place that lists them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from copilot.engine.step import Analyzer
from copilot.shipped import models

if TYPE_CHECKING:
    from copilot.coach.rules import RuleSet
    from copilot.words.speech_to_text import SpeechToText


def standard_analyzers(mode: str = "practice", rules: RuleSet | None = None,
                       screen: tuple[float, float] | None = None, *, words: bool = True,
                       live: bool = False,
                       speech: Callable[[], SpeechToText] | None = None) -> list[Analyzer]:
    """Fresh analyzers for one session (they keep per-session state such as face ids); `mode`
    (presenter, sales, practice) picks the coach's nudge rules, from `rules` or the shipped file;
    `screen` is the user's calibrated screen centre (FaceCueAnalyzer), for their own camera only.
    `words` turns transcription on; `live` hands words on as soon as they are ready instead of
    on a fixed delay of the session clock (which keeps a file's results the same however fast
    it is read). `speech` gives the words' model when the analysis starts (None: a new
    SpeechToText; `SpeechInOwnProcess` reads in a process of its own, copilot/words/speech_process.py;
    a batch worker lends the one it keeps, copilot/batch/worker.py)."""
    from copilot.coach.coach import Coach
    from copilot.signals.analyzer import SignalAnalyzer
    from copilot.vision.analyzer import FaceAnalyzer
    from copilot.vision.cues.analyzer import FaceCueAnalyzer
    from copilot.voice.analyzer import VoiceAnalyzer
    from copilot.words.analyzer import WordsAnalyzer
    from copilot.words.speech_to_text import SpeechToText

    said = [WordsAnalyzer(wait=not live, model_factory=speech or SpeechToText)] if words else []
    return [FaceAnalyzer(), FaceCueAnalyzer(screen), VoiceAnalyzer(), *said, SignalAnalyzer(),
            Coach(mode, rules)]


def execution_provider() -> str:
    """The ONNX Runtime provider the face models actually run on (e.g. CPUExecutionProvider)."""
    return models.load_model("face_landmark").provider
