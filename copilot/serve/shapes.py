"""The API's shapes made from the engine's own: the upload response, the stream's envelopes.

The result document of `copilot analyze` is a superset of the upload response, so the
response is cut from it rather than built a second way. A stream's events come from the
same per-step output the app's gauges and the result file read (signals.analyzer.SignalStep).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from copilot.engine.step import Step
from copilot.serve.errors import ApiError

UPLOAD_PATH, STREAM_PATH, STATUS_PATH = "/v1/upload/analyze", "/v1/stream/analyze", "/v1/status"
QUALITY_OVERALL, QUALITY_TIMELINE = "conversation_quality_overall", "conversation_quality_timeline"
INCLUDE_OPTIONS = (QUALITY_OVERALL, QUALITY_TIMELINE)


def checked_include(include: Iterable[str]) -> list[str]:
    """The include options asked for, each once; raises ApiError (bad_request) for one unknown."""
    include = list(include)
    unknown = [option for option in include if option not in INCLUDE_OPTIONS]
    if unknown:
        raise ApiError("bad_request", f"unknown include option {', '.join(map(repr, unknown))} "
                                      f"(known: {', '.join(INCLUDE_OPTIONS)})")
    return list(dict.fromkeys(include))


def session_include(text: str) -> list[str]:
    """The include options of a stream's session config (a JSON text frame); raises ApiError
    (bad_request) saying what is wrong with it."""
    try:
        config = json.loads(text)
        if not isinstance(config, dict):
            raise ValueError(f"expected a JSON object, found {type(config).__name__}")
        include = config.get("include", [])
        if not isinstance(include, list) or not all(isinstance(option, str) for option in include):
            raise ValueError("'include' must be a list of option names")
    except ValueError as exc:
        raise ApiError("bad_request", f"the session config is not usable: {exc}") from None
    return checked_include(include)


def conversation_quality(include: Iterable[str], overall: dict, timeline: list[dict]) -> dict | None:
    """The parts of conversation quality the client asked for; None when it asked for neither
    (the cloud API sends conversation quality only on request)."""
    asked = set(include)
    part = {**({"overall": overall} if QUALITY_OVERALL in asked else {}),
            **({"timeline": timeline} if QUALITY_TIMELINE in asked else {})}
    return part or None


def upload_response(document: dict[str, Any], include: Iterable[str]) -> dict[str, Any]:
    quality = document["conversation_quality"]
    return {"signals": document["signals"], "engagement_state": document["engagement_state"],
            "conversation_quality": conversation_quality(include, quality["overall"], quality["timeline"])}


def envelope(kind: str, data: dict[str, Any], correlation_id: str) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {"type": kind, "timestamp": now, "correlation_id": correlation_id, "data": data}


class StepEvents:
    """What each step of one analysis adds, as (type, data) pairs, in the order found.

    It remembers each person's engagement state so that only a change is announced, and
    the conversation-quality periods closed since the last `quality()`, for whoever
    decides when quality is worth sending (after a stream's segment; when a period closes).
    """

    def __init__(self) -> None:
        self.states: dict[str, dict[str, Any]] = {}  # participant -> their latest engagement.updated data
        self.overall: dict[str, int] | None = None
        self.periods: list[dict] = []

    def __call__(self, step: Step) -> list[tuple[str, dict]]:
        signals = step.results.get("signals")
        if signals is None:
            return []
        found: list[tuple[str, dict]] = []
        if signals.started:
            found.append(("signal.detected", {"signals": [e.to_json() for e in signals.started]}))
        if signals.ended:
            found.append(("signal.ended", {"signals": [e.to_json() for e in signals.ended]}))
        for pid in [s.participant for s in signals.segments if s.participant not in signals.states]:
            self.states.pop(pid, None)  # gone: if they come back, that is news
        for pid, state in signals.states.items():
            if state and self.states.get(pid, {}).get("state") != state:  # "": no evidence for one yet
                self.states[pid] = {"participant": pid, "state": state, "start": round(signals.since[pid], 3)}
                found.append(("engagement.updated", dict(self.states[pid])))
        self.periods += signals.periods
        if signals.quality is not None:
            self.overall = signals.quality
        return found

    def take_quality(self) -> tuple[dict[str, int], list[dict]] | None:
        """Quality overall so far and the periods closed since the last call (None before the
        first tick); each client shapes it by its own include (`conversation_quality`)."""
        if self.overall is None:
            return None
        periods, self.periods = self.periods, []
        return self.overall, periods
