"""Differential tests: the emulator's fast paths against pyte, cell by cell.

The emulator reads most output without pyte's parser (painted spans, rows kept packed
until read, bursts of plain lines). Two references check that nothing is lost:

1. pyte's own Screen and ByteStream, untouched, on output both read the same way: text
   (narrow and wide), CUP, SGR, EL/ED/ECH/DCH in default colours, tabs, line wrap, the
   bench's streams. Every cell's character and attributes and the cursor must match.
2. Our screen driven by pyte's parser one character at a time, which takes none of the
   fast paths, on anything a program may send: scroll regions, the alternate screen,
   insert/delete line and character, combining marks, erases in colour, DECSCNM. Here
   the history, modes, title and replies must match too.

Hypothesis draws sequences of text and escape sequences; the bench's streams and the
mixes of test_emulator_chunking add long recorded-like runs.
"""

from __future__ import annotations

import codecs
import contextlib

import pyte
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.terminal.streams import STREAMS
from tests.terminal.test_emulator_chunking import make_mix, state
from tests.terminal.test_redraw import top_frames
from tui.terminal.emulator import TerminalEmulator
from tui.terminal.parser import _Stream
from tui.terminal.screen import EmulatedScreen

COLUMNS, LINES = 20, 8

DIFFERENTIAL = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class _PyteParser:
    """pyte's state machine fed one character at a time: what the emulator's fast paths
    must be indistinguishable from. It stands in for the emulator's OutputParser."""

    def __init__(self, screen: EmulatedScreen) -> None:
        self._stream = _Stream(screen)
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def feed(self, data: bytes) -> None:
        for char in self._decoder.decode(data):
            # garbage parameters: pyte resets its parser, as the emulator does
            with contextlib.suppress(TypeError, ValueError):
                self._stream._send_to_parser(char)

    def finish_burst(self) -> None:
        """Nothing is ever held back here."""


def _reference(columns: int, lines: int, replies: list[bytes]) -> TerminalEmulator:
    emu = TerminalEmulator(columns, lines, scrollback=50, on_reply=replies.append)
    emu._parser = _PyteParser(emu._state)  # type: ignore[assignment]
    return emu


def _ours(data: bytes, columns: int, lines: int, pieces: list[int]) -> tuple[object, ...]:
    replies: list[bytes] = []
    emu = TerminalEmulator(columns, lines, scrollback=50, on_reply=replies.append)
    pos = 0
    for size in pieces:
        emu.feed(data[pos : pos + size])
        pos += size
    emu.feed(data[pos:])
    return state(emu, replies)


def _theirs(data: bytes, columns: int, lines: int) -> tuple[object, ...]:
    replies: list[bytes] = []
    emu = _reference(columns, lines, replies)
    emu.feed(data)
    return state(emu, replies)


def _colour_name(name: str) -> str:
    """pyte's name of an ANSI colour as rich's ("brightbrown" is "bright_yellow")."""
    bright = name.startswith("bright")
    name = name.removeprefix("bright").replace("brown", "yellow")
    return f"bright_{name}" if bright else name


def _pyte_cells(data: bytes, columns: int, lines: int) -> tuple[object, ...]:
    screen = pyte.Screen(columns, lines)
    pyte.ByteStream(screen).feed(data)
    cells = [
        [
            (cell.data, _colour_name(cell.fg), _colour_name(cell.bg), *cell[3:])
            for cell in (screen.buffer[y][x] for x in range(columns))
        ]
        for y in range(lines)
    ]
    return cells, (screen.cursor.x, screen.cursor.y)


def _emulator_cells(data: bytes, columns: int, lines: int) -> tuple[object, ...]:
    emu = TerminalEmulator(columns, lines)
    emu.feed(data)
    cells = [[(*emu.row(y)[x],) for x in range(columns)] for y in range(lines)]
    # pyte keeps a pending wrap as x == columns; the emulator reports the last column.
    x, y = emu.cursor
    return cells, (emu._state.cursor.x if x == columns - 1 else x, y)


# -- what programs send --------------------------------------------------------------

_NARROW = "abcXYZ 019 ~|-é─│┐"
_ANY_TEXT = _NARROW + "文字\uff57\u0301\u200d"  # wide, fullwidth, combining, zero-width

_SGR = st.sampled_from(
    [
        "\x1b[m",
        "\x1b[0m",
        "\x1b(B\x1b[m",
        "\x1b[1m",
        "\x1b[7m",
        "\x1b[4;31m",
        "\x1b[32;44m",
        "\x1b[1;93m",
        "\x1b[22;39m",
        "\x1b[27;49m",
    ]
)
_RESET = "\x1b(B\x1b[m"


def _text(alphabet: str) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=1, max_size=2 * COLUMNS)


def _cup(lines: int, columns: int) -> st.SearchStrategy[str]:
    return st.one_of(
        st.just("\x1b[H"),
        st.builds(lambda y, x: f"\x1b[{y};{x}H", st.integers(0, lines), st.integers(0, columns)),
        st.builds(lambda y: f"\x1b[{y}H", st.integers(1, lines)),
    )


def _painted(text: st.SearchStrategy[str], erase: str) -> st.SearchStrategy[str]:
    """A row as ncurses paints it; the fast path takes those from column 1 to an EL."""
    return st.builds(
        lambda y, x, before, run, after, line_end: (
            f"\x1b[{y};{x}H{before}{run}{after}{erase}{line_end}"
        ),
        st.integers(1, LINES),
        st.sampled_from([1, 1, 1, 2, 5]),
        st.sampled_from(["", _RESET, "\x1b[1;31m", "\x1b[7m"]),
        text,
        st.sampled_from(["", _RESET, "\x1b[m", "\x1b[32m"]),
        st.sampled_from(["", "\r\n"]),
    )


def _lines_of(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Plain lines, as `cat` sends them: after a line end at the bottom they stream."""
    return st.lists(st.text(_NARROW[:10], max_size=2 * COLUMNS + 3), max_size=12).map(
        lambda lines: "".join(f"{line}\r\n" for line in lines)
    )


_COMMON = st.one_of(
    _text(_NARROW),
    _cup(LINES, COLUMNS),
    _SGR,
    _painted(_text(_NARROW[:10]), f"{_RESET}\x1b[K"),
    _lines_of(_text(_NARROW)),
    st.sampled_from(["\r\n", "\r", "\n", "\t", "\b", "\x1b[2C", "\x1b[3D", "\x1b[A", "\x1b[2B"]),
    # erases in default colours, where pyte and xterm agree (see cells.py)
    st.sampled_from(["K", "0K", "1K", "2K", "J", "0J", "1J", "2J", "3X", "2P"]).map(
        lambda erase: f"{_RESET}\x1b[{erase}"
    ),
)
"""Output pyte's Screen reads as the emulator does (cells.py lists where they part)."""

_ANYTHING = st.one_of(
    _COMMON,
    _text(_ANY_TEXT),
    _painted(_text(_ANY_TEXT), "\x1b[K"),
    st.sampled_from(
        [
            "\x1b[K",
            "\x1b[1K",
            "\x1b[J",
            "\x1b[2J",
            "\x1b[3J",
            "\x1b[2X",
            "\x1b[L",
            "\x1b[2M",
            "\x1b[3@",
            "\x1b[P",
            "\x1b[2S",
            "\x1b[T",
            "\x1b[3b",
            "\x1bM",
            "\x1bD",
            "\x1bE",
            "\x1b7",
            "\x1b8",
            "\x1bc",
            "\x1b[r",
            "\x1b[2;6r",
            "\x1b[3;8r",
            "\x1b[?1049h",
            "\x1b[?1049l",
            "\x1b[?47h",
            "\x1b[?47l",
            "\x1b[4h",
            "\x1b[4l",
            "\x1b[?7l",
            "\x1b[?7h",
            "\x1b[?5h",
            "\x1b[?5l",
            "\x1b[?6h",
            "\x1b[?6l",
            "\x1b[?25l",
            "\x1b[?25h",
            "\x1b[6n",
            "\x1b[5;2d",
            "\x1b]0;title\x07",
            "\x1b[48;5;208m",
            "\x1b[38;2;1;2;3m",
        ]
    ),
)
"""Anything a program may send (but SO/SI and DEC graphics, which UTF-8 output skips)."""


@DIFFERENTIAL
@given(st.lists(_COMMON, max_size=40))
def test_cells_match_pyte_screen(tokens: list[str]) -> None:
    data = "".join(tokens).encode()
    assert _emulator_cells(data, COLUMNS, LINES) == _pyte_cells(data, COLUMNS, LINES)


@DIFFERENTIAL
@given(st.lists(_ANYTHING, max_size=40), st.lists(st.integers(1, 40), max_size=6))
def test_fast_paths_match_pyte_parser(tokens: list[str], pieces: list[int]) -> None:
    data = "".join(tokens).encode()
    assert _ours(data, COLUMNS, LINES, pieces) == _theirs(data, COLUMNS, LINES)


@pytest.mark.parametrize("name", sorted(STREAMS))
def test_bench_streams_match_pyte_screen(name: str) -> None:
    """The bench's streams (pyte is slow: 200 KiB of each), on the bench's 80x24."""
    data = STREAMS[name](0.2)
    assert _emulator_cells(data, 80, 24) == _pyte_cells(data, 80, 24)


@pytest.mark.parametrize("name", sorted(STREAMS))
def test_bench_streams_match_pyte_parser(name: str) -> None:
    data = STREAMS[name](0.2)
    chunks = [65536] * (len(data) // 65536)
    assert _ours(data, 80, 24, chunks) == _theirs(data, 80, 24)


@pytest.mark.parametrize("seed", range(0, 600, 3))
def test_mixes_and_redraws_match_pyte_parser(seed: int) -> None:
    data = make_mix(seed) + top_frames(seed, 2)
    assert _ours(data, 23, 7, []) == _theirs(data, 23, 7)
