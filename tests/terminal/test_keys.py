"""Key names to terminal bytes, as xterm sends them."""

from __future__ import annotations

import pytest

from tui.terminal.keys import encode_key


@pytest.mark.parametrize(
    ("key", "character", "expected"),
    [
        ("a", "a", b"a"),
        ("A", "A", b"A"),
        ("exclamation_mark", "!", b"!"),
        ("ü", "ü", "ü".encode()),
        ("enter", "\r", b"\r"),
        ("tab", "\t", b"\t"),
        ("shift+tab", None, b"\x1b[Z"),
        ("backspace", "\x7f", b"\x7f"),
        ("escape", "\x1b", b"\x1b"),
        ("space", " ", b" "),
        ("ctrl+a", None, b"\x01"),
        ("ctrl+c", "\x03", b"\x03"),
        ("ctrl+z", None, b"\x1a"),
        ("ctrl+backslash", None, b"\x1c"),
        ("ctrl+@", None, b"\x00"),
        ("up", None, b"\x1b[A"),
        ("left", None, b"\x1b[D"),
        ("home", None, b"\x1b[H"),
        ("end", None, b"\x1b[F"),
        ("shift+up", None, b"\x1b[1;2A"),
        ("ctrl+right", None, b"\x1b[1;5C"),
        ("pageup", None, b"\x1b[5~"),
        ("pagedown", None, b"\x1b[6~"),
        ("insert", None, b"\x1b[2~"),
        ("delete", None, b"\x1b[3~"),
        ("ctrl+delete", None, b"\x1b[3;5~"),
        ("f1", None, b"\x1bOP"),
        ("f4", None, b"\x1bOS"),
        ("shift+f1", None, b"\x1b[1;2P"),
        ("f5", None, b"\x1b[15~"),
        ("f12", None, b"\x1b[24~"),
        ("alt+x", None, b"\x1bx"),
        ("alt+shift+x", None, b"\x1bX"),
        ("ctrl+alt+a", None, b"\x1b\x01"),
        ("alt+up", None, b"\x1b[1;3A"),
    ],
)
def test_normal_mode(key: str, character: str | None, expected: bytes) -> None:
    assert encode_key(key, character) == expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [("up", b"\x1bOA"), ("down", b"\x1bOB"), ("home", b"\x1bOH"), ("shift+up", b"\x1b[1;2A")],
)
def test_application_cursor_mode(key: str, expected: bytes) -> None:
    assert encode_key(key, None, app_cursor_keys=True) == expected


def test_keys_a_terminal_cannot_send() -> None:
    assert encode_key("super+x", None) is None
    assert encode_key("f25", None) is None
