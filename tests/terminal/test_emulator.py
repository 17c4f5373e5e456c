"""Unit tests of TerminalEmulator: colours, cursor, alternate screen, scrollback, UTF-8, replies."""

from __future__ import annotations

import pytest
from rich.color import Color
from rich.style import Style

from tui.terminal.emulator import TerminalEmulator, cell_style


def emulator(data: bytes = b"", columns: int = 20, lines: int = 5) -> TerminalEmulator:
    emu = TerminalEmulator(columns, lines)
    emu.feed(data)
    return emu


def style_at(emu: TerminalEmulator, x: int, y: int) -> Style:
    return cell_style(emu.row(y)[x])


def rows(emu: TerminalEmulator) -> list[str]:
    return [row.rstrip() for row in emu.display]


@pytest.mark.parametrize(
    ("sgr", "colour"),
    [
        ("31", Color.parse("red")),
        ("93", Color.parse("bright_yellow")),
        ("38;5;208", Color.parse("color(208)")),
        ("38;5;3", Color.parse("color(3)")),
        ("38;2;255;135;0", Color.parse("#ff8700")),
    ],
)
def test_foreground_colours_map_to_rich(sgr: str, colour: Color) -> None:
    emu = emulator(f"\x1b[{sgr}mX\x1b[0mY".encode())
    assert style_at(emu, 0, 0).color == colour
    assert style_at(emu, 1, 0).color is None  # reset: the widget's own colour shows


def test_background_and_attributes() -> None:
    emu = emulator(b"\x1b[1;3;4;7;9;44;38;5;196mA\x1b[22;23;24;27;29;49mB")
    first = style_at(emu, 0, 0)
    assert first.bgcolor == Color.parse("blue")
    assert first.color == Color.parse("color(196)")
    assert (first.bold, first.italic, first.underline, first.reverse, first.strike) == (
        True,
        True,
        True,
        True,
        True,
    )
    second = style_at(emu, 1, 0)
    assert second.bgcolor is None
    assert not (second.bold or second.italic or second.underline or second.reverse)
    assert second.color == Color.parse("color(196)")  # only reset attributes changed


def test_truecolor_background_and_bright_background() -> None:
    emu = emulator(b"\x1b[48;2;1;2;3mA\x1b[105mB")
    assert style_at(emu, 0, 0).bgcolor == Color.parse("#010203")
    assert style_at(emu, 1, 0).bgcolor == Color.parse("bright_magenta")


def test_cursor_moves() -> None:
    emu = emulator(b"\x1b[3;5H")
    assert emu.cursor == (4, 2)
    emu.feed(b"\x1b[2A\x1b[3C")
    assert emu.cursor == (7, 0)
    emu.feed(b"\x1b[10B\x1b[100D")
    assert emu.cursor == (0, 4)  # clamped to the screen
    emu.feed(b"\x1b[100C")
    assert emu.cursor == (19, 4)
    emu.feed(b"\x1b[100D")
    emu.feed(b"ab\rc")
    assert rows(emu)[4] == "cb"
    assert emu.cursor == (1, 4)


def test_cursor_visibility_follows_dectcem() -> None:
    emu = emulator()
    assert emu.cursor_visible
    emu.feed(b"\x1b[?25l")
    assert not emu.cursor_visible
    emu.feed(b"\x1b[?25h")
    assert emu.cursor_visible


def test_alternate_screen_restores_main_screen_and_cursor() -> None:
    emu = emulator(b"shell line\r\n$ vi")
    before, cursor = rows(emu), emu.cursor
    emu.feed(b"\x1b[?1049h\x1b[H\x1b[2Jfull screen\r\n~\r\n~")
    assert emu.in_alt_screen
    assert rows(emu)[:3] == ["full screen", "~", "~"]
    emu.feed(b"\x1b[?1049l")
    assert not emu.in_alt_screen
    assert rows(emu) == before
    assert emu.cursor == cursor


@pytest.mark.parametrize("mode", [47, 1047])
def test_older_alternate_screen_modes(mode: int) -> None:
    emu = emulator(b"main")
    emu.feed(f"\x1b[?{mode}halt\x1b[?{mode}l".encode())
    assert rows(emu)[0] == "main"


def test_alternate_screen_does_not_feed_scrollback() -> None:
    emu = emulator(b"\x1b[?1049h" + b"x\r\n" * 50 + b"\x1b[?1049l")
    assert emu.history_size == 0


def test_resize_while_in_alternate_screen() -> None:
    emu = emulator(b"one\r\ntwo\r\nthree", columns=20, lines=5)
    emu.feed(b"\x1b[?1049h")
    emu.resize(3, 10)
    emu.feed(b"\x1b[?1049l")
    assert (emu.lines, emu.columns) == (3, 10)
    assert rows(emu) == ["one", "two", "three"]
    assert emu.cursor[1] < 3


def test_scrollback_keeps_lines_scrolled_off_the_top() -> None:
    emu = emulator(b"".join(f"line {n}\r\n".encode() for n in range(1, 11)))
    # Five rows: lines 7-10 and the empty row the cursor sits on.
    assert rows(emu) == ["line 7", "line 8", "line 9", "line 10", ""]
    assert emu.history_size == 6
    assert emu.row_text(0, scroll_offset=6).rstrip() == "line 1"
    assert emu.text(scroll_offset=2).splitlines()[0] == "line 5"
    assert emu.history_text().splitlines()[:2] == ["line 1", "line 2"]


def test_scrollback_is_bounded_and_cleared_by_csi_3j() -> None:
    emu = TerminalEmulator(10, 3, scrollback=4)
    emu.feed(b"x\r\n" * 20)
    assert emu.history_size == 4
    emu.feed(b"\x1b[3J")
    assert emu.history_size == 0


def test_shrinking_keeps_the_cursor_row_and_saves_the_rest() -> None:
    emu = emulator(b"a\r\nb\r\nc\r\nd\r\n$ ", lines=5)
    emu.resize(2, 20)
    assert rows(emu) == ["d", "$"]
    assert emu.cursor == (2, 1)
    assert emu.history_size == 3


def test_utf8_split_across_chunks() -> None:
    data = "grüße 文字 ✓".encode()
    emu = emulator()
    for index in range(len(data)):
        emu.feed(data[index : index + 1])
    assert rows(emu)[0] == "grüße 文字 ✓"
    # Wide characters take two cells: the check mark sits in column 11.
    assert emu.row(0)[11].data == "✓"


def test_escape_sequence_split_across_chunks() -> None:
    emu = emulator()
    for piece in (b"\x1b", b"[3", b"1", b"mR"):
        emu.feed(piece)
    assert rows(emu)[0] == "R"
    assert style_at(emu, 0, 0).color == Color.parse("red")


def test_clear_screen() -> None:
    emu = emulator(b"one\r\ntwo\x1b[H\x1b[2J")
    assert rows(emu) == [""] * 5
    assert emu.cursor == (0, 0)


def test_fast_ascii_path_wraps_like_pyte() -> None:
    emu = emulator(b"0123456789" * 3, columns=12, lines=4)
    assert rows(emu)[:3] == ["012345678901", "234567890123", "456789"]
    emu.feed(b"\x1b[?7l" + b"abcdefghijklmnop")  # autowrap off: the last column is overwritten
    assert rows(emu)[2] == "456789abcdep"


def test_device_status_and_attribute_replies() -> None:
    replies: list[bytes] = []
    emu = TerminalEmulator(20, 5, on_reply=replies.append)
    emu.feed(b"ab\x1b[6n\x1b[5n\x1b[c")
    assert replies == [b"\x1b[1;3R", b"\x1b[0n", b"\x1b[?6c"]


def test_private_modes_for_keys_and_paste() -> None:
    emu = emulator(b"\x1b[?1h\x1b[?2004h")
    assert emu.app_cursor_keys and emu.bracketed_paste
    emu.feed(b"\x1b[?1l\x1b[?2004l")
    assert not (emu.app_cursor_keys or emu.bracketed_paste)


def test_title_and_dirty_rows() -> None:
    emu = emulator(b"\x1b]2;my shell\x07")
    assert emu.title == "my shell"
    emu.take_dirty()
    emu.feed(b"\x1b[3;1Hx")
    assert emu.take_dirty() == {2}
    assert emu.take_dirty() == set()


def test_repeat_and_scroll_sequences_from_terminfo() -> None:
    emu = emulator(b"a\x1b[4b\r\n1\r\n2\r\n3", columns=10, lines=4)
    assert rows(emu) == ["aaaaa", "1", "2", "3"]
    emu.feed(b"\x1b[2S")  # scroll up two: the cursor stays where it was
    assert rows(emu) == ["2", "3", "", ""]
    assert emu.cursor == (1, 3)
    emu.feed(b"\x1b[T")
    assert rows(emu) == ["", "2", "3", ""]
