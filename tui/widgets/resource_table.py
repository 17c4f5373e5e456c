"""The DataTable base of the four resource views: diffed rows, marks, filter and action requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from tui.keymap import action_name, mutating_actions, specs_for

Cells = tuple[Any, ...]
Row = tuple[str, Cells]

NAV_BINDINGS: list[BindingType] = [
    Binding("j", "cursor_down", "Down", show=False, id="nav.down"),
    Binding("k", "cursor_up", "Up", show=False, id="nav.up"),
    Binding("g", "scroll_top", "Top", show=False, id="nav.top"),
    Binding("G", "scroll_bottom", "Bottom", show=False, id="nav.bottom"),
]


class CellTable(DataTable[Any]):
    """A DataTable whose cell updates repaint one row, not the whole table (bytes over SSH)."""

    def set_cell(self, row_key: str, column_key: str, value: Any) -> None:
        column = self.columns.get(ColumnKey(column_key))
        width = cell_len(value.plain if isinstance(value, Text) else str(value))
        room = 0 if column is None else column.content_width if column.auto_width else column.width
        if column is None or width > room:
            self.update_cell(row_key, column_key, value, update_width=True)
            return
        # DataTable.update_cell refreshes the whole widget; writing the cell and bumping the
        # render-cache counter, then refreshing only the cell's region, sends just that cell.
        self._data[RowKey(row_key)][ColumnKey(column_key)] = value
        self._update_count += 1
        column_index = self._column_locations.get(ColumnKey(column_key)) or 0
        self.refresh_coordinate(Coordinate(self.get_row_index(row_key), column_index))


class ResourceTable(CellTable):
    """Subclasses name their OWNER (for bindings), COLUMNS and how an item becomes cells."""

    OWNER: ClassVar[str] = ""
    COLUMNS: ClassVar[tuple[tuple[str, str], ...]] = ()

    @dataclass
    class ActionRequested(Message):
        """A user asked for `verb` on the given keys; the screen decides how to do it."""

        table: ResourceTable
        verb: str
        keys: list[str]

    @dataclass
    class Selected(Message):
        """The cursor moved to another row (key is None for a group header or empty table)."""

        table: ResourceTable
        key: str | None

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.items: dict[str, Any] = {}
        self.marked: set[str] = set()
        self.filter_text = ""
        self.now = datetime.now().astimezone()
        self._cells: dict[str, Cells] = {}
        self._order: list[str] = []
        self._last_selected: str | bool | None = False
        self._guards: tuple[bool | None, ...] = ()

    def on_mount(self) -> None:
        for key, label in self.COLUMNS:
            self.add_column(label, key=key)

    # rows -----------------------------------------------------------------
    def build_rows(self) -> list[Row]:
        """The ordered rows to show; subclasses group, sort and filter."""
        raise NotImplementedError

    def matches(self, item: Any) -> bool:
        needle = self.filter_text.lower()
        return not needle or needle in self.search_text(item).lower()

    def search_text(self, item: Any) -> str:
        return str(item)

    def refresh_rows(self) -> None:
        self.show_rows(self.build_rows())

    def show_rows(self, rows: list[Row]) -> None:
        """Update changed cells in place; only a change of the row set or order re-adds rows."""
        order = [key for key, _ in rows]
        if order != self._order:
            self._replace_rows(rows)
        else:
            keys = [key for key, _ in self.COLUMNS]
            for row_key, cells in rows:
                old = self._cells.get(row_key)
                if old == cells:
                    continue
                for index, value in enumerate(cells):
                    if old is None or old[index] != value:
                        self.set_cell(row_key, keys[index], value)
                self._cells[row_key] = cells
        self._notify_selection()

    def _replace_rows(self, rows: list[Row]) -> None:
        current = self.current_key or self.current_row_key
        self.clear()
        for row_key, cells in rows:
            self.add_row(*cells, key=row_key)
        self._cells = dict(rows)
        self._order = [key for key, _ in rows]
        if current in self._cells:
            self.move_cursor(row=self.get_row_index(current), animate=False)

    def row_cells(self, row_key: str) -> Cells | None:
        """One row's cells; subclasses answer without building every row."""
        return dict(self.build_rows()).get(row_key)

    def update_row(self, row_key: str) -> None:
        """Refresh one row's changed cells (after a stats sample or a mark)."""
        old = self._cells.get(row_key)
        cells = self.row_cells(row_key)
        if old is None or cells is None or old == cells:
            return
        for index, (column, _) in enumerate(self.COLUMNS):
            if old[index] != cells[index]:
                self.set_cell(row_key, column, cells[index])
        self._cells[row_key] = cells

    # selection ------------------------------------------------------------
    @property
    def current_row_key(self) -> str | None:
        if not self.row_count or not (0 <= self.cursor_row < self.row_count):
            return None
        return self._order[self.cursor_row] if self.cursor_row < len(self._order) else None

    @property
    def current_key(self) -> str | None:
        """The item under the cursor; None on a group header."""
        key = self.current_row_key
        return key if key in self.items else None

    @property
    def current(self) -> Any:
        key = self.current_key
        return self.items.get(key) if key else None

    def targets(self) -> list[str]:
        """Marked items win over the cursor, so bulk actions need no other mode."""
        if self.marked:
            return [k for k in self._order if k in self.marked]
        key = self.current_key
        return [key] if key else []

    def target_items(self) -> list[Any]:
        return [self.items[k] for k in self.targets() if k in self.items]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._notify_selection()
        self.refresh_guards()

    def refresh_guards(self) -> None:
        """Recomposing the footer costs more than moving the cursor: only when a guard flips."""
        guards = tuple(self.check_action(action_name(s), ()) for s in specs_for(self.OWNER))
        if guards != self._guards:
            self._guards = guards
            self.app.refresh_bindings()

    def _notify_selection(self) -> None:
        key = self.current_key
        if key != self._last_selected:
            self._last_selected = key
            self.post_message(self.Selected(self, key))

    def action_mark(self) -> None:
        key = self.current_key
        if key is None:
            return
        self.marked.symmetric_difference_update({key})
        self.update_row(key)
        self.action_cursor_down()
        self.refresh_guards()

    def mark_cell(self, key: str) -> Text:
        return Text("●" if key in self.marked else " ", style="bold", end="")

    def request(self, verb: str) -> None:
        keys = self.targets()
        if keys:
            self.post_message(self.ActionRequested(self, verb, keys))

    # guards ---------------------------------------------------------------
    def allowed(self, action: str, item: Any) -> bool:
        """May `action` run on this item? Subclasses add state guards."""
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """None greys the key out in the footer (Textual hides it on False)."""
        if action in mutating_actions(self.OWNER) and getattr(self.app, "read_only", False):
            return None
        owned = {action_name(spec) for spec in specs_for(self.OWNER)}
        if action not in owned or action in ("mark", "sort", "create", "pull"):
            return True
        items = self.target_items()
        return True if any(self.allowed(action, item) for item in items) else None
