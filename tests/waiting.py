"""Wait for a condition with a deadline instead of sleeping a guessed time."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    probe: Callable[[], T | Awaitable[T]], timeout: float = 15.0, interval: float = 0.1
) -> T:
    """Polls `probe` until it returns something truthy; fails the test at the deadline."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while True:
        result = probe()
        last = await result if inspect.isawaitable(result) else result  # type: ignore[assignment]
        if last:
            return last  # type: ignore[return-value]
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met in {timeout}s (last value: {last!r})")
        await asyncio.sleep(interval)
