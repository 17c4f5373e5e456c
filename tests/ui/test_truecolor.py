"""The truecolor filter that skips unchanged styles gives exactly Textual's output."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from rich.segment import Segment
from rich.style import Style
from rich.terminal_theme import MONOKAI
from textual.color import Color
from textual.filter import ANSIToTruecolor

from tui.app import DockyardApp
from tui.truecolor import TruecolorWhereNeeded, unchanged

STYLES = [
    None,
    Style(),
    Style(color="red"),
    Style(color="#ff8800"),
    Style(bgcolor="blue"),
    Style(color="#101010", bgcolor="#202020"),
    Style(dim=True),
    Style(color="green", dim=True),
    Style(color="#00ff00", dim=True, bold=True),
    Style(color="default", bgcolor="default"),
    Style(color="color(200)"),
    Style(color="#abcdef", meta={"row": 3, "column": 1}),
    Style(color="bright_white", bgcolor="#000000", meta={"row": -1, "column": 0}),
]


def test_the_same_segments_as_textuals_filter() -> None:
    textual = ANSIToTruecolor(MONOKAI)
    ours = TruecolorWhereNeeded(textual)
    segments = [Segment(f"cell{n}", style) for n, style in enumerate(STYLES)]
    for background in (Color(0, 0, 0), Color(250, 250, 250), Color(30, 60, 90)):
        assert ours.apply(segments, background) == textual.apply(segments, background)


def test_only_styles_textual_leaves_alone_are_skipped() -> None:
    textual = ANSIToTruecolor(MONOKAI)
    skipped = [style for style in STYLES if style is not None and unchanged(style)]
    assert len(skipped) >= 4  # the truecolor ones, with and without meta
    for style, background in itertools.product(skipped, (Color(0, 0, 0), Color(9, 9, 9))):
        assert textual.truecolor_style(style, background.rich_color) is style


async def test_the_app_hands_out_one_wrapper(make_app: Callable[..., DockyardApp]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)):
        first, second = app.get_line_filters(), app.get_line_filters()
        wrappers = [f for f in first if isinstance(f, TruecolorWhereNeeded)]
        assert len(wrappers) == 1 and wrappers[0] in second  # Textual caches lines per filter
        assert not any(type(f) is ANSIToTruecolor for f in first)
