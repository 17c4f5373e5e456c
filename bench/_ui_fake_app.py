"""The app on a churn-free in-memory engine with N live containers, for ui_bench.py --fake."""

from __future__ import annotations

import asyncio
import random
import sys
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine_adapters.models import ContainerState, StatsSample  # noqa: E402
from tests.ui.fake_engine import FakeEngine, cid  # noqa: E402
from tui.app import DockyardApp  # noqa: E402


class LiveFake(FakeEngine):
    """`count` running containers; stats change every interval, a few of them busy."""

    def __init__(self, count: int, busy: int) -> None:
        super().__init__()
        template = next(iter(self._containers.values()))
        self._containers = {
            cid(n): replace(
                template, id=cid(n), name=f"bench-ui-{n}", labels={}, state=ContainerState.RUNNING
            )
            for n in range(count)
        }
        self.busy = busy

    def stats(self, refs: Sequence[str], interval: float = 2.0) -> AsyncIterator[list[StatsSample]]:  # type: ignore[override]
        return self._ticks(list(refs), interval)

    async def _ticks(self, refs: list[str], interval: float) -> AsyncIterator[list[StatsSample]]:
        rng = random.Random(1)
        step = 0
        while True:
            step += 1
            yield [
                StatsSample(
                    ref,
                    float(step * interval),
                    rng.uniform(50, 100) if n < self.busy else 0.0,
                    (64 + (step if n < self.busy else 0)) * 2**20,
                    2**33,
                    step * 1000 * (n < self.busy),
                    0,
                    0,
                    0,
                    1,
                )
                for n, ref in enumerate(refs)
            ]
            await asyncio.sleep(interval)


if __name__ == "__main__":
    DockyardApp(LiveFake(int(sys.argv[1]), int(sys.argv[2]))).run()  # type: ignore[arg-type]
