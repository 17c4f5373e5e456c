"""Rows kept as runs of (attributes, text): how streamed output reaches the scrollback.

When output scrolls by many screens between two repaints, only the last screen's cells
and the scrollback's text matter. `RowCollector` follows such a burst (text, CR LF,
tabs, SGR) without touching any cell: each finished row is a tuple of runs, a few
hundred bytes where a row of cells is a dict of eighty entries. The screen turns the
rows still visible into cells (`unpack`); the rest go to the scrollback packed, and
are unpacked only if someone scrolls back to them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from functools import lru_cache

from pyte.screens import Char

from tui.terminal.cells import Line

Run = tuple[Char, str]
"""Characters drawn side by side with the same attributes (`Char.data` is unused)."""

PLAIN = Char(" ", "default", "default")
"""The attributes of text with no colours or flags, what most output is written in."""

PackedRow = tuple[Run, ...] | str
"""A row written from column 0 rightwards; cells after its runs were never written.
A str is one run in `PLAIN` attributes: `cat` of a text file becomes rows at C speed."""

Row = Line | PackedRow
"""A scrollback entry."""


class RowCollector:
    """Rows written by printable ASCII text and line ends on fresh rows at the bottom.

    It starts on an empty bottom row with the cursor in column 0, so every row it
    builds is written left to right from column 0, and the cells at and after the
    cursor are never written: erasing them in default colours changes nothing.
    """

    __slots__ = ("_tabstops", "columns", "rows", "runs", "x")

    def __init__(self, columns: int, tabstops: set[int]) -> None:
        self.columns = columns
        self.rows: list[PackedRow] = []
        """Rows finished (and scrolled) in order; the last one of them was the bottom row."""
        self.runs: list[Run] = []
        """The row the cursor is on."""
        self.x = 0
        self._tabstops = sorted(tabstops)

    def text(self, text: str, attrs: Char) -> None:
        """Printable ASCII at the cursor, wrapping at the right margin (DECAWM)."""
        columns = self.columns
        if self.x + len(text) <= columns:  # most runs: no wrap
            self.runs.append((attrs, text))
            self.x += len(text)
            return
        pos, end = 0, len(text)
        while pos < end:
            x = self.x
            if x >= columns:  # the wrap pyte does when the next character comes
                self.newline()
                x = 0
            stop = min(end, pos + columns - x)
            self.runs.append((attrs, text[pos:stop]))
            self.x = x + stop - pos
            pos = stop

    def lines(self, block: str, attrs: Char) -> None:
        """Printable ASCII lines, each ended by CR LF; the first may finish the current row.

        A line wider than the screen wraps into rows of `columns` (one exactly as wide
        leaves no empty row: CR LF clears the pending wrap). In plain attributes the
        whole block becomes rows in one regex call.
        """
        if self.x or self.runs:  # the first line finishes the row already started
            first, _, block = block.partition("\r\n")
            if first:
                self.text(first, attrs)
            self.newline()
        if attrs == PLAIN:
            self.rows.extend(_row_cutter(self.columns)(block))
            return
        for line in block.split("\r\n")[:-1]:
            self.rows.extend(
                ((attrs, part),) if part else () for part in _wrapped(line, self.columns)
            )

    def newline(self) -> None:
        """CR LF at the bottom: the row scrolls up and a fresh one starts."""
        self.rows.append(tuple(self.runs))
        self.runs = []
        self.x = 0

    def tab(self, default: Char) -> bool:
        """HT as pyte moves it; False if it would move back (a pending wrap), left to pyte."""
        index = bisect_right(self._tabstops, self.x)
        column = self._tabstops[index] if index < len(self._tabstops) else self.columns - 1
        if column < self.x:
            return False
        if column > self.x:  # the cells skipped read as blanks, as never-written ones do
            self.runs.append((default, " " * (column - self.x)))
            self.x = column
        return True


@lru_cache(maxsize=8)
def _row_cutter(columns: int) -> Callable[[str], list[str]]:
    """Lines ended by CR LF to the rows they fill: up to `columns` characters of a line
    at a time, and one empty row for an empty line (it starts where a line does)."""
    return re.compile(f"[ -~]{{1,{columns}}}|^(?=\r)", re.MULTILINE).findall


def _wrapped(line: str, columns: int) -> list[str]:
    """The rows a line of one-cell characters fills from column 0 (an empty line fills one)."""
    if len(line) <= columns:
        return [line]
    return [line[x : x + columns] for x in range(0, len(line), columns)]


def unpack(row: PackedRow, default: Char, glyphs: Callable[[Char], dict[str, Char]]) -> Line:
    """The cells of a packed row; `glyphs` gives the shared Char of each character."""
    line = Line(default)
    if isinstance(row, str):
        row = ((PLAIN, row),)
    x = 0
    for attrs, text in row:
        line.update(zip(range(x, x + len(text)), map(glyphs(attrs).__getitem__, text), strict=True))
        x += len(text)
    return line


def packed_text(row: PackedRow) -> str:
    """The characters of a packed row (one cell each: only ASCII is packed)."""
    if isinstance(row, str):
        return row
    return "".join(text for _, text in row)
