"""A character canvas where lines join into box-drawing glyphs and text is never overdrawn."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# Directions a line leaves a cell in; a cell's glyph is chosen from the set.
N, E, S, W = 1, 2, 4, 8

GLYPHS = {
    0: " ",
    N: "╵",
    E: "╶",
    S: "╷",
    W: "╴",
    N | S: "│",
    E | W: "─",
    S | E: "┌",
    S | W: "┐",
    N | E: "└",
    N | W: "┘",
    N | S | E: "├",
    N | S | W: "┤",
    E | W | S: "┬",
    E | W | N: "┴",
    N | E | S | W: "┼",
}
DASHED = {"─": "╌", "│": "╎"}


class CellKind(StrEnum):
    BLANK = "blank"
    BOX = "box"  # a container's frame
    TEXT = "text"  # a container's own lines
    EDGE = "edge"
    LABEL = "label"  # an edge's label
    HEADER = "header"  # a network's caption
    CLUSTER = "cluster"
    ARROW = "arrow"


class CanvasOverlap(Exception):
    """Two things were drawn on one cell where one would hide the other."""


@dataclass(frozen=True, slots=True)
class Placed:
    """Where a piece of text landed, so tests and the UI can find it again."""

    x: int
    y: int
    text: str
    owner: str
    kind: CellKind


class Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.height = height
        self._bits = [[0] * width for _ in range(height)]
        self._text: list[list[str | None]] = [[None] * width for _ in range(height)]
        self._owner = [[""] * width for _ in range(height)]
        self._kind = [[CellKind.BLANK] * width for _ in range(height)]
        self._dashed: set[tuple[int, int]] = set()
        self.placed: list[Placed] = []

    def _mark(self, x: int, y: int, bits: int, owner: str, kind: CellKind) -> None:
        if self._text[y][x] is not None:
            raise CanvasOverlap(f"a line crosses {self._owner[y][x]!r} text at {x},{y}")
        self._bits[y][x] |= bits
        # A container's frame keeps its owner where edges join it, so it highlights whole.
        if self._kind[y][x] is not CellKind.BOX:
            self._owner[y][x] = owner
            self._kind[y][x] = kind

    def hline(
        self,
        x0: int,
        x1: int,
        y: int,
        owner: str,
        kind: CellKind = CellKind.EDGE,
        open_start: bool = False,
        open_end: bool = False,
    ) -> None:
        for x in range(x0, x1 + 1):
            bits = (E if x < x1 or open_end else 0) | (W if x > x0 or open_start else 0)
            self._mark(x, y, bits, owner, kind)

    def vline(self, x: int, y0: int, y1: int, owner: str, kind: CellKind = CellKind.EDGE) -> None:
        for y in range(y0, y1 + 1):
            self._mark(x, y, (S if y < y1 else 0) | (N if y > y0 else 0), owner, kind)

    def box(self, x: int, y: int, w: int, h: int, owner: str, dashed: bool = False) -> None:
        right, bottom = x + w - 1, y + h - 1
        self.hline(x, right, y, owner, CellKind.BOX)
        self.hline(x, right, bottom, owner, CellKind.BOX)
        self.vline(x, y, bottom, owner, CellKind.BOX)
        self.vline(right, y, bottom, owner, CellKind.BOX)
        if dashed:
            self._dashed.update((cx, cy) for cx in range(x, right + 1) for cy in (y, bottom))
            self._dashed.update((cx, cy) for cx in (x, right) for cy in range(y, bottom + 1))

    def text(self, x: int, y: int, text: str, owner: str, kind: CellKind) -> None:
        for i, char in enumerate(text):
            if self._bits[y][x + i] or self._text[y][x + i] is not None:
                raise CanvasOverlap(f"{text!r} would cover something at {x + i},{y}")
            self._text[y][x + i] = char
            self._owner[y][x + i] = owner
            self._kind[y][x + i] = kind
        self.placed.append(Placed(x, y, text, owner, kind))

    def char(self, x: int, y: int) -> str:
        text = self._text[y][x]
        if text is not None:
            return text
        glyph = GLYPHS[self._bits[y][x]]
        return DASHED.get(glyph, glyph) if (x, y) in self._dashed else glyph

    def owner(self, x: int, y: int) -> str:
        return self._owner[y][x]

    def kind(self, x: int, y: int) -> CellKind:
        return self._kind[y][x]

    def row(self, y: int) -> str:
        return "".join(self.char(x, y) for x in range(self.width))

    def rows(self) -> list[str]:
        return [self.row(y).rstrip() for y in range(self.height)]
