"""Human formatting of sizes, ages, rates and container states for the tables and panels."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from rich.text import Text

from engine_adapters.models import Container, ContainerState, Health

_UNITS = ("B", "KiB", "MiB", "GiB", "TiB")


def human_size(n: int | float | None) -> str:
    """Binary units, like `docker stats` prints memory."""
    if n is None:
        return "-"
    value = float(n)
    for unit in _UNITS:
        if abs(value) < 1024 or unit == _UNITS[-1]:
            return f"{value:.0f}{unit}" if unit == "B" else f"{value:.1f}{unit}"
        value /= 1024
    return f"{value:.1f}TiB"


def human_duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            major, rest = divmod(seconds, size)
            minor = {"d": 3600, "h": 60, "m": 1}[unit]
            sub = {"d": "h", "h": "m", "m": "s"}[unit]
            return f"{major}{unit}{rest // minor}{sub}" if major < 10 else f"{major}{unit}"
    return f"{seconds}s"


def age(when: datetime | None, now: datetime) -> str:
    return "-" if when is None else human_duration((now - when).total_seconds())


def uptime(c: Container, now: datetime) -> str:
    """`Up 3h` for live containers, `Exited (1) 2h ago` for dead ones: computed, not engine text."""
    if c.state.is_up and c.started_at is not None:
        return f"Up {age(c.started_at, now)}"
    if c.state in (ContainerState.EXITED, ContainerState.DEAD) and c.finished_at is not None:
        code = "" if c.exit_code is None else f" ({c.exit_code})"
        return f"Exited{code} {age(c.finished_at, now)} ago"
    if c.state.is_up:
        # The engine's own text, without the "(healthy)" the health column already shows.
        return c.status.split(" (")[0] or c.state.value
    return c.status or c.state.value


STATE_VARIABLE = {
    ContainerState.RUNNING: "state-running",
    ContainerState.PAUSED: "state-paused",
    ContainerState.RESTARTING: "state-restarting",
    ContainerState.CREATED: "state-created",
    ContainerState.REMOVING: "state-restarting",
    ContainerState.EXITED: "state-exited",
    ContainerState.DEAD: "state-exited",
}

HEALTH_VARIABLE = {
    Health.HEALTHY: "state-running",
    Health.UNHEALTHY: "state-exited",
    Health.STARTING: "state-restarting",
    Health.NONE: "state-created",
}


def styled(text: str, variables: dict[str, str], variable: str, bold: bool = False) -> Text:
    """Colour a cell from a theme variable; Rich downgrades it for 256/16-colour terminals."""
    colour = variables.get(variable, "")
    style = f"{'bold ' if bold else ''}{colour}".strip()
    return Text(text, style=style, no_wrap=True, end="")


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:5.1f}%"


BARS = " ▁▂▃▄▅▆▇█"


def spark(values: list[float], width: int) -> str:
    """A one-line text sparkline for table cells (the dashboard's per-row trend)."""
    values = values[-width:] if width > 0 else []
    if not values:
        return ""
    top = max(values) or 1.0
    return "".join(BARS[min(8, round(8 * v / top))] for v in values).rjust(width)


_DIGITS = re.compile(r"(\d+)")


@lru_cache(maxsize=16384)
def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Orders `web-2` before `web-10`, as people count.

    Cached: every reread sorts the whole list by it, and names rarely change.
    """
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.lower())
        for part in _DIGITS.split(text)
        if part
    )
