"""An SVG snapshot of the widget showing fixed bytes: colours, attributes, a box, the cursor."""

from __future__ import annotations

from typing import Any

from tests.terminal.conftest import TerminalApp
from tui.terminal import TerminalEmulator

SCREEN = (
    b"\x1b]2;snapshot\x07"
    b"$ ls --color\r\n"
    b"\x1b[1;34mbin\x1b[0m  \x1b[1;36mlib\x1b[0m  \x1b[32mrun.sh\x1b[0m  notes.txt\r\n"
    b"\x1b[31mred\x1b[0m \x1b[92mbright green\x1b[0m \x1b[38;5;208m256-orange\x1b[0m "
    b"\x1b[38;2;120;80;200mtruecolor\x1b[0m \x1b[44;97m on blue \x1b[0m\r\n"
    b"\x1b[1mbold\x1b[0m \x1b[3mitalic\x1b[0m \x1b[4munderline\x1b[0m "
    b"\x1b[7mreverse\x1b[0m \x1b[9mstrike\x1b[0m\r\n"
    b"\xe2\x94\x8c\xe2\x94\x80\xe2\x94\x80\xe2\x94\x90 wide: \xe6\x96\x87\xe5\xad\x97 ok\r\n"
    b"\xe2\x94\x94\xe2\x94\x80\xe2\x94\x80\xe2\x94\x98\r\n"
    b"$ echo done\r\ndone\r\n$ "
)


def test_terminal_snapshot(snap_compare: Any) -> None:
    emulator = TerminalEmulator(80, 23)
    emulator.feed(SCREEN)
    assert snap_compare(TerminalApp(emulator=emulator), terminal_size=(80, 24))
