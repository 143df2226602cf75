"""The result document of one recording: the engine run over a file, with every sink it needs.

`copilot analyze` writes it; `copilot eval`, the batch and `copilot serve`'s uploads reuse
it, so it lives here rather than in any one command.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from copilot.capture.items import nothing_to_analyse
from copilot.capture.media_file import MediaFile
from copilot.engine.analyzers import standard_analyzers
from copilot.engine.loop import Engine, Sink
from copilot.engine.step import Step
from copilot.result.document import ResultCollector
from copilot.shipped.models import model_checksums
from copilot.signals.csv_out import ScoresCsv

if TYPE_CHECKING:
    from copilot.words.speech_to_text import SpeechToText


class _Progress:
    """A sink that advances a terminal progress bar by media time (silent when not a terminal)."""

    def __init__(self, duration_s: float, label: str) -> None:
        from tqdm import tqdm

        self._bar = tqdm(total=round(duration_s, 1), unit="s", desc=label, disable=None,
                         bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.1f}/{total:.1f} s "
                                    "[{elapsed}<{remaining}]")
        self._done = 0.0

    def __call__(self, step: Step) -> None:
        ahead = round(step.t, 1) - self._done
        if ahead > 0:
            self._bar.update(ahead)
            self._done += ahead

    def close(self) -> None:
        self._bar.close()


def analyze_file(path: Path, *, paced: bool = False, csv_path: Path | None = None,
                 sinks: Sequence[Sink] = (), quiet: bool = False,
                 speech: Callable[[], SpeechToText] | None = None,
                 words: bool = True) -> tuple[dict, list[str]]:
    """The result document of one recording and the errors met on the way (`copilot eval`, the
    batch and `copilot serve` reuse it). `quiet`: no progress bar and no warnings on stderr (the
    batch's own bar and lines say them; the warnings are in the document either way).
    `speech`, `words`: see `standard_analyzers`."""
    source = MediaFile(path, pace=paced)
    source.open()
    collector = ResultCollector(source_kind="file")
    progress = None if quiet else _Progress(source.duration_s, source.name)
    scores = ScoresCsv(csv_path) if csv_path is not None else None
    every = [collector, *([progress] if progress else []), *([scores] if scores else []), *sinks]
    analyzers = standard_analyzers(words=words, speech=speech)
    engine = Engine([source], analyzers, every, lossless=not paced)
    try:
        engine.run()
    finally:
        if progress is not None:
            progress.close()
        if scores is not None:
            scores.close()
    if not collector.heard_or_seen and not engine.errors:
        raise nothing_to_analyse(source.name)
    document = collector.document(duration_s=source.duration_s, fps=source.fps,
                                  source=source.describe(), models=model_checksums())
    if engine.errors:
        document["meta"]["errors"] = engine.errors
    for analyzer in engine.analyzers:  # a part that switched itself off (the speech model would not load)
        if getattr(analyzer, "error", None):
            engine.warnings.append(analyzer.error)
    if engine.warnings:
        document["meta"]["warnings"] = engine.warnings
    for message in [] if quiet else engine.warnings:
        print(f"copilot: warning: {message}", file=sys.stderr)
    return document, engine.errors
