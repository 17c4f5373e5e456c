"""`dockyard [--engine E]`: connect, then open the UI on that engine."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from engine_adapters import Engine, discover, open_engine
from tui.commands.connect import connect_listing


def engine_choices() -> list[tuple[str, Callable[[], Engine]]]:
    """The engines found on this machine and the ssh hosts of the config, for the switcher."""
    from tui.config import Config

    return [
        (f"{t.name}  {t.url}", lambda t=t: open_engine(t))  # type: ignore[misc]
        for t in discover(ssh_hosts=Config.load().ssh_hosts)
    ]


def run_ui(spec: str | None, read_only: bool = False) -> int:
    # The engine is asked while Textual loads: the answer costs little CPU but some waiting.
    with ThreadPoolExecutor(1, thread_name_prefix="connect") as pool:
        answer = pool.submit(asyncio.run, connect_listing(spec))
        from tui.app import DockyardApp

        engine, containers = answer.result()
    app = DockyardApp(engine, read_only=read_only, engines=engine_choices(), containers=containers)
    app.run()
    return app.return_code or 0
