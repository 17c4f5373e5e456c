"""`dockyard doctor`: what the UI and the native engine need on this host, one line each."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

from tui.config import BUILTIN_THEMES_DIR, default_config_path, load_themes


def _line(ok: bool, name: str, detail: str, essential: bool = True) -> str:
    mark = "ok  " if ok else ("FIX " if essential else "warn")
    return f"{mark}  {name}: {detail}"


def terminal_colours(env: dict[str, str] | None = None) -> tuple[bool, str]:
    """What the terminal says it can show; 16 colours works, 256 or truecolor looks right."""
    env = dict(os.environ) if env is None else env
    term = env.get("TERM", "")
    if env.get("COLORTERM", "") in ("truecolor", "24bit"):
        return True, f"truecolor ({term or 'TERM unset'})"
    if "256color" in term:
        return True, f"256 colours ({term})"
    if not term or term == "dumb":
        return False, "TERM is unset or dumb: set TERM=xterm-256color if the terminal can"
    return False, f"16 colours ({term}): themes are approximated; try TERM=xterm-256color"


def ui_lines() -> tuple[list[str], bool]:
    """The UI's own checks, and whether one that it cannot do without failed."""
    lines: list[str] = []
    broken = False
    themes = load_themes(BUILTIN_THEMES_DIR)
    ok = bool(themes)
    broken |= not ok
    found = f"{len(themes)} built in ({BUILTIN_THEMES_DIR})"
    lines.append(_line(ok, "themes", found if ok else f"none found in {BUILTIN_THEMES_DIR}"))
    stylesheet = Path(__file__).resolve().parent.parent / "dockyard.tcss"
    ok = stylesheet.is_file()
    broken |= not ok
    lines.append(_line(ok, "stylesheet", str(stylesheet) if ok else f"{stylesheet} is missing"))
    config = default_config_path()
    if not config.exists():
        lines.append(_line(True, "config", f"{config} (not written yet: defaults)"))
    else:
        try:
            tomllib.loads(config.read_text())
            lines.append(_line(True, "config", f"{config} parses"))
        except (OSError, tomllib.TOMLDecodeError) as error:
            broken = True
            lines.append(_line(False, "config", f"{config}: {error}"))
    ok, detail = terminal_colours()
    lines.append(_line(ok, "terminal colours", detail, essential=False))
    return lines, broken


def run_doctor() -> int:
    lines, broken = ui_lines()
    for line in lines:
        print(line)
    sys.stdout.flush()
    # the native engine's needs are its own package's to judge, in its own process
    native = subprocess.call([sys.executable, "-m", "native_runtime", "doctor"])
    return 1 if broken or native != 0 else 0
