"""The API's errors: one catalogue (errors.toml), one shape {code, message, link, segment}."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from copilot.shipped.resources import read_toml

CATALOGUE = Path(__file__).with_name("errors.toml")
ERRORS_PATH = "/v1/errors"


@cache
def catalogue() -> dict[str, dict]:
    return read_toml(CATALOGUE, "the API's error catalogue")


@dataclass(slots=True)
class ApiError(Exception):
    """A problem to answer with: `code` from errors.toml, `message` saying what and why."""

    code: str
    message: str
    segment: int | None = None

    def __post_init__(self) -> None:
        if self.code not in catalogue():
            raise ValueError(f"{self.code!r} is not in {CATALOGUE}")

    def __str__(self) -> str:
        return self.message

    @property
    def status(self) -> int:
        return int(catalogue()[self.code]["status"])

    @property
    def close_code(self) -> int | None:
        """The WebSocket close code that ends a stream after this error; None: the stream goes on."""
        return catalogue()[self.code].get("close")

    def to_json(self, base_url: str) -> dict[str, object]:
        return {"code": self.code, "message": self.message,
                "link": f"{base_url.rstrip('/')}{ERRORS_PATH}#{self.code}", "segment": self.segment}
