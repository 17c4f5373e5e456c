"""Textual key names to the bytes an xterm sends for them."""

from __future__ import annotations

ESC = "\x1b"
CSI = ESC + "["
SS3 = ESC + "O"

# Cursor keys: final byte; sent as CSI x normally, SS3 x in application cursor mode.
_CURSOR_FINALS = {"up": "A", "down": "B", "right": "C", "left": "D", "home": "H", "end": "F"}

# Editing keys and F5 upward: CSI n ~.
_TILDE_CODES = {
    "insert": 2,
    "delete": 3,
    "pageup": 5,
    "pagedown": 6,
    "f5": 15,
    "f6": 17,
    "f7": 18,
    "f8": 19,
    "f9": 20,
    "f10": 21,
    "f11": 23,
    "f12": 24,
}

# F1-F4 are SS3 P..S unmodified, CSI 1;m P..S with modifiers.
_PF_FINALS = {"f1": "P", "f2": "Q", "f3": "R", "f4": "S"}

_PLAIN = {
    "enter": "\r",
    "tab": "\t",
    "shift+tab": CSI + "Z",
    "backspace": "\x7f",
    "ctrl+h": "\x08",
    "escape": ESC,
    "space": " ",
    "ctrl+@": "\x00",
    "ctrl+at": "\x00",
    "ctrl+space": "\x00",
    "ctrl+backslash": "\x1c",
    "ctrl+right_square_bracket": "\x1d",
    "ctrl+circumflex_accent": "\x1e",
    "ctrl+underscore": "\x1f",
}

# xterm's modifier parameter is 1 + (shift 1, alt 2, ctrl 4).
_MODIFIER_BITS = {"shift": 1, "alt": 2, "ctrl": 4}


def encode_key(key: str, character: str | None, app_cursor_keys: bool = False) -> bytes | None:
    """The bytes for a Textual key event, or None for keys a terminal cannot send."""
    text = _encode(key, character, app_cursor_keys)
    return None if text is None else text.encode()


def _encode(key: str, character: str | None, app_cursor_keys: bool) -> str | None:
    if key in _PLAIN:
        return _PLAIN[key]
    *modifiers, base = key.split("+")
    if base == "" and key.endswith("+"):  # the "+" key itself, e.g. "ctrl++"
        base = "+"
    if not all(modifier in _MODIFIER_BITS for modifier in modifiers):
        return character if character and character.isprintable() else None
    if base in _CURSOR_FINALS or base in _TILDE_CODES or base in _PF_FINALS:
        param = 1 + sum(_MODIFIER_BITS[modifier] for modifier in modifiers)
        return _special(base, param, app_cursor_keys)
    if modifiers == ["ctrl"] and len(base) == 1 and base.isalpha():
        return chr(ord(base.lower()) - ord("a") + 1)
    if "alt" in modifiers:
        # Meta sends ESC before what the key would send without Alt.
        others = [modifier for modifier in modifiers if modifier != "alt"]
        rest = _encode("+".join([*others, base]), None, app_cursor_keys)
        if rest is None and len(base) == 1:
            rest = base.upper() if others == ["shift"] else base
        return None if rest is None else ESC + rest
    if character and (character.isprintable() or character in "\r\t\x1b\x7f"):
        return character
    if character and len(character) == 1 and ord(character) < 0x20:
        return character  # a control character the terminal already decoded
    return None


def _special(base: str, param: int, app_cursor_keys: bool) -> str:
    if base in _CURSOR_FINALS:
        final = _CURSOR_FINALS[base]
        if param > 1:
            return f"{CSI}1;{param}{final}"
        return (SS3 if app_cursor_keys else CSI) + final
    if base in _PF_FINALS:
        final = _PF_FINALS[base]
        return f"{CSI}1;{param}{final}" if param > 1 else SS3 + final
    code = _TILDE_CODES[base]
    return f"{CSI}{code};{param}~" if param > 1 else f"{CSI}{code}~"
