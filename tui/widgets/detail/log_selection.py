"""A selection in the log view: marks that new lines never move, and the text a selection covers."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True, order=True)
class Mark:
    """One character of the log.

    `serial` numbers entries from the last clear, so appending lines, or dropping the oldest
    ones from the buffer, never moves a mark onto another line. `column` counts characters of
    the line as shown (timestamp and service prefix included).
    """

    serial: int
    column: int


@dataclass(frozen=True, slots=True)
class Selection:
    """From `anchor` (where it began) to `head` (what moves), both characters included."""

    anchor: Mark
    head: Mark
    lines: bool = False  # whole lines, as vim's V; columns are ignored
    clipped: bool = False  # its oldest lines have left the in-memory buffer

    @property
    def start(self) -> Mark:
        return min(self.anchor, self.head)

    @property
    def end(self) -> Mark:
        return max(self.anchor, self.head)

    def span(self, serial: int, length: int) -> tuple[int, int] | None:
        """The columns [lo, hi) of one line (of `length` characters) that the selection covers."""
        start, end = self.start, self.end
        if not start.serial <= serial <= end.serial:
            return None
        if self.lines:
            return 0, length
        lo = start.column if serial == start.serial else 0
        hi = end.column + 1 if serial == end.serial else length
        return min(lo, length), min(hi, length)

    def runs_past(self, serial: int) -> bool:
        """True when the selection goes on past this line's end (its row is lit to the edge)."""
        start, end = self.start, self.end
        return start.serial <= serial <= end.serial and (self.lines or serial < end.serial)

    def trimmed(self, first_serial: int) -> Selection | None:
        """What is left once the lines before `first_serial` have left the buffer (None: none)."""
        if self.end.serial < first_serial:
            return None
        if self.start.serial >= first_serial:
            return self
        first = Mark(first_serial, 0)
        if self.anchor <= self.head:
            return replace(self, anchor=first, clipped=True)
        return replace(self, head=first, clipped=True)


def covered(
    selection: Selection, first_serial: int, count: int, visible: Sequence[int] | None
) -> Sequence[int]:
    """Indices of the shown entries inside the selection, found by bisection: O(selection).

    `visible` is the sorted list of entry indices a filter lets through (None: every entry).
    """
    lo = max(selection.start.serial - first_serial, 0)
    hi = min(selection.end.serial - first_serial, count - 1)
    if hi < lo:
        return range(0)
    if visible is None:
        return range(lo, hi + 1)
    return visible[bisect_left(visible, lo) : bisect_right(visible, hi)]


def covered_count(
    selection: Selection, first_serial: int, count: int, visible: Sequence[int] | None
) -> int:
    """How many shown lines the selection covers, without listing them: O(log n)."""
    lo = max(selection.start.serial - first_serial, 0)
    hi = min(selection.end.serial - first_serial, count - 1)
    if hi < lo:
        return 0
    if visible is None:
        return hi - lo + 1
    return bisect_right(visible, hi) - bisect_left(visible, lo)


def selected_text(
    selection: Selection, indices: Sequence[int], first_serial: int, shown: Callable[[int], str]
) -> str:
    """The plain text under the selection: one line per index, cut at the selection's columns."""
    parts = []
    for index in indices:
        text = shown(index)
        span = selection.span(first_serial + index, len(text))
        if span is not None:
            parts.append(text[span[0] : span[1]])
    return "\n".join(parts)


def shown_neighbour(
    index: int, delta: int, count: int, visible: Sequence[int] | None
) -> int | None:
    """The entry `delta` shown lines away from `index` (which a filter may hide), kept in range."""
    if visible is None:
        return min(max(index + delta, 0), count - 1) if count else None
    if not visible:
        return None
    pos = bisect_left(visible, index)
    exact = pos < len(visible) and visible[pos] == index
    # Off a hidden entry, the first step forward lands on the next shown one, at `pos` itself.
    pos += delta - (1 if delta > 0 and not exact else 0)
    return visible[min(max(pos, 0), len(visible) - 1)]
