"""Braille dot canvas: 2x4 dots per cell, lines drawn as connected dots, one owner per cell."""

from __future__ import annotations

from collections.abc import Sequence

BRAILLE = 0x2800
# Unicode numbers the dots of a cell column by column, the bottom row last (dots 7 and 8).
DOT_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))


class DotCanvas:
    """A grid of `width` x `height` cells, drawn in dot coordinates (x right, y down)."""

    def __init__(self, width: int, height: int) -> None:
        self.width = max(0, width)
        self.height = max(0, height)
        self.bits = [bytearray(self.width) for _ in range(self.height)]
        # Which series last drew in a cell (-1: none); its colour is the cell's colour.
        self.owner = [[-1] * self.width for _ in range(self.height)]

    @property
    def dots_x(self) -> int:
        return 2 * self.width

    @property
    def dots_y(self) -> int:
        return 4 * self.height

    def dot(self, x: int, y: int, series: int) -> None:
        if 0 <= x < self.dots_x and 0 <= y < self.dots_y:
            row, col = y >> 2, x >> 1
            self.bits[row][col] |= DOT_BITS[y & 3][x & 1]
            self.owner[row][col] = series

    def column(self, x: int, y0: int, y1: int, series: int) -> None:
        """Every dot of column `x` from `y0` to `y1`: a steep step stays one connected line."""
        for y in range(min(y0, y1), max(y0, y1) + 1):
            self.dot(x, y, series)

    def polyline(self, points: Sequence[tuple[float, float] | None], series: int) -> None:
        """Joins consecutive points (dot coordinates); None breaks the line (a gap in samples)."""
        last: tuple[int, int] | None = None
        for point in points:
            if point is None:
                last = None
                continue
            x, y = round(point[0]), round(point[1])
            if last is None:
                self.dot(x, y, series)
            else:
                lx, ly = last
                span = x - lx
                if span <= 0:
                    self.column(x, ly, y, series)
                else:
                    # Each column between the points reaches from where the line entered it
                    # to where it leaves, so no dot column is skipped and no step is dotted.
                    prev = ly
                    for step in range(1, span + 1):
                        here = round(ly + (y - ly) * step / span)
                        self.column(lx + step, prev, here, series)
                        prev = here
            last = (x, y)

    def dotted_row(self, y: int, series: int) -> None:
        """A horizontal reference line (a limit), every other dot; drawn first, lines cover it."""
        for x in range(0, self.dots_x, 2):
            self.dot(x, y, series)

    def rows(self) -> list[list[tuple[str, int]]]:
        """Per cell row, (character, owner series) for each cell; blank cells own -1."""
        return [
            [(chr(BRAILLE + b) if b else " ", owner) for b, owner in zip(bits, owners, strict=True)]
            for bits, owners in zip(self.bits, self.owner, strict=True)
        ]


def braille_trend(
    values: Sequence[float], width: int, floor: float = 0.0, odd: bool = False
) -> str:
    """One line of braille, two samples a cell, newest on the right: the dashboard's trend.

    Scaled to the peak of the values, or `floor` if that is higher (so an idle container's
    noise stays a flat line). With `odd` the newest sample opens a new cell: cells then hold
    the same pairs of samples from one frame to the next, and only every other sample
    shifts the line, which halves what a table of trends sends to the terminal.
    """
    if width <= 0:
        return ""
    room = 2 * width - (1 if odd else 0)
    values = list(values[-room:])
    if not values:
        return " " * width
    peak = max(max(values), floor) or 1.0
    canvas = DotCanvas(width, 1)
    offset = room - len(values)
    # Zero between zeros stays blank, as an idle row's sparkline was: a flat line there would
    # change as it grows and repaint every idle row of the dashboard on every sample.
    points: list[tuple[float, float] | None] = [
        None
        if v <= 0 and all(w <= 0 for w in values[max(0, n - 1) : n + 2])
        else (offset + n, 3 - 3 * min(max(v / peak, 0.0), 1.0))
        for n, v in enumerate(values)
    ]
    canvas.polyline(points, 0)
    return "".join(char for char, _ in canvas.rows()[0])
