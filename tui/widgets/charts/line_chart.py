"""LineChart: a chart drawn through Textual's Line API, one cached strip per line."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from tui.widgets.charts.layout import AXIS, LABEL, LIMIT, MUTED, PALETTE_SIZE, TITLE, layout_chart
from tui.widgets.charts.metrics import ChartData

ROLES = (TITLE, AXIS, LABEL, LIMIT, MUTED, *(f"s{n}" for n in range(PALETTE_SIZE)))


class LineChart(Widget):
    """Draws `data` at its size; lines are laid out once per change of data, size or theme.

    Textual repaints only the lines whose strips changed, so a chart whose newest sample
    moved one dot sends that part of the screen, not the whole box.
    """

    COMPONENT_CLASSES = {f"line-chart--{role}" for role in ROLES}
    DEFAULT_CSS = """
    LineChart {
        height: 1fr;
        min-height: 4;
        & > .line-chart--title { text-style: bold; }
        & > .line-chart--axis { color: $text-muted; }
        & > .line-chart--label { color: $text-muted; }
        & > .line-chart--limit { color: $error; }
        & > .line-chart--muted { color: $text-muted; }
        & > .line-chart--s0 { color: $service-1; }
        & > .line-chart--s1 { color: $service-2; }
        & > .line-chart--s2 { color: $service-3; }
        & > .line-chart--s3 { color: $service-4; }
        & > .line-chart--s4 { color: $service-5; }
        & > .line-chart--s5 { color: $service-6; }
    }
    """

    def __init__(self, data: ChartData | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.data = data
        self._strips: list[Strip] = []
        self._cells: list[list[tuple[str, str]]] = []  # (character, role) per cell, per line
        self._key: tuple[object, ...] | None = None

    def show(self, data: ChartData) -> None:
        """New data repaints only the cells it changed: Textual would otherwise send the whole
        box to the terminal for each sample (about 7 KiB for 120x20, each second)."""
        if data == self.data:
            return
        self.data = data
        old, size = self._cells, self._key[1:] if self._key else None
        self.lines()
        if size != tuple(self.size) or len(old) != len(self._cells):
            self.refresh()
            return
        for y, (before, after) in enumerate(zip(old, self._cells, strict=True)):
            if before == after:
                continue
            changed = [x for x, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
            self.refresh(Region(changed[0], y, changed[-1] - changed[0] + 1, 1))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._key = None  # a theme change recolours the cached strips

    def _styles(self) -> dict[str, Style]:
        base = self.rich_style
        return {
            role: base + self.get_component_rich_style(f"line-chart--{role}", partial=True)
            for role in ROLES
        }

    def lines(self) -> list[Strip]:
        width, height = self.size
        key = (self.data, width, height)
        if key != self._key:
            self._key = key
            if self.data is None or width <= 0:
                self._cells = []
                self._strips = [Strip.blank(width, self.rich_style)] * height
            else:
                styles = self._styles()
                laid = layout_chart(self.data, width, height)
                self._cells = [[(c, role) for text, role in line for c in text] for line in laid]
                self._strips = [
                    Strip([Segment(text, styles[role]) for text, role in line], width)
                    for line in laid
                ]
        return self._strips

    def render_line(self, y: int) -> Strip:
        strips = self.lines()
        if 0 <= y < len(strips):
            return strips[y]
        return Strip.blank(self.size.width, self.rich_style)

    @property
    def text(self) -> str:
        """What the chart shows, as plain text: what tests and screen readers read."""
        return "\n".join(strip.text for strip in self.lines())
