"""The emulator's fast paths: text runs, split reads, wide and combining characters, modes."""

from __future__ import annotations

import random

import pyte
import pytest

from tui.terminal.emulator import TerminalEmulator


def emulator(data: bytes = b"", columns: int = 20, lines: int = 5) -> TerminalEmulator:
    emu = TerminalEmulator(columns, lines, scrollback=100)
    emu.feed(data)
    return emu


def rows(emu: TerminalEmulator) -> list[str]:
    return [row.rstrip() for row in emu.display]


def history(emu: TerminalEmulator) -> list[str]:
    return emu.history_text().splitlines()[: emu.history_size]


# -- input split across reads ----------------------------------------------------------


def test_run_split_inside_a_utf8_sequence() -> None:
    data = "abc文def".encode()
    emu = emulator(data[:4])  # "abc" and the first byte of the three that make 文
    assert rows(emu)[0] == "abc"
    emu.feed(data[4:5])
    emu.feed(data[5:])
    assert rows(emu)[0] == "abc文def"
    assert [emu.row(0)[x].data for x in range(3, 6)] == ["文", "", "d"]


@pytest.mark.parametrize("cut", range(1, 8))
def test_run_split_inside_an_escape_sequence(cut: int) -> None:
    data = b"ab\x1b[1;31mcd\x1b[0mef"
    emu = emulator(data[: 2 + cut])
    emu.feed(data[2 + cut :])
    assert rows(emu)[0] == "abcdef"
    assert [emu.row(0)[x].fg for x in range(6)] == ["default"] * 2 + ["red"] * 2 + ["default"] * 2
    assert emu.row(0)[2].bold and not emu.row(0)[4].bold


def test_title_split_across_reads_does_not_swallow_text() -> None:
    emu = emulator(b"\x1b]2;my ti")
    emu.feed(b"tle\x07after\r\n")
    assert emu.title == "my title"
    assert rows(emu)[0] == "after"


def test_cr_and_lf_in_separate_reads_at_the_bottom() -> None:
    emu = emulator(b"1\r\n2\r\n3", lines=3)
    emu.feed(b"\r")
    emu.feed(b"\n4")
    assert rows(emu) == ["2", "3", "4"]
    assert history(emu) == ["1"]


# -- characters in a run -----------------------------------------------------------------


def test_wide_and_combining_characters_in_a_run() -> None:
    emu = emulator("a文b cafe\u0301!".encode())
    assert rows(emu)[0] == "a文b café!"
    assert [emu.row(0)[x].data for x in range(4)] == ["a", "文", "", "b"]
    assert emu.row(0)[8].data == "é"  # composed into one cell (NFC), as pyte does
    assert emu.cursor == (10, 0)


def test_wide_character_at_the_margin_wraps_whole() -> None:
    emu = emulator("abcd文".encode(), columns=5)
    assert rows(emu)[:2] == ["abcd", "文"]
    assert emu.cursor == (2, 1)


def test_combining_mark_after_the_last_column_does_not_wrap() -> None:
    emu = emulator("abcde\u0301\r\nx".encode(), columns=5)
    assert rows(emu)[:2] == ["abcdé", "x"]


def test_unprintable_and_zero_width_characters_do_not_cut_the_run() -> None:
    emu = emulator("a\x01b\u200bc\x9ad".encode())
    assert rows(emu)[0] == "abcd"


def test_tabs_in_a_run_and_in_streamed_rows() -> None:
    emu = emulator(b"a\tb\tc", columns=20)
    assert rows(emu)[0] == "a       b       c"
    # At the bottom, after a line end, rows are streamed: tabs must land the same.
    emu = emulator(b"".join(b"%d\tx\ty\r\n" % n for n in range(8)), columns=20, lines=3)
    assert rows(emu) == ["6       x       y", "7       x       y", ""]
    assert history(emu)[0] == "0       x       y"


def test_custom_tab_stop_and_tab_at_the_margin() -> None:
    emu = emulator(b"\x1b[3G\x1bH\r\n" + b"\tT\r\n" * 6 + b"0123456789\t!", columns=10, lines=3)
    assert rows(emu)[:2] == ["  T", "  T"]
    assert rows(emu)[2] == "012345678!"  # a tab at the last column stays there


# -- modes -------------------------------------------------------------------------------


def test_run_wraps_at_the_margin_with_autowrap() -> None:
    emu = emulator(b"0123456789abc", columns=10)
    assert rows(emu)[:2] == ["0123456789", "abc"]
    emu = emulator(b"0123456789\r\nx", columns=10)  # exactly full: no blank row
    assert rows(emu)[:2] == ["0123456789", "x"]


def test_run_without_autowrap_overwrites_the_last_column() -> None:
    emu = emulator(b"\x1b[?7l0123456789abc\x1b[?7h", columns=10)
    assert rows(emu)[:2] == ["012345678c", ""]


def test_insert_mode_pushes_the_row_right() -> None:
    emu = emulator(b"abcdefgh\r\x1b[4hXY\x1b[4l", columns=8)
    assert rows(emu)[0] == "XYabcdef"
    emu.feed(b"\r\x1b[4h\xe6\x96\x87\x1b[4l")  # a wide character inserts two cells
    assert rows(emu)[0] == "文XYabcd"
    emu.feed(b"\rZ")  # replace mode again
    assert rows(emu)[0] == "Z XYabcd"


def test_delete_lines_below_rows_never_drawn() -> None:
    # pyte leaves a row in place when the row meant to replace it was never drawn.
    emu = emulator(b"a\r\nb\r\nc\x1b[2;1H\x1b[2M")
    assert rows(emu) == ["a", "", "", "", ""]


def test_erase_fills_the_row_with_the_background() -> None:
    emu = emulator(b"x\x1b[44m\x1b[2J\x1b[3;5H\x1b[41m\x1b[K")
    assert emu.row(4)[10].bg == "blue"  # a cell never written before the erase
    assert [emu.row(2)[x].bg for x in (3, 4, 19)] == ["blue", "red", "red"]


# -- rows that scroll ---------------------------------------------------------------------


def test_run_at_the_bottom_scrolls() -> None:
    emu = emulator(b"1\r\n2\r\n3\r\n4\r\n5", lines=3)
    assert rows(emu) == ["3", "4", "5"]
    assert history(emu) == ["1", "2"]
    emu = emulator(b"abcdefghijkl", columns=5, lines=2)
    assert rows(emu) == ["fghij", "kl"]
    assert history(emu) == ["abcde"]


def test_streamed_rows_keep_their_colours_in_history_and_on_screen() -> None:
    data = b"".join(b"\x1b[31m%03d\x1b[0m plain\x1b[K\r\n" % n for n in range(50))
    emu = emulator(data, lines=4)
    assert emu.history_size == 47
    assert emu.scrolled_total == 47
    first = emu.row(0, scroll_offset=47)
    assert emu.row_text(0, scroll_offset=47).rstrip() == "000 plain"
    assert (first[0].fg, first[2].fg, first[3].fg, first[4].fg) == (
        "red",
        "red",
        "default",
        "default",
    )
    assert rows(emu) == ["047 plain", "048 plain", "049 plain", ""]
    assert emu.row(2)[1].fg == "red"


def test_scrolling_inside_a_region_keeps_history_out() -> None:
    emu = emulator(b"top\x1b[2;4r\x1b[4;1H" + b"x\r\n" * 10 + b"\x1b[r", lines=5)
    assert emu.history_size == 0
    assert rows(emu)[0] == "top"


def test_line_feeds_outside_the_scroll_region_do_not_scroll_it() -> None:
    emu = emulator(b"\x1b[2;3r\x1b[4;1Hstatus\n\n\x1b[1;1HT\x1bM\x1bM", lines=5)
    assert emu.cursor == (1, 0)  # reverse index above the region stays above it
    emu.feed(b"\x1b[5;1H\n")
    assert emu.cursor == (0, 4)  # a line feed below it stays below it
    assert rows(emu) == ["T", "", "", "status", ""]


def test_streaming_in_the_alternate_screen_keeps_history_out() -> None:
    emu = emulator(b"\x1b[?1049h\x1b[5;1H" + b"line\r\n" * 20, lines=5)
    assert emu.history_size == 0
    emu.feed(b"\x1b[?1049l")
    assert rows(emu) == [""] * 5


def test_scrollback_limit_holds_for_streamed_rows() -> None:
    emu = TerminalEmulator(20, 4, scrollback=10)
    emu.feed(b"".join(b"%d\r\n" % n for n in range(1000)))
    assert emu.history_size == 10
    assert history(emu) == [str(n) for n in range(987, 997)]
    assert emu.scrolled_total == 997


def test_output_collected_over_several_reads_shows_when_read() -> None:
    emu = emulator(b"1\r\n2\r\n3\r\n", lines=3)  # at the bottom: plain output is collected
    emu.take_dirty()
    emu.feed(b"4\r\n5")
    emu.feed(b"6\r\n7")
    assert rows(emu) == ["4", "56", "7"]
    assert emu.cursor == (1, 2)
    assert emu.take_dirty() == {0, 1, 2}
    assert history(emu) == ["1", "2", "3"]


def test_a_query_after_collected_output_sees_the_cursor_where_the_output_left_it() -> None:
    replies: list[bytes] = []
    emu = TerminalEmulator(20, 3, on_reply=replies.append)
    emu.feed(b"1\r\n2\r\n3\r\nabc")
    emu.feed(b"\x1b[6n")
    assert replies == [b"\x1b[3;4R"]


def test_plain_lines_match_pyte() -> None:
    """For text, colours and line ends the screen must read exactly as pyte's does."""
    rng = random.Random(7)
    parts = []
    for _ in range(400):
        colour = rng.choice([b"", b"\x1b[32m", b"\x1b[1;44m", b"\x1b[0m"])
        parts.append(colour + b"w" * rng.randint(0, 45) + rng.choice([b"\r\n", b"", b" "]))
    data = b"".join(parts)
    emu = emulator(data, columns=17, lines=6)
    reference = pyte.Screen(17, 6)
    pyte.ByteStream(reference).feed(data)
    for y in range(6):
        ours = [tuple(emu.row(y)[x]) for x in range(17)]
        theirs = [tuple(reference.buffer[y][x]) for x in range(17)]
        assert ours == theirs, y
    assert emu.cursor == (min(reference.cursor.x, 16), reference.cursor.y)
