"""A Line-API log viewer: renders only visible rows, so 100,000 lines stay responsive."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Offset, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from tui.config import SERVICE_COLOUR_VARIABLES
from tui.widgets.detail import log_selection
from tui.widgets.detail.log_selection import Mark, Selection

MAX_LINES = 200_000
AUTO_SCROLL_SECONDS = 0.05


@dataclass(slots=True)
class Entry:
    text: str
    stderr: bool = False
    stamp: str = ""
    source: str = ""
    colour: int = 0


class LogView(ScrollView, can_focus=True):
    """Holds entries; filter, wrap, timestamps and search change which rows show and how.

    It keeps its own selection (mouse drag, or V then j/k): marks name lines by serial, so lines
    arriving while following never shift it. When the oldest lines leave the MAX_LINES buffer,
    the selection keeps the part still in memory (marked `clipped`) and clears once none is left.
    """

    DEFAULT_CSS = "LogView { background: $surface; }"
    # Textual's screen-wide selection works on rendered cells; ours is anchored to lines instead.
    ALLOW_SELECT = False

    class SelectionChanged(Message):
        """The selection was made, moved or cleared; the panel's status line shows it."""

        def can_replace(self, message: Message) -> bool:
            # A drag posts one per mouse move; only the latest matters.
            return isinstance(message, LogView.SelectionChanged)

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
        self.selection: Selection | None = None
        self.extending = False  # a keyboard selection: j/k and the arrows move its head
        self._first_serial = 0  # serial of entries[0]: how many entries have been dropped
        self._drag_anchor: Mark | None = None
        self._drag_moved = False
        self._drag_pointer = Offset(0, 0)
        self._drag_timer: Timer | None = None

    # data -------------------------------------------------------------------
    def clear(self) -> None:
        self.entries.clear()
        self.current_match = None
        self._source_width = 0
        self._first_serial = 0
        self.clear_selection()
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
            self._first_serial += overflow
            if self.selection is not None:
                self._set_selection(self.selection.trimmed(self._first_serial))
            self._rebuild()
        elif self._visible is not None or self._rows is not None:
            self._extend(range(start, len(self.entries)))
        else:
            self._width_cache = max(self._width_cache, *(len(self.plain(e)) for e in batch))
        self._update_size()
        if self.follow:
            self.call_after_refresh(self._scroll_to_newest)
        self.refresh()

    def _scroll_to_newest(self) -> None:
        # Checked again as it runs: a key (g, V, a search) may have stopped following since, and a
        # held mouse button keeps the view still under the pointer.
        if self.follow and self._drag_anchor is None:
            self.scroll_end(animate=False, immediate=True)

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

    @property
    def _wrap_width(self) -> int:
        return max(10, self.scrollable_content_region.width or 80)

    def _extend(self, indices: range) -> None:
        width = self._wrap_width
        for i in indices:
            entry = self.entries[i]
            if self.filter is not None:
                # A merged log's source counts too: `F` then a node or task keeps its lines.
                if not self.filter.search(entry.text) and not (
                    entry.source and self.filter.search(entry.source)
                ):
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
            return index, start, start + self._wrap_width
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
        pad = base
        if self.selection is not None:
            serial = self._first_serial + index
            span = self.selection.span(serial, len(text.plain))
            if span is not None:
                lit = self._selection_style()
                text.stylize(lit, *span)
                if self.selection.runs_past(serial):
                    pad = base + lit
        if end is not None or start:
            text = text[start:end]
        segments = list(text.render(self.app.console))
        strip = Strip(segments).apply_style(base)
        if not self.wrap:
            strip = strip.crop(self.scroll_offset.x, self.scroll_offset.x + width)
        return strip.extend_cell_length(width, pad).crop(0, width)

    def _selection_style(self) -> Style:
        """The theme's selection colours, as Textual's own text selection uses them."""
        lit = self.screen.get_component_rich_style("screen--selection")
        # A "transparent" foreground comes back as the background colour: keep the text's own.
        return Style(bgcolor=lit.bgcolor) if lit.color == lit.bgcolor else lit

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

    # selection --------------------------------------------------------------
    def _set_selection(self, selection: Selection | None) -> None:
        if selection is None:
            self.extending = False
        if selection != self.selection:
            self.selection = selection
            self.post_message(self.SelectionChanged())
            self.refresh()

    def clear_selection(self) -> None:
        self._set_selection(None)

    def selected_text(self) -> str | None:
        """The selection as plain text, as shown (filtered, with or without timestamps)."""
        if self.selection is None:
            return None
        indices = log_selection.covered(
            self.selection, self._first_serial, len(self.entries), self._visible
        )
        return log_selection.selected_text(
            self.selection, indices, self._first_serial, lambda i: self.plain(self.entries[i])
        )

    def selected_lines(self) -> int:
        if self.selection is None:
            return 0
        return log_selection.covered_count(
            self.selection, self._first_serial, len(self.entries), self._visible
        )

    def _row_of(self, index: int) -> int:
        """The first display row of an entry (of the next shown one, when a filter hides it)."""
        if self._rows is not None:
            return bisect_left(self._rows, (index, 0))
        return index if self._visible is None else bisect_left(self._visible, index)

    # keyboard selection (V, then j/k or the arrows) ---------------------------
    def start_line_selection(self) -> bool:
        """Select the search match's line when it is on screen, else the last line on screen."""
        if not self.row_count:
            return False
        top, height = self.scroll_offset.y, self.scrollable_content_region.height
        row = self.current_match
        if row is None or not top <= row < top + height:
            row = min(top + height, self.row_count) - 1
        mark = Mark(self._first_serial + self._locate(row)[0], 0)
        self.follow = False  # following would scroll the head away as the user moves it
        self._set_selection(Selection(mark, mark, lines=True))
        self.extending = True
        return True

    def move_head(self, delta: int) -> None:
        """Extend a keyboard selection by `delta` shown lines, keeping its head on screen."""
        if self.selection is None or not self.entries:
            return
        index = max(self.selection.head.serial - self._first_serial, 0)
        target = log_selection.shown_neighbour(index, delta, len(self.entries), self._visible)
        if target is None:
            return
        head = Mark(self._first_serial + target, 0)
        self._set_selection(Selection(self.selection.anchor, head, lines=True))
        row, top = self._row_of(target), self.scroll_offset.y
        height = self.scrollable_content_region.height
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)

    def line(self, delta: int) -> None:
        """j/k: extend the keyboard selection, or scroll by a line."""
        if self.extending:
            self.move_head(delta)
        else:
            self.scroll_to(y=self.scroll_offset.y + delta, animate=False)

    def action_scroll_down(self) -> None:
        if self.extending:
            self.move_head(1)
        else:
            super().action_scroll_down()

    def action_scroll_up(self) -> None:
        if self.extending:
            self.move_head(-1)
        else:
            super().action_scroll_up()

    def key_escape(self, event: events.Key) -> bool:
        """Escape drops a selection first; without one it goes on to the screen (focus back)."""
        if self.selection is None:
            return False
        event.stop()
        self.clear_selection()
        return True

    # mouse selection (press, drag, release; a click without a drag clears) ----
    def _mark_at(self, x: int, y: int) -> Mark | None:
        """The character under a content cell; rows above or below the view clamp to its edge."""
        if not self.row_count:
            return None
        top, height = self.scroll_offset.y, self.scrollable_content_region.height
        row = min(max(y, 0), height - 1) + top
        index, start, _ = self._locate(min(row, self.row_count - 1))
        x = min(max(x, 0), self.scrollable_content_region.width - 1)
        column = start + x if self.wrap else self.scroll_offset.x + x
        return Mark(self._first_serial + index, column)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if event.button != 1:
            return
        mark = self._mark_at(*event.get_content_offset_capture(self))
        if mark is None:
            return
        self._drag_anchor, self._drag_moved = mark, False
        self.capture_mouse()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._drag_anchor is None:
            return
        self._drag_pointer = event.get_content_offset_capture(self)
        self._drag_to(self._drag_pointer)
        beyond = self._beyond_edge()
        if beyond and self._drag_timer is None:
            self._drag_timer = self.set_interval(AUTO_SCROLL_SECONDS, self._auto_scroll)
        elif not beyond:
            self._stop_auto_scroll()

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._drag_anchor is None:
            return
        self._drag_to(event.get_content_offset_capture(self))
        if not self._drag_moved:
            self.clear_selection()
        self._end_drag()
        self.release_mouse()

    def on_mouse_release(self) -> None:
        # The capture can also end without our mouse-up (the app took it): stop dragging then too.
        self._end_drag()

    def _end_drag(self) -> None:
        self._drag_anchor = None
        self._stop_auto_scroll()

    def _drag_to(self, pointer: Offset) -> None:
        mark = self._mark_at(*pointer)
        if self._drag_anchor is None or mark is None:
            return
        if mark != self._drag_anchor or self._drag_moved:
            self._drag_moved = True
            self.extending = False
            self._set_selection(Selection(self._drag_anchor, mark))

    def _beyond_edge(self) -> int:
        """How many rows the pointer is above (negative) or below (positive) the view."""
        y, height = self._drag_pointer.y, self.scrollable_content_region.height
        return y if y < 0 else max(y - height + 1, 0)

    def _auto_scroll(self) -> None:
        """While the pointer stays past an edge, scroll towards it; further out scrolls faster."""
        beyond, half = self._beyond_edge(), max(self.scrollable_content_region.height // 2, 1)
        if self._drag_anchor is None or not beyond:
            self._stop_auto_scroll()
            return
        step = max(-half, min(half, beyond))
        self.scroll_to(y=self.scroll_offset.y + step, animate=False, immediate=True)
        self._drag_to(self._drag_pointer)

    def _stop_auto_scroll(self) -> None:
        if self._drag_timer is not None:
            self._drag_timer.stop()
            self._drag_timer = None
