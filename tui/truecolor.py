"""Textual's ANSI-to-truecolor line filter, asked only about styles it has something to change.

Textual passes every segment of every drawn line through `ANSIToTruecolor`, which looks each
style up in a 1,024-entry cache. A table cell's style carries the cell's coordinates (its
meta), so a screen of cells is hundreds of distinct styles: the cache thrashes and each
lookup hashes a new style, about 20 ms of the first frame. Most styles are already
truecolor (the themes are), and those come out unchanged; only the rest need the filter.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import ANSIToTruecolor, LineFilter


def unchanged(style: Style) -> bool:
    """Would ANSIToTruecolor return this style as it is? (no ANSI colour, no dim)"""
    color, bgcolor = style.color, style.bgcolor
    return (
        (color is None or color.triplet is not None)
        and (bgcolor is None or bgcolor.triplet is not None)
        and not style.dim
    )


class TruecolorWhereNeeded(LineFilter):
    """The same result as the wrapped ANSIToTruecolor, without asking it about the rest."""

    def __init__(self, inner: ANSIToTruecolor) -> None:
        super().__init__(enabled=inner.enabled)
        self.inner = inner

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        convert = self.inner.truecolor_style
        back = background.rich_color
        return [
            Segment(text, style if style is None or unchanged(style) else convert(style, back))
            for text, style, _ in segments
        ]
