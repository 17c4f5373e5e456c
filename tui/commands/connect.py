"""Resolve `--engine`, start the native daemon when it is the pick, and check the engine answers."""

from __future__ import annotations

import asyncio

from engine_adapters import Engine, EngineUnavailable, NativeEngine, open_engine, resolve

CONNECT_TIMEOUT = 8.0


async def connect(spec: str | None) -> Engine:
    """An engine that has just answered a ping; EngineError with one line otherwise."""
    target = resolve(spec)
    engine = open_engine(target)
    try:
        if isinstance(engine, NativeEngine):
            await engine.ensure_started()
        await asyncio.wait_for(engine.first_contact(), CONNECT_TIMEOUT)
    except TimeoutError:
        await engine.close()
        raise EngineUnavailable(f"{target.url} did not answer in {CONNECT_TIMEOUT:.0f}s") from None
    except BaseException:
        await engine.close()
        raise
    return engine
