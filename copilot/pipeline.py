"""The standard set of analyzers, in the order they run: the one place that lists them."""

from __future__ import annotations

from copilot.step import Analyzer


def standard_analyzers() -> list[Analyzer]:
    return []


def model_checksums() -> dict[str, str]:
    return {}


def execution_provider() -> str:
    return "none (no model-based analyzer yet)"
