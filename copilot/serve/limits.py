"""The local API's resource limits: the shipped, commented limits.toml, and the user's changes."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from copilot.errors import CopilotError
from copilot.shipped.resources import read_toml

SHIPPED = Path(__file__).with_name("limits.toml")


@dataclass(frozen=True, slots=True)
class Limits:
    max_streams: int
    message_bytes: int
    segment_min_s: float
    pending_segments: int
    outbox_envelopes: int
    max_session_s: float
    idle_timeout_s: float
    max_bytes: int  # [upload]
    at_once: int  # [upload]
    max_subscribers: int  # [publish]

    @property
    def read_bytes(self) -> int:
        """The most a WebSocket message may be before it is refused unread (limits.toml)."""
        return 2 * self.message_bytes


def load_limits(path: Path | None = None) -> Limits:
    """The shipped limits with those in `path` put over them; a file with an unknown key or a
    value of the wrong kind is a CopilotError naming the file, the key and the reason."""
    shipped = _flat(read_toml(SHIPPED, "the shipped limits"))
    chosen = dict(shipped)
    if path is not None:
        try:
            own = _flat(read_toml(path, "limits file"))
        except RuntimeError as exc:
            raise CopilotError(str(exc)) from None
        for key, value in own.items():
            if key not in shipped:
                raise CopilotError(f"limits file {path}: unknown setting {key!r} "
                                   f"(known: {', '.join(sorted(shipped))})")
            wanted = type(shipped[key])
            if isinstance(value, bool) or not isinstance(value, int | float) or \
                    (wanted is int and not isinstance(value, int)) or value <= 0:
                raise CopilotError(f"limits file {path}: {key} = {value!r} is not a positive "
                                   f"{'whole number' if wanted is int else 'number'}")
            chosen[key] = wanted(value)
    return Limits(**{f.name: chosen[f.name] for f in fields(Limits)})


def _flat(sections: dict) -> dict:
    return {key: value for table in sections.values() for key, value in table.items()}
