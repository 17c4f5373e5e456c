"""Deterministic terminal output of three kinds, for the throughput bench and the tests.

log     log-like lines, one in five with SGR colours, some longer than a row
plain   plain ASCII text and line ends only, as `cat` of a text file
redraw  full-screen redraws as top and vi send them: alternate screen, cursor moves,
        erase to end of line, colours, a scroll region, box-drawing characters
"""

from __future__ import annotations

import random
from collections.abc import Callable

LINES = 24
"""The screen height the redraw stream is drawn for."""


def make_stream(megabytes: float) -> bytes:
    """Log-like lines, some coloured, some longer than a row; deterministic."""
    rng = random.Random(4)
    words = [
        "container",
        "image",
        "volume",
        "network",
        "exec",
        "shell",
        "stats",
        "logs",
        "bridge",
        "overlay",
    ]
    parts: list[bytes] = []
    size = 0
    target = int(megabytes * 1024 * 1024)
    number = 0
    while size < target:
        number += 1
        text = " ".join(rng.choice(words) for _ in range(rng.randint(3, 30)))
        if number % 5 == 0:
            line = f"\x1b[32m{number:>8}\x1b[0m \x1b[1;31mERROR\x1b[0m {text}\r\n"
        else:
            line = f"{number:>8} INFO {text}\r\n"
        data = line.encode()
        parts.append(data)
        size += len(data)
    return b"".join(parts)[:target]


def make_plain(megabytes: float) -> bytes:
    """Text and CR LF only, lines of 0 to 120 characters; deterministic."""
    rng = random.Random(5)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = ["".join(rng.choice(letters) for _ in range(rng.randint(1, 9))) for _ in range(500)]
    parts: list[bytes] = []
    size = 0
    target = int(megabytes * 1024 * 1024)
    while size < target:
        line = " ".join(rng.choice(words) for _ in range(rng.randint(0, 20)))[:120]
        data = line.encode() + b"\r\n"
        parts.append(data)
        size += len(data)
    return b"".join(parts)[:target]


def make_redraw(megabytes: float) -> bytes:
    """Frames of a top-like table and vi-like scrolling in the alternate screen.

    Attributes are reset as ncurses does for xterm-256color: ESC ( B ESC [ m.
    """
    rng = random.Random(6)
    target = int(megabytes * 1024 * 1024)
    parts: list[bytes] = [b"\x1b[?1049h\x1b[H\x1b[2J"]
    size = 0
    frame = 0
    while size < target:
        frame += 1
        out: list[str] = []
        if frame % 4:  # top: a header, then every process row rewritten in place
            out.append(f"\x1b[H\x1b[1mtop - {frame:05d} up 3 days\x1b(B\x1b[m\x1b[K\r\n")
            out.append("\u250c" + "\u2500" * 30 + "\u2510\x1b[K\r\n")
            out.append("\x1b[7m  PID USER      %CPU %MEM COMMAND\x1b(B\x1b[m\x1b[K")
            for row in range(4, LINES):
                cpu = rng.random() * 100
                colour = "\x1b[1;31m" if cpu > 90 else ""
                out.append(
                    f"\x1b[{row};1H{colour}{rng.randint(1, 99999):5d} root      "
                    f"{cpu:4.1f} {rng.random() * 10:4.1f} "
                    f"{rng.choice(['dockerd', 'containerd', 'sh', 'python3'])}\x1b(B\x1b[m\x1b[K"
                )
        else:  # vi: scroll the text region up by a few lines and fill the new ones
            out.append(f"\x1b[1;{LINES - 1}r")
            for _ in range(rng.randint(1, 5)):
                out.append(f"\x1b[{LINES - 1};1H\n\x1b[34m~\x1b(B\x1b[m {rng.random():.12f}\x1b[K")
            out.append(f"\x1b[r\x1b[{LINES};1H\x1b[7m-- INSERT --\x1b(B\x1b[m\x1b[K\x1b[5;10H")
        data = "".join(out).encode()
        parts.append(data)
        size += len(data)
    return b"".join(parts)[:target]


STREAMS: dict[str, Callable[[float], bytes]] = {
    "log": make_stream,
    "plain": make_plain,
    "redraw": make_redraw,
}
