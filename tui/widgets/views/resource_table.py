"""The DataTable base of the four resource views: diffed rows, marks, filter and action requests."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, ClassVar

from rich.text import Text
from textual import events
from textual._two_way_dict import TwoWayDict
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

from tui.keymap import (
    ActionSpec,
    action_name,
    mutating_actions,
    owned_actions,
    requested,
    specs_for,
)
from tui.widgets.views.cell_table import CellTable

Cells = tuple[Any, ...]
Row = tuple[str, Cells]
# Steps that make the columns fit the table's width, tried in order while they are too wide.
# A step of several (column, floor) pairs trims the widest of them first, never below its
# floor; a step of one column with floor 0 hides that column whole (a sliver of text is noise).
FitSteps = tuple[tuple[tuple[str, int], ...], ...]

NAV_BINDINGS: list[BindingType] = [
    Binding("j", "cursor_down", "Down", show=False, id="nav.down"),
    Binding("k", "cursor_up", "Up", show=False, id="nav.up"),
    Binding("g", "scroll_top", "Top", show=False, id="nav.top"),
    Binding("G", "scroll_bottom", "Bottom", show=False, id="nav.bottom"),
]


@lru_cache(maxsize=8192)
def clipped(text: str, style: str = "") -> Text:
    """A free-text cell that ends in an ellipsis when its column is trimmed (no markup parsing)."""
    # Rows are rebuilt on every refresh and compared with the shown ones: handing out the same
    # Text for the same string makes building and comparing as cheap as with plain strings.
    # Sharing is safe: Rich renders and crops copies, never the cell's own Text.
    return Text(text, style=style, overflow="ellipsis", no_wrap=True, end="")


@dataclass(frozen=True)
class Selection:
    """The view's targets when a key was pressed: the marked keys, else the cursor's."""

    keys: tuple[str, ...]
    cursor: str | None
    project: str | None = None  # the compose project of the cursor's row (containers)


class ResourceTable(CellTable):
    """Subclasses name their OWNER (for bindings), COLUMNS and how an item becomes cells."""

    OWNER: ClassVar[str] = ""
    COLUMNS: ClassVar[tuple[tuple[str, str], ...]] = ()
    FIT: ClassVar[FitSteps] = ()

    @dataclass
    class ActionRequested(Message):
        """A key of this view was pressed; the screen runs the spec's handler on the view's
        controller."""

        table: ResourceTable
        spec: ActionSpec[Any]
        selection: Selection

    @dataclass
    class Selected(Message):
        """The cursor moved to another row (key is None for a group header or empty table)."""

        table: ResourceTable
        key: str | None

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.items: dict[str, Any] = {}
        self.filled = False
        """An engine's list has filled `items`; until then their count is not known."""
        self.marked: set[str] = set()
        self.filter_text = ""
        self.now = datetime.now().astimezone()
        self._cells: dict[str, Cells] = {}
        self._order: list[str] = []
        self._stale: set[str] = set()  # rows whose cells changed while off screen
        self._last_selected: str | bool | None = False
        self._guards: tuple[bool | None, ...] = ()
        self._bindings_due = False
        self._targets_now: list[Any] | None = None  # set while targets_held

    def on_mount(self) -> None:
        for key, label in self.COLUMNS:
            self.add_column(label, key=key)

    # column widths ----------------------------------------------------------
    def watch_virtual_size(self) -> None:
        # DataTable sets virtual_size once it has measured new or changed cells: the natural
        # widths may have grown, so the plan may change.
        self.fit_columns()

    def on_resize(self, event: events.Resize) -> None:
        super().on_resize(event)
        self.fit_columns()

    def fit_columns(self) -> None:
        """Trim free-text columns so the table fits its width instead of scrolling sideways."""
        if not self.FIT or not self.columns or not self.size.width:
            return
        natural = {str(key.value): column.content_width for key, column in self.columns.items()}
        widths = fit_widths(natural, self.room, self.FIT)
        self.set_widths(
            {key: None if width == natural[key] else width for key, width in widths.items()}
        )

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
        """Rows that went are removed and new ones added; changed cells are updated in place."""
        order = [key for key, _ in rows]
        if order != self._order:
            self._reshape(rows, order)
        keys = [key for key, _ in self.COLUMNS]
        for row_key, cells in rows:
            old = self._cells.get(row_key)
            if old == cells:
                continue
            for index, value in enumerate(cells):
                if old is None or old[index] != value:
                    self.set_cell(row_key, keys[index], value)
            self._cells[row_key] = cells
        self._stale.clear()
        self._notify_selection()

    def show_order(self, order: list[str]) -> None:
        """As show_rows, computing cells only for new rows and the rows on screen: the rest
        are refreshed when they scroll into view, so a reread costs a screenful, not N rows."""
        rows, fresh = [], set()
        for key in order:
            cells = self._cells.get(key)
            if cells is None and (cells := self.row_cells(key)) is not None:
                fresh.add(key)
            if cells is not None:
                rows.append((key, cells))
        order = [key for key, _ in rows]
        if order != self._order:
            self._reshape(rows, order)
        self._stale = {key for key in order if key not in fresh}
        self._flush_visible()
        self._notify_selection()

    def _reshape(self, rows: list[Row], order: list[str]) -> None:
        """Change the row set and order, keeping the cursor on its item (or its neighbour)."""
        target = self._cursor_target(order)
        wanted = set(order)
        gone = [key for key in self._order if key not in wanted]
        kept = len(self._order) - len(gone)
        # remove_row renumbers every remaining row (about 1 us each); a re-added row is measured
        # again, cell by cell (about 20 us a cell). When most rows go (a filter), re-adding the
        # few that stay is cheaper than removing the many.
        if len(gone) * len(self._order) > kept * len(self.COLUMNS) * 20:
            self.clear()
            for row_key, cells in rows:
                self.add_row(*cells, key=row_key)
            self._cells = dict(rows)
        else:
            for row_key in gone:
                self.remove_row(row_key)
                del self._cells[row_key]
            for row_key, cells in rows:
                if row_key not in self._cells:
                    self.add_row(*cells, key=row_key)
                    self._cells[row_key] = cells
            shown = set(self._order)
            appended = [key for key in self._order if key in wanted]
            appended += [key for key in order if key not in shown]
            if appended != order:
                self._set_order(order)
        self._order = order
        if target is not None:
            self.move_cursor(row=self.get_row_index(target), animate=False)

    def _set_order(self, order: list[str]) -> None:
        # Textual 8.2 keeps a row's position only in `_row_locations` (key -> index), and
        # `DataTable.sort` reorders by replacing that map and invalidating the render caches;
        # doing just that moves rows without re-adding them (no new Row, no re-measuring).
        self._row_locations = TwoWayDict({RowKey(key): index for index, key in enumerate(order)})
        self._update_count += 1
        self.refresh()

    def _cursor_target(self, order: list[str]) -> str | None:
        """Where the cursor belongs: its row, else the next row that stays, else the one before."""
        current = self.current_row_key
        wanted = set(order)
        if current is None or current in wanted:
            return current
        index = self._order.index(current)
        after = (key for key in self._order[index + 1 :] if key in wanted)
        before = (key for key in reversed(self._order[:index]) if key in wanted)
        return next(after, None) or next(before, None) or (order[0] if order else None)

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

    def update_rows(self, keys: Iterable[str]) -> None:
        """Refresh the rows on screen now, the others once they scroll into view.

        Every row's cells after each stats sample held the event loop for half a second at
        1,000 containers, and a key pressed meanwhile waited for it.
        """
        self._stale.update(key for key in keys if key in self._cells)
        self._flush_visible()

    def _flush_visible(self) -> None:
        # A hidden view (the containers list under the Fleet view) catches up when shown.
        if not self._stale or not self.display:
            return
        # A page either side, so a page-down or a row's height off by one still finds them fresh.
        page = max(self.scrollable_content_region.height, 24)
        top = int(self.scroll_y)
        for key in self._order[max(0, top - page) : top + 2 * page]:
            if key in self._stale:
                self._stale.discard(key)
                self.update_row(key)

    def on_show(self) -> None:
        self._flush_visible()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._flush_visible()

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
        if not self._notify_selection():
            self.refresh_guards()  # the same item (none on group headers), other targets

    def refresh_guards(self) -> None:
        """The key bar is read again only when a guard flips, and after the frame that moves
        the cursor: the cursor is what the eye follows, the hints come one frame later."""
        with self.targets_held():
            guards = tuple(self.check_action(s.name, ()) for s in specs_for(self.OWNER))
        if guards != self._guards:
            self._guards = guards
            if not self._bindings_due:
                self._bindings_due = True
                self.call_after_refresh(self._refresh_bindings)

    def _refresh_bindings(self) -> None:
        self._bindings_due = False
        self.app.refresh_bindings()

    @contextmanager
    def targets_held(self) -> Iterator[None]:
        """The targets listed once for a run of guard checks: with marks, or on a project's
        header, a listing walks every row, and the key bar checks some twenty guards."""
        if self._targets_now is not None:
            yield
            return
        self._targets_now = self.target_items()
        try:
            yield
        finally:
            self._targets_now = None

    def _notify_selection(self) -> bool:
        """Tells the screen of a new item under the cursor; True if there was one."""
        key = self.current_key
        if key == self._last_selected:
            return False
        self._last_selected = key
        self.post_message(self.Selected(self, key))
        # A row going can put another item under an unmoved cursor: no RowHighlighted then.
        self.refresh_guards()
        return True

    def key_of(self, item: Any) -> str:
        """The key an item is listed under (an id; a volume's name)."""
        return str(item.id)

    def toggle_mark(self, key: str | None) -> None:
        """Marks or unmarks `key` and moves the cursor on, as a list of marks is made."""
        if key is None or key not in self.items:
            return
        self.marked.symmetric_difference_update({key})
        self.update_row(key)
        if key == self.current_key:
            self.action_cursor_down()
        self.refresh_guards()

    def mark_cell(self, key: str) -> Text:
        return Text("●" if key in self.marked else " ", style="bold", end="")

    def selection(self) -> Selection:
        """What a key pressed now acts on; the handler runs later, the cursor may move on."""
        return Selection(tuple(self.targets()), self.current_key)

    def action_act(self, spec_id: str) -> None:
        spec = requested("act", (spec_id,))
        if spec is not None:
            self.post_message(self.ActionRequested(self, spec, self.selection()))

    # guards ---------------------------------------------------------------
    def allowed(self, action: str, item: Any) -> bool:
        """May `action` run on this item? Subclasses add state guards."""
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """None greys the key out (the key bar leaves it out); Textual hides it on False."""
        action = action_name(action, parameters)
        if action in mutating_actions(self.OWNER) and getattr(self.app, "read_only", False):
            return None
        if action not in owned_actions(self.OWNER) or action in ("mark", "sort", "create", "pull"):
            return True
        items = self.target_items() if self._targets_now is None else self._targets_now
        return True if any(self.allowed(action, item) for item in items) else None


def fit_widths(natural: dict[str, int], room: int, steps: FitSteps) -> dict[str, int]:
    """Content widths for `natural` ones that fit in `room` cells, as far as `steps` allow."""
    widths = dict(natural)
    over = sum(widths.values()) - room
    touched: list[str] = []
    for step in steps:
        if over <= 0:
            break
        if len(step) == 1 and step[0][1] == 0:
            key = step[0][0]
            over -= widths[key]
            widths[key] = 0
            continue
        floors = dict(step)
        touched.extend(key for key in floors if key not in touched)
        while over > 0:
            # max() keeps the first of equals: the step lists the most expendable column first.
            trimmable = [key for key in floors if widths[key] > floors[key]]
            if not trimmable:
                break
            widest = max(trimmable, key=lambda key: widths[key])
            widths[widest] -= 1
            over -= 1
    # Hiding a whole column may free more room than needed: give it back to trimmed ones.
    for key in reversed(touched):
        if over >= 0:
            break
        if widths[key]:
            grow = min(-over, natural[key] - widths[key])
            widths[key] += grow
            over += grow
    return widths
