"""Property: any split of the same output into reads leaves the emulator in the same state.

The emulator takes different paths for the same bytes depending on where reads end
(whole text runs, streamed rows after a line end at the bottom, pyte's state machine
for a sequence cut in two). Random mixes of text and escape sequences, seeded so every
run tests the same cases, are fed whole, byte by byte, and in random pieces.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from tui.terminal.emulator import TerminalEmulator
from tui.terminal.rows import RowCollector
from tui.terminal.screen import EmulatedScreen

COLUMNS, LINES = 23, 7
MIXES = 2400
BATCHES = 12

_TEXT = [
    "ls",
    "container",
    "a" * 22,
    "b" * 51,
    "x\ty",
    "\t",
    "文字",
    "\uff57\uff49\uff44\uff45",  # fullwidth "wide"
    "cafe\u0301",
    "ü",
    "─┼─",
    "a\u200db",
    "\x01",
]


_OSC_ENDS = ["\x07", "\x1b\\"]


def _sgr(rng: random.Random) -> str:
    params = [
        str(rng.choice([0, 1, 4, 7, 22, 31, 32, 39, 44, 49, 92])) for _ in range(rng.randint(0, 3))
    ]
    if rng.random() < 0.2:
        params.append(rng.choice(["38;5;208", "48;2;1;2;3"]))
    return "\x1b[" + ";".join(params) + "m"


def _painted_span(rng: random.Random) -> str:
    """What ncurses sends per row: [CUP] [SGR...] text [sgr0] [EL] [CR LF], parsed as one token."""
    move = rng.choice(["", "\x1b[H", f"\x1b[{rng.randint(1, LINES + 1)};{rng.randint(1, 30)}H"])
    before = rng.choice(["", "\x1b(B\x1b[m\x1b[1m", _sgr(rng), "\x1b[7m\x1b[39;49m"])
    after = rng.choice(["", "\x1b(B\x1b[m", "\x1b(B\x1b[m\x1b[39;49m", _sgr(rng)])
    text = rng.choice([*_TEXT[:4], "  PID USER  %CPU", "\u250c\u2500\u2510", "文字 x"])
    return (
        move
        + before
        + text
        + after
        + rng.choice(["", "\x1b[K", "\x1b[0K"])
        + rng.choice(["", "\r\n"])
    )


_PIECES: list[tuple[float, Callable[[random.Random], str]]] = [
    (30, lambda rng: rng.choice(_TEXT)),
    (16, lambda rng: f"line {rng.randint(0, 999)}\r\n"),
    (10, lambda rng: "\r\n"),
    (3, lambda rng: rng.choice(["\n", "\r", "\b", "\x07", "\x00", "\x7f", "\x0e", "\x0f"])),
    (10, _sgr),
    (4, lambda rng: f"\x1b[{rng.randint(1, LINES + 1)};{rng.randint(1, COLUMNS + 2)}H"),
    (3, lambda rng: f"\x1b[{rng.choice(['', '0', '2'])}{rng.choice('ABCDGd')}"),
    (4, lambda rng: "\x1b[" + rng.choice(["", "0", "1", "2", "3"]) + rng.choice("KJ")),
    (3, lambda rng: f"\x1b[{rng.randint(1, 4)}{rng.choice('@PXLMSTb')}"),
    (6, _painted_span),
    (1, lambda rng: f"\x1b[{rng.randint(1, 3)};{rng.randint(4, LINES)}r"),
    (1, lambda rng: "\x1b[r"),
    (1, lambda rng: rng.choice(["\x1b[4h", "\x1b[4l", "\x1b[?7l", "\x1b[?7h", "\x1b[20h"])),
    (0.7, lambda rng: rng.choice(["\x1b[?1049h", "\x1b[?1049l", "\x1b[?47h", "\x1b[?47l"])),
    (0.5, lambda rng: rng.choice(["\x1b[?5h", "\x1b[?5l", "\x1b[?6h", "\x1b[?6l"])),
    (1, lambda rng: f"\x1b]{rng.choice('02')};title {rng.randint(0, 9)}" + rng.choice(_OSC_ENDS)),
    (
        1,
        lambda rng: rng.choice(
            [
                "\x1b7",
                "\x1b8",
                "\x1bM",
                "\x1bD",
                "\x1bE",
                "\x1bH",
                "\x1b(0",
                "\x1b(B\x1b[m",
                "\x1b#8",
                "\x1b=",
                "\x1bc",
            ]
        ),
    ),
    (
        1,
        lambda rng: rng.choice(
            ["\x1b[6n", "\x1b[5n", "\x1b[c", "\x1b[>c", "\x1b[?25l", "\x1b[?25h"]
        ),
    ),
    (1, lambda rng: rng.choice(["\x1b[3g", "\x1b[g", "\x1b[?1h", "\x1b[?2004h"])),
    # Garbage a program can send: cut-off and odd sequences, too many parameters.
    (
        1,
        lambda rng: rng.choice(
            ["\x1b[", "\x1b", "\x1b[1;", "\x1b[1;2;3A", "\x1b[=5c", "\x9b2J", "\x1b[1:2m"]
        ),
    ),
]
_WEIGHTS = [weight for weight, _ in _PIECES]
# Half the mixes look like a command's output (text, line ends, colours, erases to the
# end of the row, tabs): long stretches of it take the streamed-rows path.
_OUTPUT_WEIGHTS = [
    weight * (20 if index < 5 or index == 7 else 1) for index, weight in enumerate(_WEIGHTS)
]


def make_mix(seed: int) -> bytes:
    rng = random.Random(seed)
    weights = _OUTPUT_WEIGHTS if seed % 2 else _WEIGHTS
    makers = rng.choices([make for _, make in _PIECES], weights, k=rng.randint(20, 160))
    return "".join(make(rng) for make in makers).encode()


def state(emu: TerminalEmulator, replies: list[bytes]) -> tuple[object, ...]:
    """Everything a viewer can see: cells of the screen and of the history, modes, replies."""
    screen = [[tuple(emu.row(y)[x]) for x in range(emu.columns)] for y in range(emu.lines)]
    scrolled = [
        [tuple(emu.row(0, offset)[x]) for x in range(emu.columns)]
        for offset in range(1, emu.history_size + 1)
    ]
    flags = (emu.cursor_visible, emu.in_alt_screen, emu.app_cursor_keys, emu.bracketed_paste)
    return (screen, scrolled, emu.cursor, flags, emu.title, emu.scrolled_total, b"".join(replies))


def feed_in_pieces(data: bytes, size: int | random.Random) -> tuple[object, ...]:
    """Feed reads of `size` bytes, or of 1 to 24 bytes drawn from a seeded generator."""
    replies: list[bytes] = []
    emu = TerminalEmulator(COLUMNS, LINES, scrollback=40, on_reply=replies.append)
    pos = 0
    while pos < len(data):
        step = size if isinstance(size, int) else size.randint(1, 24)
        emu.feed(data[pos : pos + step])
        pos += step
    return state(emu, replies)


@pytest.mark.parametrize("batch", range(BATCHES))
def test_any_split_gives_the_same_screen(batch: int) -> None:
    per_batch = MIXES // BATCHES
    for seed in range(batch * per_batch, (batch + 1) * per_batch):
        data = make_mix(seed)
        whole = feed_in_pieces(data, len(data))
        assert feed_in_pieces(data, 1) == whole, f"byte by byte, seed {seed}"
        assert feed_in_pieces(data, random.Random(seed)) == whole, f"random pieces, seed {seed}"


def test_mixes_reach_the_paths_they_are_meant_to(monkeypatch: pytest.MonkeyPatch) -> None:
    """The property is only worth something if the mixes stream rows and use pyte's parser."""
    scrolled_bursts: list[int] = []
    stream_rows = EmulatedScreen.stream_rows

    def counting(self: EmulatedScreen, rows: RowCollector, last_graphic: str) -> None:
        scrolled_bursts.append(len(rows.rows))
        stream_rows(self, rows, last_graphic)

    monkeypatch.setattr(EmulatedScreen, "stream_rows", counting)
    streamed = titled = alternate = 0
    for seed in range(200):
        emu = TerminalEmulator(COLUMNS, LINES, scrollback=40)
        before = len(scrolled_bursts)
        emu.feed(make_mix(seed))
        titled += emu.title != ""  # reading the emulator puts a pending burst on screen
        alternate += emu.in_alt_screen
        streamed += any(scrolled_bursts[before:])
    assert streamed > 100 and titled > 50 and alternate > 10
