"""`docker wait`: block until the container is not running, exits next, or is removed."""

from __future__ import annotations

import asyncio

from native_runtime.containers.model import Container
from native_runtime.errors import BadParameter
from native_runtime.runtime import Runtime

CONDITIONS = ("not-running", "next-exit", "removed")


def check_condition(condition: str) -> str:
    condition = condition or "not-running"
    if condition not in CONDITIONS:
        raise BadParameter(f"invalid condition: {condition!r}")
    return condition


def waiter(rt: Runtime, ctr: Container, condition: str) -> asyncio.Future[None] | None:
    """Register synchronously: the CLI asks to wait before it starts the container.

    None means the condition already holds.
    """
    if condition == "removed":
        return rt.next_removal(ctr)
    if condition == "next-exit" or ctr.running:
        return rt.next_exit(ctr)
    return None
