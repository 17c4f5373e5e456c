"""SGR: the attributes a Select Graphic Rendition sequence gives, as pyte Char fields."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pyte.screens import Char

_ANSI_NAMES = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")

# SGR on/off pairs for the boolean attributes pyte's Char carries. SGR 2 (dim) and
# 8 (hidden) have no Char field, so they are accepted and ignored.
_SGR_FLAGS: dict[int, tuple[str, bool]] = {
    1: ("bold", True),
    3: ("italics", True),
    4: ("underscore", True),
    5: ("blink", True),
    7: ("reverse", True),
    9: ("strikethrough", True),
    22: ("bold", False),
    23: ("italics", False),
    24: ("underscore", False),
    25: ("blink", False),
    27: ("reverse", False),
    29: ("strikethrough", False),
}


def apply_sgr(attrs: Char, default: Char, sgr: tuple[int, ...]) -> Char:
    """The attributes after one SGR sequence's parameters (0 returns to `default`)."""
    replace: dict[str, Any] = {}
    params = list(sgr)
    while params:
        attr = params.pop(0)
        if attr == 0:
            replace.update(default._asdict())
            del replace["data"]
        elif attr in _SGR_FLAGS:
            name, value = _SGR_FLAGS[attr]
            replace[name] = value
        elif 30 <= attr <= 37:
            replace["fg"] = _ANSI_NAMES[attr - 30]
        elif 40 <= attr <= 47:
            replace["bg"] = _ANSI_NAMES[attr - 40]
        elif 90 <= attr <= 97:
            replace["fg"] = "bright_" + _ANSI_NAMES[attr - 90]
        elif 100 <= attr <= 107:
            replace["bg"] = "bright_" + _ANSI_NAMES[attr - 100]
        elif attr == 39:
            replace["fg"] = "default"
        elif attr == 49:
            replace["bg"] = "default"
        elif attr in (38, 48):
            colour = _extended_colour(params)
            if colour is not None:
                replace["fg" if attr == 38 else "bg"] = colour
    return attrs._replace(**replace)


SGR_PARAMS = re.compile("\x1b\\[([0-9;]*)m")
"""The parameters of each SGR sequence in a chain."""


@lru_cache(maxsize=1024)
def csi_params(text: str) -> tuple[int, ...]:
    """A CSI sequence's parameters as pyte reads them: empty is 0, values capped at 9999."""
    return tuple(min(int(part), 9999) if part else 0 for part in text.split(";"))


def _extended_colour(params: list[int]) -> str | None:
    """Consume `5;n` or `2;r;g;b` after SGR 38/48 and name the colour for rich."""
    if not params:
        return None
    kind = params.pop(0)
    if kind == 5 and params:
        index = params.pop(0)
        return f"color({index})" if 0 <= index <= 255 else None
    if kind == 2 and len(params) >= 3:
        red, green, blue = (min(max(value, 0), 255) for value in params[:3])
        del params[:3]
        return f"#{red:02x}{green:02x}{blue:02x}"
    return None
