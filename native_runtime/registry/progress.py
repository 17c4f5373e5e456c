"""Docker's JSON progress messages, emitted safely from the event loop or worker threads."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

Message = dict[str, Any]
Emit = Callable[[Message], None]
# A bar update at most this often per layer: enough for the CLI, light on the socket.
MIN_INTERVAL = 0.1


def short_id(digest: str) -> str:
    return digest.removeprefix("sha256:")[:12]


def status(text: str, ident: str | None = None) -> Message:
    msg: Message = {"status": text}
    if ident:
        msg["id"] = ident
    return msg


def error(text: str) -> Message:
    return {"errorDetail": {"message": text}, "error": text}


def _bar(current: int, total: int) -> str:
    """The `progress` text older clients print when they draw no bar themselves."""
    if total <= 0:
        return f"{_human(current)}"
    filled = min(50, current * 50 // total)
    arrow = ">" if filled < 50 else ""
    bar = "=" * filled + arrow + " " * (50 - filled - len(arrow))
    return f"[{bar}] {_human(current)}/{_human(total)}"


def _human(n: int) -> str:
    size = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.4g}{unit}"
        size /= 1000
    return f"{n}B"


class Meter:
    """Turns byte counts into throttled `{"status": ..., "progressDetail": ...}` messages."""

    def __init__(self, emit: Emit, text: str, ident: str, total: int) -> None:
        self.emit = emit
        self.text = text
        self.ident = ident
        self.total = total
        self._last = 0.0
        self._sent = -1

    def __call__(self, current: int) -> None:
        now = time.monotonic()
        if current == self._sent or (current < self.total and now - self._last < MIN_INTERVAL):
            return
        self._last, self._sent = now, current
        self.emit(
            {
                "status": self.text,
                "progressDetail": {"current": current, "total": self.total},
                "progress": _bar(current, self.total),
                "id": self.ident,
            }
        )


class Sink:
    """A queue of messages fed from any thread and drained by the HTTP handler."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[Message | None] = asyncio.Queue()

    def emit(self, msg: Message) -> None:
        self.loop.call_soon_threadsafe(self.queue.put_nowait, msg)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.queue.put_nowait, None)
