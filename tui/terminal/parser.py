"""The front parser: pty output split by one regex into painted spans, controls and CSI sequences.

pyte's parser reads escape sequences one character at a time through a generator. Here
a compiled regex cuts the decoded output into painted spans (the cursor move, attribute
changes, text, attribute reset and erase that full-screen programs send for each piece
of a row, handled as one token; plain text is the shortest span), CR LF pairs, single
controls, complete CSI sequences and two-character ESC sequences, and dispatches them
directly. Only what the regex does not recognise (OSC titles, CSI with odd bytes, ESC #
and ESC %, a sequence cut off at the end of a read) goes to pyte's state machine,
character by character, until it is back at rest; so a sequence split across two reads
parses as if whole. After a line end at the bottom of the screen, plain output is
followed by a `RowCollector` instead of being drawn cell by cell (see rows.py)."""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from typing import cast

import pyte
from pyte import control

from tui.terminal.cells import char_width
from tui.terminal.rows import RowCollector
from tui.terminal.screen import EmulatedScreen
from tui.terminal.sgr import csi_params


class _Stream(pyte.Stream):
    """pyte's parser plus the CSI sequences xterm-256color's terminfo makes programs send."""

    csi = {**pyte.Stream.csi, "b": "repeat_character", "S": "scroll_up", "T": "scroll_down"}
    events = pyte.Stream.events | {"repeat_character", "scroll_up", "scroll_down"}


_PRINTABLE = "[^\x00-\x1f\x7f-\x9f]+"
_SGR_CHAIN = "(?:\x1b\\[[0-9;]*m|\x1b\\(B)+"
"""SGR sequences back to back; ncurses' sgr0 for xterm is ESC ( B ESC [ m (the ESC ( B is
a no-op in UTF-8, as in pyte's parser)."""

_TOKEN = re.compile(
    # 1-7: a painted span, the shape of nearly all full-screen output (ncurses moves the
    # cursor, sets attributes, writes, resets them, erases the rest of the row):
    # [CUP row;col] [SGR...] text [SGR...] [EL] [CR LF], one match instead of six
    f"(?:\x1b\\[(\\d{{0,4}})(?:;(\\d{{0,4}}))?H)?({_SGR_CHAIN})?({_PRINTABLE})"
    f"({_SGR_CHAIN})?(\x1b\\[0?K)?(\r\n)?"
    "|(\r\n)"  # 8: the usual line end
    "|\x1b\\[(\\??)([0-9;]*)([@-~])"  # 9, 10, 11: CSI [?] params final
    # 12: ESC and one character; a charset designation, ESC ( or ESC ), takes one more
    "|\x1b([^\\[\\]#%()]|[()][\\s\\S])"
    "|([\x1b\x9b\x9d])"  # 13: the start of anything else: pyte's state machine reads it
    "|([\x00-\x1f\x7f-\x9f])"  # 14: one control character
)
_SPAN_GROUPS = 7
_SPAN_GROUP_NUMBERS = tuple(range(1, _SPAN_GROUPS + 1))

_ROW_TOKEN = re.compile(
    "((?:[\x20-\x7e]*\r\n)+)"  # 1: lines of printable ASCII, as `cat` of a text file sends
    f"|({_PRINTABLE})"  # 2: printable text
    "|(\r\n)"  # 3: the usual line end
    "|\x1b\\[(\\??)([0-9;]*)([@-~])"  # 4, 5, 6: CSI [?] params final
    "|([\x00-\x1f\x7f-\x9f])"  # 7: one control character
    "|\x1b"  # anything else ends the rows
)
"""What may follow a burst of rows (see `_feed_rows`)."""

_BURST_ROWS = 2048
"""Rows a burst may hold between reads before they go to the screen (bounds memory)."""

_CURSOR_ONLY = frozenset("'ABCDEFGHacdefgmnr")
"""CSI finals that leave the rows alone (cursor moves, SGR, reports, tab stops, margins)."""

_RESETS = frozenset({"\x1b(B\x1b[m", "\x1b[m", "\x1b[0m", "\x1b(B\x1b[0m"})
"""SGR chains that reset the attributes (ncurses' sgr0 for xterm is the first)."""

_ONE_ROW = frozenset("@KPX")
"""CSI finals that change only the cursor's row."""

_MODES = frozenset("hl")

_HARMLESS_MODES = frozenset({1, 4, 7, 12, 20, 25, 1000, 1002, 1003, 1004, 1005, 1006, 2004})
"""Modes (private or not) whose setting changes no row: not the alternate screen, DECSCNM,
DECCOLM."""

_CURSOR_ONLY_CONTROLS = frozenset("\r\n\x0b\x0c\b\t\x07\x00")
"""Controls that leave the rows alone; a line feed's scroll moves painted rows along."""

_IGNORED_CONTROLS = (control.SO, control.SI)
"""Charset shifts mean nothing in UTF-8 (pyte drops them too)."""


_CsiCall = tuple[Callable[..., None], tuple[int, ...], bool]
"""A CSI sequence's handler, parameters, and whether it was private (`?`)."""


def _ignore(*_args: int, **_kwargs: bool) -> None:
    """An unknown final byte: pyte hands it to debug(), which does nothing."""


class OutputParser:
    """Decodes UTF-8 pty output and drives an `EmulatedScreen` with it."""

    def __init__(self, screen: EmulatedScreen) -> None:
        self._screen = screen
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._fsm = _Stream(screen)
        self._in_sequence = False
        """pyte's state machine is inside a sequence: it gets the next characters."""
        self._burst: RowCollector | None = None
        """Plain output after a CR LF on a fresh bottom row, collected but not yet on screen."""
        self._burst_last = ""
        self._csi_handlers: dict[str, Callable[..., None]] = {
            final: getattr(screen, name) for final, name in _Stream.csi.items()
        }
        self._csi: dict[str, _CsiCall] = {}
        self._escapes: dict[str, Callable[[], None]] = {
            char: getattr(screen, name) for char, name in _Stream.escape.items()
        }
        self._controls: dict[str, Callable[[], None]] = {
            char: getattr(screen, name)
            for char, name in _Stream.basic.items()
            if char not in _IGNORED_CONTROLS
        }

    def feed(self, data: bytes) -> None:
        """Process output; a UTF-8 sequence or escape split across calls is fine."""
        self.feed_text(self._decoder.decode(data))

    def feed_text(self, text: str) -> None:
        pos, end = 0, len(text)
        while pos < end:
            if self._in_sequence:
                pos = self._feed_state_machine(text, pos)
            elif self._burst is not None:
                pos = self._feed_rows(self._burst, text, pos)
            else:
                pos = self._feed_tokens(text, pos)
        if self._burst is not None and len(self._burst.rows) > _BURST_ROWS:
            self.finish_burst()

    def finish_burst(self) -> None:
        """Put a burst of collected rows on the screen; call before reading the screen.

        A burst may go on over many reads: until someone looks, the rows that scroll
        away never become cells, and only the last screenful is unpacked.
        """
        rows = self._burst
        if rows is not None:
            self._burst = None
            self._screen.stream_rows(rows, self._burst_last[-1:])

    def _feed_tokens(self, text: str, pos: int) -> int:
        """Dispatch tokens until the end, a sequence for pyte, or a chance to stream rows."""
        screen = self._screen
        cursor = screen.cursor
        painted = screen.painted
        dirty = screen.dirty
        draw = screen.draw
        carriage_return = screen.carriage_return
        linefeed = screen.linefeed
        cursor_position = screen.cursor_position
        sgr_chain = screen.select_graphic_chain
        erase_in_line = screen.erase_in_line
        csi = self._csi
        controls = self._controls
        escapes = self._escapes
        columns, last = screen.columns, screen.lines - 1
        default = screen.default_char
        can_paint = screen.can_paint()
        sgr_results = screen.sgr_results
        for match in _TOKEN.finditer(text, pos):
            kind = cast(int, match.lastindex)  # every alternative has a group
            if kind <= _SPAN_GROUPS:
                row, column, before, run, after, erase, line_end = match.group(*_SPAN_GROUP_NUMBERS)
                if (
                    can_paint
                    and erase is not None
                    and (cursor.x == 0 if row is None else not column or column in "01")
                    and len(run) <= columns
                    and run.isascii()
                ):
                    # The row is written whole from column 0 ([CUP y;1] text EL): it is
                    # kept as runs, and becomes cells only if it is still there when read.
                    if row is None:
                        y = cursor.y
                    else:
                        y = int(row) - 1 if row else 0
                        y = last if y > last else 0 if y < 0 else y
                    if before is not None:
                        known = sgr_results.get((cursor.attrs, before))
                        if known is None:
                            sgr_chain(before)
                        else:
                            cursor.attrs = known
                    attrs = cursor.attrs
                    if after in _RESETS:
                        cursor.attrs = default
                    elif after is not None:
                        known = sgr_results.get((attrs, after))
                        if known is None:
                            sgr_chain(after)
                        else:
                            cursor.attrs = known
                    blank = cursor.attrs
                    if blank == default:
                        painted[y] = ((attrs, run),)
                    else:
                        painted[y] = ((attrs, run), (blank, " " * (columns - len(run))))
                    cursor.x = len(run)
                    cursor.y = y
                    dirty.add(y)
                    screen._last_graphic = run[-1]
                    if line_end is None:
                        continue
                    if y + 1 < last and screen.margins is None:  # no scroll: CR LF just moves
                        cursor.x = 0
                        cursor.y = y + 1
                        continue
                else:
                    if row is not None:
                        cursor_position(int(row) if row else 0, int(column) if column else 0)
                    if painted:
                        self._settle_for_text(run)
                    if before is not None:
                        sgr_chain(before)
                    draw(run)
                    if after is not None:
                        sgr_chain(after)
                    if erase is not None:
                        erase_in_line()
                    if line_end is None:
                        continue
                carriage_return()  # the screen's scroll moves painted rows along
                linefeed()
                if cursor.y == last and self._can_stream():
                    return self._start_burst(match.end())
            elif kind == 8:
                carriage_return()
                linefeed()
                if cursor.y == last and self._can_stream():
                    return self._start_burst(match.end())
            elif kind == 11:
                call = csi.get(match.group())
                if call is None:
                    call = self._csi_call(match)
                handler, params, private = call
                final = match.group(11)
                if painted and final not in _CURSOR_ONLY:
                    if final in _ONE_ROW:
                        screen.settle_row(cursor.y)
                    elif final not in _MODES or not _HARMLESS_MODES.issuperset(params):
                        screen.settle()
                try:
                    if private:
                        handler(*params, private=True)
                    else:
                        handler(*params)
                except TypeError:
                    pass  # more parameters than the sequence takes: garbage, ignored
                if final in _MODES:  # the alternate screen has a cursor of its own
                    cursor = screen.cursor
                    columns, last = screen.columns, screen.lines - 1
                    default = screen.default_char
                    can_paint = screen.can_paint()
            elif kind == 14:
                char = match.group(14)
                if painted and char not in _CURSOR_ONLY_CONTROLS:
                    screen.settle()
                control_handler = controls.get(char)
                if control_handler is not None:
                    control_handler()
            elif kind == 12:
                # ESC 7, ESC M and the like; ESC ( B and other charset designations have
                # no handler: they mean nothing in UTF-8, and pyte skips them too.
                escape_handler = escapes.get(match.group(12))
                if escape_handler is not None:
                    screen.settle()
                    escape_handler()
                    cursor = screen.cursor  # RIS and DECRC put another one in place
                    default = screen.default_char
                    can_paint = screen.can_paint()
            else:
                screen.settle()
                self._in_sequence = True
                return match.start()
        return len(text)

    def _can_stream(self) -> bool:
        """The screen may stream rows from here (a burst needs every row as cells)."""
        self._screen.settle()
        return self._screen.can_stream()

    def _settle_for_text(self, run: str) -> None:
        """Settle what drawing `run` at the cursor may touch: its row, unless it may wrap
        or a combining mark at column 0 may join the row above."""
        screen = self._screen
        x = screen.cursor.x
        if x + 2 * len(run) <= screen.columns and (x or char_width(run[0]) != 0):
            screen.settle_row(screen.cursor.y)
        else:
            screen.settle()

    def _start_burst(self, pos: int) -> int:
        self._burst = RowCollector(self._screen.columns, self._screen.tabstops)
        self._burst_last = ""
        return pos

    def _csi_call(self, match: re.Match[str]) -> _CsiCall:
        """How to dispatch a CSI sequence; redraws repeat the same few, so each is kept."""
        handler = self._csi_handlers.get(match.group(11), _ignore)  # pyte's debug()
        call = (handler, csi_params(match.group(10)), bool(match.group(9)))
        if len(self._csi) > 4096:
            self._csi.clear()
        self._csi[match.group()] = call
        return call

    def _feed_rows(self, rows: RowCollector, text: str, pos: int) -> int:
        """Collect plain output into `rows`; where something else starts, or the end."""
        screen = self._screen
        cursor = screen.cursor
        default = screen.default_char
        sgr = screen.select_graphic_rendition
        for match in _ROW_TOKEN.finditer(text, pos):
            kind = match.lastindex
            if kind == 1:
                block = match.group(1)
                rows.lines(block, cursor.attrs)
                if last := block.rstrip("\r\n")[-1:]:
                    self._burst_last = last
            elif kind == 2:
                run = match.group(2)
                if not run.isascii():  # widths to work out: the screen's draw does that
                    break
                rows.text(run, cursor.attrs)
                self._burst_last = run
            elif kind == 3:
                rows.newline()
            elif kind == 6 and not match.group(4) and match.group(6) == "m":
                sgr(*csi_params(match.group(5)))
            elif (
                kind == 6
                and match.group(6) == "K"
                and match.group(5) in ("", "0")
                and not match.group(4)
                and cursor.attrs == default
            ):
                pass  # grep's colours erase to the end of the row: those cells are blank already
            elif kind == 7 and match.group(7) == "\t" and rows.tab(default):
                pass
            else:
                break
        else:
            return len(text)
        self.finish_burst()
        return match.start()

    def _feed_state_machine(self, text: str, pos: int) -> int:
        """Give pyte's parser characters until it is back at rest; the new position."""
        send = self._fsm._send_to_parser  # Stream.feed's own step, which says when it is at rest
        end = len(text)
        while pos < end:
            char = text[pos]
            pos += 1
            try:
                at_rest = send(char)
            except (TypeError, ValueError):
                # A handler given too many parameters, or int() of a non-ASCII digit:
                # pyte has reset its parser; the sequence is dropped.
                at_rest = True
            if at_rest:
                self._in_sequence = False
                break
        return pos
