"""CellTable's fast text cells come out exactly as DataTable draws them, in every cursor state."""

from __future__ import annotations

from typing import Any

import pytest
from rich.segment import Segment
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from tui.widgets.views.cell_table import CellTable

ROWS: list[tuple[Any, ...]] = [
    ("plain", Text("dim text", style="dim"), Text.assemble(("web", "bold"), "-", ("1", "red"))),
    ("", Text(""), Text("✓ healthy", style="green")),
    ("日本語の名前", Text("a long cell that is trimmed by its column", overflow="ellipsis"), "x"),
    ("[b]markup[/b]", Text("right", justify="right"), Text("tab\there")),
]
WIDTHS = (None, 12, None)  # the middle column is narrower than one cell: Rich crops that one


class Tables(App[None]):
    def compose(self) -> ComposeResult:
        yield CellTable(cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(CellTable)
        for index, width in enumerate(WIDTHS):
            table.add_column(Text(f"COL{index}", style="bold"), width=width, key=str(index))
        for n, row in enumerate(ROWS):
            table.add_row(*row, key=str(n))


def merged(lines: list[list[Segment]]) -> list[list[Segment]]:
    return [list(Strip(line).simplify()) for line in lines]


def both_ways(table: CellTable, *cell: Any) -> tuple[list[list[Segment]], list[list[Segment]]]:
    """The cell drawn by CellTable and by DataTable itself, each from an empty cache."""
    table._cell_render_cache.clear()
    mine = table._render_cell(*cell)
    table._cell_render_cache.clear()
    return merged(mine), merged(DataTable._render_cell(table, *cell))


async def test_every_cell_matches_datatable_in_every_state() -> None:
    app = Tables()
    async with app.run_test(size=(100, 20)) as pilot:
        table = app.query_one(CellTable)
        compared = fast = 0

        def get(row: int, column: int) -> Any:
            if row < 0:
                return table.ordered_columns[column].label
            return table._get_row_renderables(row).cells[column]

        for focused in (True, False):
            if focused:
                table.focus()
            else:
                table.blur()
            await pilot.pause()
            style = table.rich_style
            for row in range(-1, len(ROWS)):
                for column, key in enumerate(table.columns):
                    width = table.columns[key].get_render_width(table)
                    for cursor, hover in ((False, False), (True, False), (False, True)):
                        mine, theirs = both_ways(table, row, column, style, width, cursor, hover)
                        assert mine == theirs, (focused, row, column, cursor, hover)
                        drawn = table._text_cell(
                            row, column, get(row, column), style, width, cursor, hover
                        )
                        fast += drawn is not None
                        compared += 1
        assert compared == 2 * (len(ROWS) + 1) * len(WIDTHS) * 3
        # Only the cropped, justified and tabbed cells (3 of the 15) take DataTable's own path.
        assert fast == compared * 12 // 15


async def test_whole_lines_match() -> None:
    app = Tables()
    async with app.run_test(size=(100, 20)) as pilot:
        table = app.query_one(CellTable)
        table.focus()
        table.move_cursor(row=2)
        await pilot.pause()
        for y in range(len(ROWS) + 1):
            table._cell_render_cache.clear()
            table._line_cache.clear()
            mine = list(table.render_line(y).simplify())
            table._cell_render_cache.clear()
            table._line_cache.clear()
            table._render_cell = DataTable._render_cell.__get__(table)  # type: ignore[method-assign]
            theirs = list(table.render_line(y).simplify())
            del table._render_cell
            assert mine == theirs, y


class ManyRows(App[None]):
    def compose(self) -> ComposeResult:
        yield CellTable(cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(CellTable)
        table.add_column("NAME", key="name")
        table.add_column("CPU", key="cpu")
        for n in range(300):
            table.add_row(f"row-{n}", "0.0", key=str(n))


async def test_a_cell_update_repaints_its_cell_without_listing_every_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DataTable finds a cell's line through a list of every row, rebuilt after each update:
    a sample's cells cost the table's length each. Rows of one line need no list."""
    app = ManyRows()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(CellTable)
        await pilot.pause()
        listed: list[int] = []
        ordered = DataTable.ordered_rows

        def counting(self: CellTable) -> Any:
            listed.append(1)
            return ordered.fget(self)  # type: ignore[attr-defined]

        monkeypatch.setattr(CellTable, "ordered_rows", property(counting))
        refreshed: list[Region] = []
        refresh = table.refresh

        def refreshing(*regions: Region, **kwargs: Any) -> Any:
            refreshed.extend(regions)
            return refresh(*regions, **kwargs)

        monkeypatch.setattr(table, "refresh", refreshing)
        table.set_cell("3", "cpu", "1.5")  # on screen: its line under the header
        table.set_cell("250", "cpu", "9.9")  # below the screen: drawn when scrolled to
        assert listed == []
        x = table.columns[ColumnKey("name")].get_render_width(table)
        width = table.columns[ColumnKey("cpu")].get_render_width(table)
        assert refreshed == [Region(x, 3 + table.header_height, width, 1)]
        monkeypatch.undo()

        await pilot.pause()
        assert "1.5" in table.render_line(3 + table.header_height).text
        table.move_cursor(row=250)
        await pilot.pause()
        assert "9.9" in table.render_line(250 + table.header_height - int(table.scroll_y)).text
