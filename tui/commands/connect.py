"""Resolve `--engine`, start the native daemon when it is the pick, and check the engine answers."""

from __future__ import annotations

import asyncio

from engine_adapters import (
    Engine,
    EngineTarget,
    EngineUnavailable,
    NativeEngine,
    open_engine,
    resolve,
)
from engine_adapters.models import Container

CONNECT_TIMEOUT = 8.0


async def connect(spec: str | None) -> Engine:
    """An engine that has just answered a ping; EngineError with one line otherwise."""
    engine, _ = await connect_listing(spec)
    return engine


async def connect_listing(spec: str | None) -> tuple[Engine, list[Container] | None]:
    """As `connect`, with the containers when the first contact read them (a local engine)."""
    return await connect_target(resolve(spec))


async def connect_target(target: EngineTarget) -> tuple[Engine, list[Container] | None]:
    """As `connect_listing`, for a target already resolved (a fleet's first engine)."""
    engine = open_engine(target)
    try:
        if isinstance(engine, NativeEngine):
            await engine.ensure_started()
        containers = await asyncio.wait_for(engine.first_contact(), CONNECT_TIMEOUT)
    except TimeoutError:
        await engine.close()
        raise EngineUnavailable(f"{target.url} did not answer in {CONNECT_TIMEOUT:.0f}s") from None
    except BaseException:
        await engine.close()
        raise
    return engine, containers
