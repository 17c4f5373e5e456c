"""Times the containers table when one row comes or goes among N, headless; prints figures only."""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual.app import App, ComposeResult  # noqa: E402
from textual.pilot import Pilot  # noqa: E402

from engine_adapters.models import COMPOSE_PROJECT_LABEL, Container, ContainerState  # noqa: E402
from tui.widgets.views.containers_table import ContainersTable  # noqa: E402

WHEN = datetime(2026, 1, 1, tzinfo=UTC)
ROUNDS = 5


def container(n: int) -> Container:
    labels = {COMPOSE_PROJECT_LABEL: f"proj{n % 5}"} if n % 3 == 0 else {}
    return Container(
        f"{n:064x}",
        f"svc-{n:04d}",
        "dockyard-test/busybox:latest",
        "sha256:" + "b" * 64,
        "sh",
        ContainerState.RUNNING,
        "Up",
        WHEN,
        started_at=WHEN,
        labels=labels,
    )


class Counted(ContainersTable):
    """Counts the rows handed to DataTable.add_row: a re-added row is measured again."""

    added = 0

    def add_row(self, *cells: Any, **kwargs: Any) -> Any:
        Counted.added += 1
        return super().add_row(*cells, **kwargs)


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Counted(id="containers-table")


async def timed(pilot: Pilot[None], table: ContainersTable) -> tuple[float, float]:
    """ms to diff the rows, and ms until the table is idle again (new cells measured)."""
    start = time.perf_counter()
    table.refresh_rows()
    diffed = time.perf_counter()
    await pilot.pause()
    return (diffed - start) * 1000, (time.perf_counter() - start) * 1000


def figure(samples: list[tuple[float, float]]) -> str:
    diff = statistics.median(s[0] for s in samples)
    idle = statistics.median(s[1] for s in samples)
    return f"{diff:6.2f} ms diff, {idle:6.1f} ms to idle"


async def churn(count: int) -> None:
    app = TableApp()
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(Counted)
        table.items = {c.id: c for c in map(container, range(count))}
        await timed(pilot, table)
        table.move_cursor(row=table.row_count // 2)
        await pilot.pause()
        still, adds, removes, rebuilds, added_rows = [], [], [], [], []
        for r in range(ROUNDS):
            still.append(await timed(pilot, table))
            extra = container(count + r)
            Counted.added = 0
            table.items[extra.id] = extra
            adds.append(await timed(pilot, table))
            added_rows.append(Counted.added)
            del table.items[extra.id]
            removes.append(await timed(pilot, table))
            # What every change of the row set cost before: clear and re-add every row.
            table.clear()
            table._order, table._cells = [], {}
            rebuilds.append(await timed(pilot, table))
        print(f"{count:5} rows  no change:       {figure(still)}")
        print(f"{count:5} rows  one added:       {figure(adds)}  (add_row x{max(added_rows)})")
        print(f"{count:5} rows  one removed:     {figure(removes)}")
        print(f"{count:5} rows  clear + re-add:  {figure(rebuilds)}  (the old way, for scale)")


def main() -> int:
    for count in (50, 200, 1000):
        asyncio.run(churn(count))
    return 0


if __name__ == "__main__":
    sys.exit(main())
