"""Collects a session's steps into the output document of DESIGN.md.

The shape is a superset of the Interhuman Signals API's upload-analysis response
(lower-case signal types, seconds from the start), so code written against that API
reads ours; everything extra is additive. The JSON Schema beside this module is the
contract and the tests validate against it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from copilot.step import Step

SCHEMA_PATH = Path(__file__).with_name("result.schema.json")
QUALITY_DIMENSIONS = ("clarity", "authority", "energy", "rapport", "learning")
NO_EVIDENCE = 50  # the conversation-quality value that means "nothing seen either way"
SIGNALS_PENDING = ("signals, engagement_state and conversation_quality are not computed yet: "
                   "the signal engine has not landed, so their lists are empty and quality is neutral")


def version() -> str:
    try:
        return metadata.version("meeting-copilot")
    except metadata.PackageNotFoundError:  # running from a bare source tree
        return "0+unknown"


@dataclass
class _Seen:
    first: float
    last: float


@dataclass
class ResultCollector:
    """A sink: call it with every step, then `document()` once the session ends."""

    source_kind: str = "file"  # camera | screen | file
    participants: dict[str, _Seen] = field(default_factory=dict)
    steps: int = 0
    last_t: float = 0.0

    def __call__(self, step: Step) -> None:
        self.steps += 1
        self.last_t = step.t
        for face in step.results.get("faces") or ():
            seen = self.participants.get(face.participant)
            if seen is None:
                self.participants[face.participant] = _Seen(step.t, step.t)
            else:
                seen.last = step.t

    def document(self, *, duration_s: float, fps: float, source: dict[str, Any],
                 models: dict[str, str] | None = None) -> dict[str, Any]:
        neutral = {name: NO_EVIDENCE for name in QUALITY_DIMENSIONS}
        return {
            "signals": [],
            "engagement_state": [],
            "conversation_quality": {"overall": {"quality_index": NO_EVIDENCE, **neutral},
                                     "timeline": []},
            "participants": [
                {"id": pid, "source": self.source_kind, "first_seen": round(seen.first, 3),
                 "last_seen": round(seen.last, 3)}
                for pid, seen in self.participants.items()
            ],
            "meta": {
                "duration": round(duration_s, 3),
                "fps": round(fps, 3),
                "version": version(),
                "models": models or {},
                "source": source,
                "steps": self.steps,
                "status": SIGNALS_PENDING,
            },
        }


def validate(document: dict[str, Any]) -> None:
    """Raises jsonschema.ValidationError if `document` breaks the output contract."""
    import jsonschema  # a dev dependency: only tests and `--validate` need it

    jsonschema.validate(document, json.loads(SCHEMA_PATH.read_text()))
