"""What the local API's routes share: one object per server, kept on the app's state.

In a module of its own so that the routes (app.py, upload.py) read it without importing
each other; a stream's session gets only the pieces it needs.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from copilot.serve.limits import Limits

if TYPE_CHECKING:
    from copilot.serve.stream import StreamSession


@dataclass
class Hub:
    """What the routes share: the limits, the key, the scratch folder, and what is under way."""

    limits: Limits
    token: str
    folder: Path  # private scratch: uploads and segments pass through here on their way to analysis
    base_url: str = ""  # http://host:port, for the errors' links; set once the socket is bound
    streams: set[StreamSession] = field(default_factory=set)
    uploads: int = 0  # being analysed or waiting their turn
    _numbers: int = 0
    _turns: asyncio.Semaphore | None = None

    def next_number(self) -> int:
        self._numbers += 1
        return self._numbers

    @contextlib.asynccontextmanager
    async def analysing(self) -> AsyncIterator[None]:
        """An upload's turn: at most `at_once` are analysed together, the rest wait."""
        if self._turns is None:
            self._turns = asyncio.Semaphore(self.limits.at_once)
        self.uploads += 1
        try:
            async with self._turns:
                yield
        finally:
            self.uploads -= 1
