"""Blocking work (decoding, analysis) on a thread of its own, awaited from the event loop.

A thread per job rather than a pool: its name says whose it is, and it ends with the job,
so nothing of a finished request or a closed stream is left running.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


async def in_thread(name: str, work: Callable[[], T]) -> T:
    loop = asyncio.get_running_loop()
    done: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, failure: BaseException | None) -> None:
        if done.cancelled():
            return
        if failure is not None:
            done.set_exception(failure)
        else:
            done.set_result(result)

    def run() -> None:
        try:
            result = work()
        except BaseException as exc:  # handed to the awaiting task, which decides what it means
            loop.call_soon_threadsafe(settle, None, exc)
        else:
            loop.call_soon_threadsafe(settle, result, None)

    threading.Thread(target=run, name=name, daemon=True).start()
    return await done
