"""The stats dashboard: running containers like `docker stats`, sortable, a CPU trend per row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from engine_adapters.models import Container
from tui.keymap import bindings_for, run_spec
from tui.screens.covering import CoveringScreen
from tui.widgets.bars.key_bar import KeyBar
from tui.widgets.charts.braille import braille_trend
from tui.widgets.format import human_size
from tui.widgets.stats_history import StatsHistory
from tui.widgets.views.cell_table import CellTable
from tui.widgets.views.resource_table import FitSteps, fit_widths

COLUMNS = ("NAME", "CPU%", "TREND", "MEM USAGE / LIMIT", "MEM%", "NET I/O", "BLOCK I/O", "PIDS")
# Fixed widths for the numbers: a value growing by a digit must not re-measure the table.
# "999.9MiB / 15.6GiB" fits in 18; a wider value re-measures its column once.
WIDTHS = {
    "CPU%": 6,
    "TREND": 20,
    "MEM USAGE / LIMIT": 18,
    "MEM%": 5,
    "NET I/O": 18,
    "BLOCK I/O": 18,
    "PIDS": 5,
}
# The trend takes the room the other columns leave, within these bounds; on a narrow screen
# it shrinks first, then block I/O goes, then the trend, then network I/O, then names shorten.
TREND_MIN, TREND_MAX = 6, 30
FIT: FitSteps = (
    (("TREND", TREND_MIN),),
    (("BLOCK I/O", 0),),
    (("TREND", 0),),
    (("NET I/O", 0),),
    (("NAME", 12),),
)
RESORT_TICKS = 10


# CPU below 1 % draws flat: an idle container's noise would fill the cell's height.
TREND_FLOOR = 1.0


def trend(column: Sequence[float], count: int, size: int, width: int) -> Text:
    """The newest 2 x `width` samples of a ring's column, as a braille line (not wrapped:
    wrapping would drop a young container's leading blanks and move its line left)."""
    n = min(count, size, 2 * width)
    newest = (count - 1) % size
    values = [column[(newest - n + 1 + i) % size] for i in range(n)]
    line = braille_trend(values, width, TREND_FLOOR, odd=count % 2 == 1)
    return Text(line, no_wrap=True, end="")


class DashboardScreen(CoveringScreen):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="dashboard.back"),
        Binding("j", "cursor_down", "Down", show=False, id="dashboard.down"),
        Binding("k", "cursor_up", "Up", show=False, id="dashboard.up"),
        *bindings_for("dashboard"),
    ]

    def __init__(
        self,
        stats: StatsHistory,
        containers: dict[str, Container],
        engines: Mapping[str, str] | None = None,
    ) -> None:
        """`engines` (container id to engine name) adds an ENGINE column: the fleet's stats."""
        super().__init__()
        self.stats = stats
        self.containers = containers
        self.engines = engines
        self.columns = (COLUMNS[0], "ENGINE", *COLUMNS[1:]) if engines is not None else COLUMNS
        self.sort_by = "cpu"
        self._cells: dict[str, tuple[Any, ...]] = {}
        self._order: list[str] = []
        self._stale: set[str] = set()  # rows whose cells are out of date, off screen
        self._generation = -1
        self._title = ""
        self._ticks = 0
        self.trend = WIDTHS["TREND"]

    def compose(self) -> ComposeResult:
        yield Static("", id="dashboard-title")
        yield CellTable(id="dashboard-table", cursor_type="row")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in self.columns:
            table.add_column(label, key=label, width=WIDTHS.get(label))
        self.refresh_rows(resort=True)
        self.set_interval(1.0, self._tick)
        # Numbers get wider (a first sample, MiB to GiB): the trend gives the room back.
        self.watch(table, "virtual_size", self.fit_trend, init=False)
        self.watch(table, "scroll_y", self._flush_visible, init=False)
        self.query_one(DataTable).focus()

    def on_resize(self) -> None:
        self.fit_trend()

    def fit_trend(self) -> None:
        """The trend takes the room the others leave; a narrow screen loses the least useful."""
        table = self.query_one(CellTable)
        natural = {
            str(key.value): TREND_MAX
            if key.value == "TREND"
            else max(WIDTHS.get(str(key.value), 0), column.content_width)
            for key, column in table.columns.items()
        }
        widths = fit_widths(natural, table.room, FIT)
        # The name column stays as wide as its content unless it had to be trimmed.
        names = widths["NAME"]
        table.set_widths({**widths, "NAME": None if names == natural["NAME"] else names})
        if widths["TREND"] != self.trend:
            self.trend = widths["TREND"]
            self.refresh_rows(resort=True)

    def _tick(self) -> None:
        """Repaint only when new samples came in; re-sort now and then, not on every sample,
        so near-equal rows do not swap places (and repaint the table) every second."""
        if self.stats.generation == self._generation:
            return
        self._ticks += 1
        self.refresh_rows(resort=self._ticks % RESORT_TICKS == 0)

    def order(self) -> list[str]:
        """The containers with samples, by the sort column, then by name."""
        keyed = []
        for cid, ring in self.stats.samples.items():
            if not ring:
                continue
            newest = (ring.count - 1) % ring.size
            columns = ring.columns
            key = {
                "cpu": -columns["cpu_percent"][newest],
                "mem": -columns["mem_used"][newest],
                "net": -(columns["net_rx"][newest] + columns["net_tx"][newest]),
            }.get(self.sort_by, 0.0)
            keyed.append(((key, self.name_of(cid)), cid))
        keyed.sort(key=lambda r: r[0])
        return [cid for _, cid in keyed]

    def name_of(self, cid: str) -> str:
        c = self.containers.get(cid)
        return c.name if c else cid[:12]

    def row_cells(self, cid: str) -> tuple[Any, ...] | None:
        ring = self.stats.samples.get(cid)
        if ring is None or (s := ring.latest) is None:
            return None
        cpu = ring.columns["cpu_percent"]
        engine = () if self.engines is None else (self.engines.get(cid, ""),)
        return (
            self.name_of(cid),
            *engine,
            f"{s.cpu_percent:6.1f}",
            trend(cpu, ring.count, ring.size, self.trend),
            f"{human_size(s.mem_used)} / {human_size(s.mem_limit)}",
            f"{s.mem_percent:5.1f}",
            f"{human_size(s.net_rx)} / {human_size(s.net_tx)}",
            f"{human_size(s.block_read)} / {human_size(s.block_write)}",
            str(s.pids),
        )

    def rows(self) -> list[tuple[str, tuple[Any, ...]]]:
        return [(cid, cells) for cid in self.order() if (cells := self.row_cells(cid))]

    def refresh_rows(self, resort: bool = False) -> None:
        self._generation = self.stats.generation
        table = self.query_one(CellTable)
        if resort or not self._order:
            self._rebuild(table, self.rows())
        else:
            self._patch(table)
        where = "" if self.engines is None else f" of {len(set(self.engines.values()))} engines"
        title = (
            f"[b]Stats[/b]: running containers{where} by {self.sort_by}"
            "  (CPU% as docker stats computes it: see ?)"
        )
        if title != self._title:  # Static.update re-lays out the screen: skip no-ops
            self._title = title
            self.query_one("#dashboard-title", Static).update(title)

    def _rebuild(self, table: CellTable, rows: list[tuple[str, tuple[Any, ...]]]) -> None:
        order = [cid for cid, _ in rows]
        self._stale.clear()
        if order == self._order:
            for cid, cells in rows:
                self._set_cells(table, cid, cells)
            return
        current = (
            self._order[table.cursor_row] if 0 <= table.cursor_row < len(self._order) else None
        )
        table.clear()
        for cid, cells in rows:
            table.add_row(*cells, key=cid)
        self._order = order
        self._cells = dict(rows)
        if current in order:
            table.move_cursor(row=order.index(current), animate=False)

    def _patch(self, table: CellTable) -> None:
        """Between re-sorts, containers that come and go are removed or appended in place:
        a busy host must not repaint the whole table on every start or stop. Cells are
        computed for the rows on screen; the others when they scroll into view (a fleet's
        dashboard has a trend line to draw for each of hundreds of rows)."""
        samples = self.stats.samples
        for cid in [c for c in self._order if not samples.get(c)]:
            table.remove_row(cid)
            del self._cells[cid]
            self._stale.discard(cid)
        self._order = [c for c in self._order if c in self._cells]
        if len(self._order) < sum(1 for ring in samples.values() if ring):
            for cid in self.order():
                if cid not in self._cells and (cells := self.row_cells(cid)) is not None:
                    table.add_row(*cells, key=cid)
                    self._order.append(cid)
                    self._cells[cid] = cells
        self._stale.update(self._order)
        self._flush_visible()

    def _flush_visible(self) -> None:
        if not self._stale:
            return
        table = self.query_one(CellTable)
        page = max(table.scrollable_content_region.height, 24)
        top = int(table.scroll_y)
        for cid in self._order[max(0, top - page) : top + 2 * page]:
            if cid in self._stale:
                self._stale.discard(cid)
                if (cells := self.row_cells(cid)) is not None:
                    self._set_cells(table, cid, cells)

    def _set_cells(self, table: CellTable, cid: str, cells: tuple[Any, ...]) -> None:
        old = self._cells.get(cid)
        if old == cells:
            return
        for i, value in enumerate(cells):
            if old is None or old[i] != value:
                table.set_cell(cid, self.columns[i], value)
        self._cells[cid] = cells

    async def action_act(self, spec_id: str) -> None:
        await run_spec(self, spec_id)

    def action_sort(self, key: str) -> None:
        self.sort_by = key
        self.refresh_rows(resort=True)

    def action_cursor_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()
