"""Collects a session's steps into the output document of DESIGN.md.

The shape is a superset of the Interhuman Signals API's upload-analysis response
(lower-case signal types, seconds from the start), so code written against that API
reads ours; everything extra is additive. The JSON Schema beside this module (schema.json) is the
contract and the tests validate against it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from copilot.engine.step import Step
from copilot.signals.quality import DIMENSIONS as QUALITY_DIMENSIONS
from copilot.signals.quality import NO_EVIDENCE

SCHEMA_PATH = Path(__file__).with_name("schema.json")


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
    voices: dict[str, _Seen] = field(default_factory=dict)  # participants known by voice only
    # A face is a participant once seen steadily for about a second (FrameFaces); that second is
    # theirs: candidate key -> when its face was first seen, until it is confirmed or dropped.
    candidates: dict[str, float] = field(default_factory=dict)
    steps: int = 0
    heard_or_seen: bool = False  # a frame or a sample arrived: a file with neither is not a result
    last_t: float = 0.0
    events: list[dict] = field(default_factory=list)
    segments: list[dict] = field(default_factory=list)
    periods: list[dict] = field(default_factory=list)
    quality: dict[str, int] | None = None
    nudges: list[dict] = field(default_factory=list)  # what the coach said, when it said anything
    transcript: list[dict] = field(default_factory=list)  # what each person said, when transcribed
    transcribing: bool = False
    conversation: list[dict] = field(default_factory=list)  # per-person conversation measures, at the end

    def __call__(self, step: Step) -> None:
        self.steps += 1
        self.last_t = step.t
        self.heard_or_seen |= step.frame is not None or any(len(c.samples) for c in step.audio.values())
        faces = step.results.get("faces")
        for face in faces or ():
            _note(self.participants, face.participant, step.t)
        if faces is not None:
            for face in getattr(faces, "tentative", ()):
                self.candidates.setdefault(face.participant, step.t)
            for key, pid in getattr(faces, "confirmed", {}).items():
                first = self.candidates.pop(key, None)
                if first is not None:  # confirmed as the input ended (a photo): no frame lists them
                    _note(self.participants, pid, first)
                    _note(self.participants, pid, step.t)
            for key in getattr(faces, "dropped", ()):
                self.candidates.pop(key, None)
        self.nudges += [nudge.to_json() for nudge in step.results.get("coach") or ()]
        self.transcribing |= "words" in step.results
        signals = step.results.get("signals")
        if signals is None:
            return
        self.transcript += signals.said
        self.events += [event.to_json() for event in signals.ended]
        self.segments += [segment.to_json() for segment in signals.segments]
        self.periods += signals.periods
        if signals.quality is not None:
            self.quality = signals.quality
        if signals.conversation is not None:
            self.conversation = signals.conversation
        for t, pid in signals.heard:  # known by voice only: present while heard, not while merely kept
            if pid not in self.participants:
                _note(self.voices, pid, t)

    def document(self, *, duration_s: float, fps: float, source: dict[str, Any],
                 models: dict[str, str] | None = None) -> dict[str, Any]:
        neutral = {"quality_index": NO_EVIDENCE, **dict.fromkeys(QUALITY_DIMENSIONS, NO_EVIDENCE)}
        people = {**self.participants, **{p: s for p, s in self.voices.items() if p not in self.participants}}
        return {
            "signals": sorted(self.events, key=lambda e: (e["start"], e["participant"], e["type"])),
            "engagement_state": sorted(self.segments, key=lambda s: (s["participant"], s["start"])),
            "conversation_quality": {"overall": self.quality or neutral, "timeline": self.periods},
            "participants": [
                {"id": pid, "source": self.source_kind, "first_seen": round(seen.first, 3),
                 "last_seen": round(seen.last, 3), "by": "voice" if pid in self.voices else "face"}
                for pid, seen in people.items()
            ],
            **({"nudges": self.nudges} if self.nudges else {}),  # additive: only when there were any
            # additive: talk time and share, turns, interruptions, monologue, latency per person
            **({"conversation": self.conversation} if self.conversation else {}),
            # additive: what was said, whenever transcription ran (an empty list: nothing was said)
            **({"transcript": sorted(self.transcript, key=lambda s: (s["start"], s["participant"]))}
               if self.transcribing else {}),
            "meta": {
                # what was analysed: the last sound hop may end a few ms past the container's figure
                "duration": round(max(duration_s, self.last_t), 3),
                "fps": round(fps, 3),
                "version": version(),
                "models": models or {},
                "source": source,
                "steps": self.steps,
            },
        }


def _note(seen: dict[str, _Seen], participant: str, t: float) -> None:
    """Widens the span `participant` was seen or heard in (a finished utterance may reach back
    before the ticks already noted)."""
    if participant in seen:
        seen[participant].first = min(seen[participant].first, t)
        seen[participant].last = max(seen[participant].last, t)
    else:
        seen[participant] = _Seen(t, t)


def validate(document: dict[str, Any]) -> None:
    """Raises jsonschema.ValidationError if `document` breaks the output contract."""
    import jsonschema  # a dev dependency: only tests and `--validate` need it

    jsonschema.validate(document, json.loads(SCHEMA_PATH.read_text()))
