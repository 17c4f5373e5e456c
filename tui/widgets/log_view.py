"""A Line-API log viewer: renders only visible rows, so 100,000 lines stay responsive."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.config import SERVICE_COLOUR_VARIABLES

MAX_LINES = 200_000


@dataclass(slots=True)
class Entry:
    text: str
    stderr: bool = False
    stamp: str = ""
    source: str = ""
    colour: int = 0


class LogView(ScrollView, can_focus=True):
    """Holds entries; filter, wrap, timestamps and search change which rows show and how."""

    DEFAULT_CSS = "LogView { background: $surface; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: list[Entry] = []
        self.show_timestamps = False
        self.wrap = False
        self.follow = True
        self.search: re.Pattern[str] | None = None
        self.filter: re.Pattern[str] | None = None
        self.current_match: int | None = None
        self._visible: list[int] | None = None  # None: every entry, in order
        self._rows: list[tuple[int, int]] | None = None  # wrapped (entry, start) pairs
        self._width_cache = 0
        self._source_width = 0

    # data -------------------------------------------------------------------
    def clear(self) -> None:
        self.entries.clear()
        self.current_match = None
        self._source_width = 0
        self._rebuild()

    def append(self, batch: list[Entry]) -> None:
        if not batch:
            return
        start = len(self.entries)
        self.entries.extend(batch)
        for entry in batch:
            self._source_width = max(self._source_width, len(entry.source))
        overflow = len(self.entries) - MAX_LINES
        if overflow > 0:
            del self.entries[:overflow]
            self._rebuild()
        elif self._visible is not None or self._rows is not None:
            self._extend(range(start, len(self.entries)))
        else:
            self._width_cache = max(self._width_cache, *(len(self.plain(e)) for e in batch))
        self._update_size()
        if self.follow:
            self.call_after_refresh(self.scroll_end, animate=False)
        self.refresh()

    def plain(self, entry: Entry) -> str:
        parts = []
        if self.show_timestamps and entry.stamp:
            parts.append(entry.stamp + " ")
        if entry.source:
            parts.append(entry.source.ljust(self._source_width) + " | ")
        parts.append(entry.text)
        return "".join(parts)

    def visible_entries(self) -> list[Entry]:
        if self._visible is None:
            return list(self.entries)
        return [self.entries[i] for i in self._visible]

    # layout -----------------------------------------------------------------
    @property
    def row_count(self) -> int:
        if self._rows is not None:
            return len(self._rows)
        return len(self.entries) if self._visible is None else len(self._visible)

    def _rebuild(self) -> None:
        self._visible = None if self.filter is None else []
        self._rows = [] if self.wrap else None
        self._width_cache = 0
        if self._visible is not None or self._rows is not None:
            self._extend(range(len(self.entries)))
        else:
            self._width_cache = max((len(self.plain(e)) for e in self.entries), default=0)
        self._update_size()
        self.refresh()

    def _extend(self, indices: range) -> None:
        width = max(10, self.scrollable_content_region.width or 80)
        for i in indices:
            entry = self.entries[i]
            if self.filter is not None:
                if not self.filter.search(entry.text):
                    continue
                assert self._visible is not None
                self._visible.append(i)
            length = len(self.plain(entry))
            if self._rows is not None:
                self._rows.extend((i, start) for start in range(0, max(length, 1), width))
            else:
                self._width_cache = max(self._width_cache, length)

    def _update_size(self) -> None:
        width = self.scrollable_content_region.width if self.wrap else self._width_cache
        self.virtual_size = Size(width, self.row_count)

    def on_resize(self) -> None:
        if self.wrap:
            self._rebuild()

    def _locate(self, row: int) -> tuple[int, int, int | None]:
        """Entry index, start and end column for a display row."""
        if self._rows is not None:
            index, start = self._rows[row]
            width = max(10, self.scrollable_content_region.width or 80)
            return index, start, start + width
        index = row if self._visible is None else self._visible[row]
        return index, 0, None

    # rendering --------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if row >= self.row_count:
            return Strip([Segment(" " * width, base)], width)
        index, start, end = self._locate(row)
        text = self._styled(self.entries[index], row == self.current_match)
        if end is not None or start:
            text = text[start:end]
        segments = list(text.render(self.app.console))
        strip = Strip(segments).apply_style(base)
        if not self.wrap:
            strip = strip.crop(self.scroll_offset.x, self.scroll_offset.x + width)
        return strip.extend_cell_length(width, base).crop(0, width)

    def _styled(self, entry: Entry, current: bool) -> Text:
        theme = self.app.theme_variables
        text = Text(self.plain(entry), end="", no_wrap=True)
        offset = 0
        if self.show_timestamps and entry.stamp:
            text.stylize(theme.get("log-timestamp", ""), 0, len(entry.stamp))
            offset = len(entry.stamp) + 1
        if entry.source:
            var = SERVICE_COLOUR_VARIABLES[entry.colour % len(SERVICE_COLOUR_VARIABLES)]
            text.stylize(f"bold {theme.get(var, '')}", offset, offset + self._source_width)
            offset += self._source_width + 3
        if entry.stderr:
            text.stylize(theme.get("log-stderr", ""), offset)
        if self.search is not None:
            colour = theme.get("log-match", "yellow")
            style = Style.parse(f"reverse bold {colour}" if current else f"bold {colour} underline")
            for match in self.search.finditer(text.plain, offset):
                if match.end() > match.start():
                    text.stylize(style, match.start(), match.end())
        return text

    # search -----------------------------------------------------------------
    def find(self, forward: bool = True) -> bool:
        """Move to the next row matching `search`, wrapping round; False when nothing matches."""
        if self.search is None or not self.row_count:
            return False
        count = self.row_count
        here = (
            self.current_match
            if self.current_match is not None
            else self.scroll_offset.y - (1 if forward else -1)
        )
        for step in range(1, count + 1):
            row = (here + step) % count if forward else (here - step) % count
            index, start, end = self._locate(row)
            piece = self.plain(self.entries[index])[start:end]
            if self.search.search(piece):
                self.current_match = row
                self.follow = False
                self.scroll_to(
                    y=max(0, row - self.scrollable_content_region.height // 2), animate=False
                )
                self.refresh()
                return True
        return False

    def match_count(self) -> int:
        if self.search is None:
            return 0
        return sum(1 for e in self.visible_entries() if self.search.search(e.text))
