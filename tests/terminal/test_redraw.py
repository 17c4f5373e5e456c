"""Full-screen redraws: the painted-span path against pyte, and rows rendered by runs."""

from __future__ import annotations

import random

import pyte
import pytest
from rich.style import Style
from textual.strip import Strip

from tests.terminal.test_emulator_chunking import make_mix
from tui.terminal.emulator import TerminalEmulator, cell_style
from tui.terminal.rendering import RowRenderer

COLUMNS, LINES = 80, 24
BASE = Style(color="white", bgcolor="black")


def top_frames(seed: int, frames: int) -> bytes:
    """What top and vi send under TERM=xterm-256color: CUP, SGR chains, text, sgr0, EL, CR LF."""
    rng = random.Random(seed)
    out = ["\x1b[H\x1b[2J"]
    for frame in range(frames):
        if frame % 3:
            out.append(
                f"\x1b[H\x1b(B\x1b[mtop - {frame:05d} up 3 days\x1b(B\x1b[m\x1b[39;49m\x1b[K\r\n"
            )
            out.append(
                "Tasks:\x1b(B\x1b[m\x1b[39;49m\x1b[1m 188 \x1b(B\x1b[m\x1b[39;49mtotal\x1b[K\r\n"
            )
            out.append("\x1b[7m  PID USER      %CPU COMMAND\x1b(B\x1b[m\x1b[39;49m\x1b[K\r\n")
            for row in range(4, LINES - rng.randint(0, 6)):
                colour = rng.choice(["\x1b[1m", "", "\x1b[38;5;208m", "\x1b[48;2;10;20;30m"])
                out.append(
                    f"\x1b[{row};{rng.randint(1, 3)}H\x1b(B\x1b[m{colour}{rng.randint(1, 99999):5d}"
                    f" root {rng.random() * 100:4.1f} \u2502 python3\x1b(B\x1b[m\x1b[39;49m\x1b[K"
                )
            out.append("\x1b[J")
        else:  # vi: scroll the text region and fill the new bottom line
            out.append(f"\x1b[1;{LINES - 1}r")
            for _ in range(rng.randint(1, 4)):
                out.append(f"\x1b[{LINES - 1};1H\n\x1b[34m~\x1b(B\x1b[m {rng.random():.9f}\x1b[K")
            out.append(f"\x1b[r\x1b[{LINES};1H\x1b[7m-- INSERT --\x1b(B\x1b[m\x1b[K\x1b[5;10H")
    return "".join(out).encode()


@pytest.mark.parametrize("seed", range(6))
def test_full_screen_redraw_matches_pyte(seed: int) -> None:
    """Every cell, with its colours and attributes, as pyte (the reference) leaves it."""
    data = top_frames(seed, 30)
    emu = TerminalEmulator(COLUMNS, LINES)
    emu.feed(data)
    reference = pyte.Screen(COLUMNS, LINES)
    pyte.ByteStream(reference).feed(data)
    # pyte names 256 and truecolours differently ("ff8700" for 208): compare our names' meaning.
    names = {"ff8700": "color(208)", "0a141e": "#0a141e"}
    for y in range(LINES):
        ours = [tuple(emu.row(y)[x]) for x in range(COLUMNS)]
        theirs = [
            tuple(names.get(field, field) if isinstance(field, str) else field for field in cell)
            for cell in (reference.buffer[y][x] for x in range(COLUMNS))
        ]
        assert ours == theirs, f"row {y}"
    assert emu.cursor == (reference.cursor.x, reference.cursor.y)


def cells_of(strip: Strip) -> list[tuple[str, Style | None]]:
    return [(char, segment.style) for segment in strip for char in segment.text]


@pytest.mark.parametrize("seed", range(0, 400, 40))
def test_rows_render_by_runs_as_cell_by_cell(seed: int) -> None:
    """A row without cursor or selection renders by runs; the cells must be those of the
    cell-by-cell rendering, which an empty selection at the right edge forces."""
    emu = TerminalEmulator(23, 7)
    emu.feed(make_mix(seed) + top_frames(seed, 2))
    renderer = RowRenderer(BASE)
    for y in range(emu.lines):
        line = emu.row(y)
        for width in (23, 30, 12):
            by_runs = renderer.render(line, emu.columns, width)
            by_cells = renderer.render(line, emu.columns, width, selected=(99, 99))
            assert cells_of(by_runs) == cells_of(by_cells), (seed, y, width)
            assert by_runs.cell_length == width


def test_rendered_styles_are_the_cells_attributes() -> None:
    emu = TerminalEmulator(COLUMNS, LINES)
    emu.feed(top_frames(1, 4))
    renderer = RowRenderer(BASE)
    line = emu.row(5)
    rendered = cells_of(renderer.render(line, COLUMNS, COLUMNS))
    assert [char for char, _ in rendered] == [line[x].data for x in range(COLUMNS)]
    assert [style for _, style in rendered] == [BASE + cell_style(line[x]) for x in range(COLUMNS)]


@pytest.mark.parametrize("seed", range(0, 400, 40))
def test_packed_rows_render_as_their_cells(seed: int) -> None:
    """Rows still packed (painted spans, streamed lines, history) render from their runs;
    the strip must be the one their cells give."""
    ending = b"\x1b[?1049l\x1bc" + b"a\r\nbb\r\n" * 9 + b"\x1b[2;1H\x1b[44mtop\x1b[7m\x1b[K"
    packed = 0
    for offset in (0, 3, 40):
        emu = TerminalEmulator(23, 7, scrollback=40)
        emu.feed(make_mix(seed) + top_frames(seed, 2) + ending)
        renderer = RowRenderer(BASE)
        for y in range(emu.lines):
            packed += emu.packed_row(y, offset) is not None
            from_view = [renderer.render_view(emu, y, width, offset) for width in (23, 30, 12)]
            line = emu.row(y, offset)
            for width, strip in zip((23, 30, 12), from_view, strict=True):
                from_cells = renderer.render(line, emu.columns, width)
                assert cells_of(strip) == cells_of(from_cells), (seed, offset, y, width)
                assert strip.cell_length == width
    assert packed
