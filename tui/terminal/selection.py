"""A mouse selection over the rows a terminal pane shows, in reading order."""

from __future__ import annotations

from dataclasses import dataclass

from tui.terminal.emulator import TerminalEmulator

Point = tuple[int, int]
"""(x, y) in view cells."""


@dataclass
class Selection:
    """From the cell where the button went down to the cell under the pointer, inclusive."""

    anchor: Point | None = None
    head: Point | None = None
    dragging: bool = False

    def start(self, x: int, y: int) -> None:
        self.anchor = self.head = (x, y)
        self.dragging = True

    def extend(self, x: int, y: int) -> None:
        self.head = (x, y)

    def finish(self, x: int, y: int) -> None:
        self.head = (x, y)
        self.dragging = False

    def clear(self) -> None:
        self.anchor = self.head = None
        self.dragging = False

    def __bool__(self) -> bool:
        # A click without a drag selects nothing.
        return self.anchor is not None and self.head is not None and self.anchor != self.head

    def _ordered(self) -> tuple[Point, Point] | None:
        if self.anchor is None or self.head is None:
            return None
        first, last = sorted([self.anchor, self.head], key=lambda point: (point[1], point[0]))
        return first, last

    def columns_on_row(self, y: int, columns: int) -> tuple[int, int] | None:
        """The [start, end) columns selected on view row `y`, if any."""
        ordered = self._ordered()
        if ordered is None or not self:
            return None
        (x0, y0), (x1, y1) = ordered
        if not y0 <= y <= y1:
            return None
        start = x0 if y == y0 else 0
        end = x1 + 1 if y == y1 else columns
        return start, min(end, columns)

    def text(self, emulator: TerminalEmulator, scroll_offset: int) -> str:
        ordered = self._ordered()
        if ordered is None or not self:
            return ""
        (_, y0), (_, y1) = ordered
        rows = []
        for y in range(y0, min(y1, emulator.lines - 1) + 1):
            span = self.columns_on_row(y, emulator.columns)
            assert span is not None
            rows.append(emulator.row_text(y, scroll_offset)[span[0] : span[1]].rstrip())
        return "\n".join(rows)
