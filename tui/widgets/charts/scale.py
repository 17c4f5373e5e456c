"""Axis scaling: round tick steps (1-2-5) in a readable unit, value and time labels."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

_BINARY = ("B", "KiB", "MiB", "GiB", "TiB")


class Unit(Enum):
    PERCENT = "%"
    BYTES = "B"
    RATE = "B/s"


@dataclass(frozen=True, slots=True)
class Axis:
    """A value axis from 0 to `top`, with `ticks` (values) labelled in one unit."""

    top: float
    ticks: tuple[float, ...]
    labels: tuple[str, ...]


def nice_step(span: float, count: int) -> float:
    """The 1, 2 or 5 times a power of ten that cuts `span` into about `count` steps."""
    if span <= 0 or count <= 0:
        return 1.0
    raw = span / count
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power * (1 + 1e-9):
            return factor * power
    return 10 * power


def binary_unit(value: float) -> tuple[str, float]:
    """The binary unit a byte count reads best in, and its size in bytes."""
    scale = 1.0
    for unit in _BINARY:
        if abs(value) < 1024 * scale or unit == _BINARY[-1]:
            return unit, scale
        scale *= 1024
    return _BINARY[-1], scale


def _number(value: float) -> str:
    """Short numbers: 0, 2.5, 40, 512; never scientific notation."""
    text = f"{value:.1f}" if abs(value) < 10 and value != int(value) else f"{value:.0f}"
    return text


def format_value(value: float, unit: Unit) -> str:
    """A reading as the legend shows it: `12.3%`, `320.0KiB`, `1.2MiB/s`."""
    if unit is Unit.PERCENT:
        return f"{value:.1f}%"
    name, scale = binary_unit(value)
    text = f"{value:.0f}B" if name == "B" else f"{value / scale:.1f}{name}"
    return f"{text}/s" if unit is Unit.RATE else text


def value_axis(peak: float, unit: Unit, count: int) -> Axis:
    """An axis from zero to the first round tick at or above `peak`, about `count` steps.

    Byte axes step in the unit of the peak (0, 100, 200 KiB), so labels stay short; an
    all-zero series still gets an axis (0 to 1 of the unit) rather than a division by zero.
    """
    count = max(1, count)
    name, scale = ("%", 1.0) if unit is Unit.PERCENT else binary_unit(peak)
    scaled = max(peak / scale, 0.0)
    if scaled == 0:
        scaled = 1.0
    step = nice_step(scaled, count)
    if unit is not Unit.PERCENT and name == "B":
        step = max(step, 1.0)  # no half bytes
    steps = max(1, math.ceil(scaled / step - 1e-9))
    ticks = tuple(step * n * scale for n in range(steps + 1))
    suffix = {Unit.PERCENT: "%", Unit.BYTES: name, Unit.RATE: f"{name}/s"}[unit]
    labels = tuple(f"{_number(t / scale)}{suffix}" if t else "0" for t in ticks)
    return Axis(ticks[-1], ticks, labels)


WINDOWS = (60.0, 300.0, 900.0)


def window_label(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds:g} s"


def time_ticks(window: float) -> tuple[float, ...]:
    """Seconds before now at which the time axis is labelled: a minute apart up to five
    minutes, every five minutes beyond; at least a start, a middle and now."""
    step = 15.0 if window <= 60 else 60.0 if window <= 300 else 300.0
    count = int(window // step)
    return tuple(step * n for n in range(count, -1, -1))


def ago_label(seconds: float) -> str:
    if seconds <= 0:
        return "now"
    return f"-{seconds / 60:g}m" if seconds % 60 == 0 else f"-{seconds:g}s"
