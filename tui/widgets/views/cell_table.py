"""CellTable: a DataTable that repaints single cells, fits its columns and draws text cells fast."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.geometry import Region, Size
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

SegmentLines = list[list[Segment]]
# DataTable's caches hold 10,000 cells and 1,000 rows and lines. Their keys include its update
# counter, which every cell update bumps (a stats sample, each interval): entries of earlier
# counts are never hit again, yet they stay until pushed out, several MiB of dead lines.
# Room for two screens of the current count is all that is ever used (see on_resize).
SCREEN_COLUMNS = 12  # cells a line is budgeted for


class CellTable(DataTable[Any]):
    """A DataTable whose cell updates repaint one row, not the whole table (bytes over SSH)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._cell_render_cache = LRUCache(2 * 24 * SCREEN_COLUMNS)
        self._row_render_cache = LRUCache(2 * 24)
        self._row_renderable_cache = LRUCache(2 * 24)
        self._line_cache = LRUCache(2 * 24)
        self._tall_rows = False  # a row of more than one line was added

    def on_resize(self, event: events.Resize) -> None:
        lines = 2 * event.size.height
        for cache in (self._row_render_cache, self._row_renderable_cache, self._line_cache):
            cache.grow(lines)
        self._cell_render_cache.grow(lines * max(len(self.columns), SCREEN_COLUMNS))

    def set_cell(self, row_key: str, column_key: str, value: Any) -> None:
        column = self.columns.get(ColumnKey(column_key))
        width = cell_len(value.plain if isinstance(value, Text) else str(value))
        # A fixed width (the dashboard's) is room; a trimmed one (fit_columns) is not: only
        # a cell wider than anything the column holds needs the column re-measured.
        if column is None or width > max(column.width, column.content_width):
            self.update_cell(row_key, column_key, value, update_width=True)
            return
        # DataTable.update_cell refreshes the whole widget; writing the cell and bumping the
        # render-cache counter, then refreshing only the cell's region, sends just that cell.
        self._data[RowKey(row_key)][ColumnKey(column_key)] = value
        self._update_count += 1
        column_index = self._column_locations.get(ColumnKey(column_key)) or 0
        row_index = self.get_row_index(row_key)
        if self._tall_rows:
            self.refresh_coordinate(Coordinate(row_index, column_index))
            return
        # DataTable finds a cell's line by listing every row, and the counter just bumped
        # empties that list's cache: a sample's cells cost the table's length each. With rows
        # of one line the line is the row's index.
        y = row_index + (self.header_height if self.show_header else 0)
        window = self.window_region
        if not window.y <= y < window.bottom:
            return  # drawn afresh when scrolled to: the counter invalidated its cached lines
        columns = self.ordered_columns
        x = self._row_label_column_width + sum(
            column.get_render_width(self) for column in columns[:column_index]
        )
        width = columns[column_index].get_render_width(self)
        self.refresh(Region(x, y, width, 1).translate(-self.scroll_offset))

    def add_row(
        self,
        *cells: Any,
        height: int | None = 1,
        key: str | None = None,
        label: Any = None,
    ) -> RowKey:
        if height != 1:
            self._tall_rows = True
        return super().add_row(*cells, height=height, key=key, label=label)

    @property
    def room(self) -> int:
        """Cells the columns' content can take without a horizontal scrollbar."""
        room = self.container_size.width - 2 * self.cell_padding * len(self.columns)
        if self.virtual_size.height > self.container_size.height:
            room -= self.styles.scrollbar_size_vertical
        return room

    def set_widths(self, widths: Mapping[str, int | None]) -> None:
        """Fix the named columns' widths (None: back to the content's natural width)."""
        changed = False
        for name, width in widths.items():
            column = self.columns[ColumnKey(name)]
            auto = width is None
            if column.auto_width != auto or (width is not None and column.width != width):
                column.auto_width, column.width = auto, width or 0
                changed = True
        if changed:
            # Column widths are not part of DataTable's render-cache keys: bump the counter.
            self._update_count += 1
            total = sum(column.get_render_width(self) for column in self.columns.values())
            self.virtual_size = Size(total, self.virtual_size.height)
            self.refresh()

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> SegmentLines:
        """One-line text cells drawn straight from their Text; anything else as DataTable does.

        DataTable draws every cell through Rich's console (Styled, Padding, wrapping, line
        splitting): about 0.1 ms a cell, most of the first paint of a 50-row list. A cell of
        one line whose text fits its column comes out the same from a few segments.
        """
        if column_index < 0 or (self.header_height if row_index < 0 else 1) != 1:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        # Textual 8.2's cell cache key (DataTable._render_cell), so both paths share the cache.
        row_key = self._header_row_key if row_index < 0 else self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        if row_key is None or column_key is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        cache_key = (
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        cached = self._cell_render_cache.get(cache_key)
        if cached is not None:
            return cached
        if row_index < 0:
            cell: Any = self.ordered_columns[column_index].label
        else:
            row = self.rows.get(row_key)
            if row is None or row.height != 1:
                return super()._render_cell(
                    row_index, column_index, base_style, width, cursor, hover
                )
            cell = self._get_row_renderables(row_index).cells[column_index]
        lines = self._text_cell(row_index, column_index, cell, base_style, width, cursor, hover)
        if lines is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        self._cell_render_cache[cache_key] = lines
        return lines

    def _text_cell(
        self,
        row_index: int,
        column_index: int,
        cell: Any,
        base_style: Style,
        width: int,
        cursor: bool,
        hover: bool,
    ) -> SegmentLines | None:
        """The cell's one line, or None when it needs Rich's full path (cropping, tabs...)."""
        if not isinstance(cell, Text):
            return None
        pad = self.cell_padding
        room = width - 2 * pad
        plain = cell.plain
        length = cell_len(plain)
        # Rich pads a justified Text with its own style, crops long ones, expands tabs.
        if length > room or cell.justify not in (None, "default") or "\t" in plain or "\n" in plain:
            return None
        component_style, post_style = self._get_styles_to_render_cell(
            row_index < 0,
            False,
            row_index >= 0 and (row_index < self.fixed_rows or column_index < self.fixed_columns),
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        pre_style = (
            base_style
            + Style.from_meta({"row": row_index, "column": column_index})
            + component_style
        )
        console = self.app.console
        if cell.spans:
            text = [segment for segment in cell.render(console) if segment.text]
        else:  # Text.render leaves out the base style when there are no spans
            text = (
                [Segment(plain, console.get_style(cell.style) if cell.style else None)]
                if plain
                else []
            )
        segments = [Segment(" " * pad), *text, Segment(" " * (room - length + pad))]
        return [list(Segment.apply_style(segments, pre_style, post_style))]
