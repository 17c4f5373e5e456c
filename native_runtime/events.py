"""The event bus behind `/events`: a short history plus live subscribers."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any

HISTORY = 1000


class EventBus:
    """Publishes Docker-shaped event dicts to every subscriber queue."""

    def __init__(self) -> None:
        self.history: deque[dict[str, Any]] = deque(maxlen=HISTORY)
        self.subscribers: set[asyncio.Queue[dict[str, Any]]] = set()

    def publish(self, kind: str, action: str, actor_id: str, attributes: dict[str, str]) -> None:
        now = time.time_ns()
        event = {
            "status": action,
            "id": actor_id,
            "from": attributes.get("image", ""),
            "Type": kind,
            "Action": action,
            "Actor": {"ID": actor_id, "Attributes": attributes},
            "scope": "local",
            "time": now // 1_000_000_000,
            "timeNano": now,
        }
        if kind != "container":
            del event["status"], event["id"], event["from"]
        self.history.append(event)
        for queue in self.subscribers:
            queue.put_nowait(event)

    def subscribe(self) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self.subscribers.discard(queue)
