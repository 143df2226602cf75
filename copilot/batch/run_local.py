"""The batch in this process, one recording after another: what runs when Ray is not installed."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from copilot.batch.plan import Call
from copilot.batch.worker import Analysed, analyse, load_models

Done = Callable[[Call, Analysed], None]


def run_here(calls: Sequence[Call], done: Done, *, words: bool = True) -> None:
    if calls:
        load_models()
    for call in calls:
        done(call, analyse(call.path, words=words))
