"""The user's config file (TOML under $XDG_CONFIG_HOME/dockyard) and its theme files."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.theme import Theme

BUILTIN_THEMES_DIR = Path(__file__).resolve().parent / "themes"

# The variables every theme needs, even Textual's own, or the stylesheet fails to parse.
DEFAULTS_FILE = "defaults.toml"
SERVICE_COLOUR_VARIABLES = tuple(f"service-{n}" for n in range(1, 7))


def theme_variable_defaults(folder: Path = BUILTIN_THEMES_DIR) -> dict[str, str]:
    """The [variables] of the themes folder's defaults file (data, not code)."""
    data = tomllib.loads((folder / DEFAULTS_FILE).read_text())
    return {str(k): str(v) for k, v in data.get("variables", {}).items()}


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "dockyard"


def default_config_path() -> Path:
    return config_dir() / "config.toml"


@dataclass
class Config:
    """What Dockyard remembers; unknown keys in the file are kept so saving never loses them."""

    path: Path
    theme: str = "dockyard-dark"
    keys: dict[str, str] = field(default_factory=dict)
    log_tail: int = 10_000
    copy_lines: int = 100
    stats_interval: float = 2.0
    reconcile_interval: float = 10.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ssh_hosts(self) -> list[str]:
        """Remote engines for the switcher: `[engines] ssh = ["ssh://me@host", ...]`."""
        engines = self.extra.get("engines", {})
        hosts = engines.get("ssh", []) if isinstance(engines, dict) else []
        return [str(h) if str(h).startswith("ssh://") else f"ssh://{h}" for h in hosts]

    @property
    def fleet(self) -> list[str]:
        """Engines shown at once: `[fleet] engines = ["docker", "lab=ssh://me@host", ...]`.

        Anything else than a list of strings is a ValueError with one line saying so.
        """
        fleet = self.extra.get("fleet", {})
        engines = fleet.get("engines", []) if isinstance(fleet, dict) else None
        if not isinstance(engines, list) or not all(isinstance(e, str) for e in engines):
            raise ValueError(f"{self.path}: [fleet] engines must be a list of engine names or URLs")
        return list(engines)

    @classmethod
    def load(cls, path: Path | None = None) -> Config:
        path = path or default_config_path()
        data: dict[str, Any] = {}
        if path.exists():
            try:
                data = tomllib.loads(path.read_text())
            except (OSError, tomllib.TOMLDecodeError):
                data = {}
        ui = data.get("ui", {})
        return cls(
            path=path,
            theme=str(ui.get("theme", cls.theme)),
            keys={str(k): str(v) for k, v in data.get("keys", {}).items()},
            log_tail=int(ui.get("log_tail", cls.log_tail)),
            copy_lines=int(ui.get("copy_lines", cls.copy_lines)),
            stats_interval=float(ui.get("stats_interval", cls.stats_interval)),
            reconcile_interval=float(ui.get("reconcile_interval", cls.reconcile_interval)),
            extra={k: v for k, v in data.items() if k not in ("ui", "keys")},
        )

    def save(self) -> None:
        ui = {
            "theme": self.theme,
            "log_tail": self.log_tail,
            "copy_lines": self.copy_lines,
            "stats_interval": self.stats_interval,
            "reconcile_interval": self.reconcile_interval,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = _dump({"ui": ui, "keys": self.keys, **self.extra})
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(text)
        tmp.replace(self.path)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _dump(data: dict[str, Any], prefix: str = "") -> str:
    """A small TOML writer: the stdlib reads TOML but cannot write it."""
    plain = [f'"{k}" = {_value(v)}' for k, v in data.items() if not isinstance(v, dict)]
    out = "\n".join(plain) + ("\n" if plain else "")
    for key, value in data.items():
        if isinstance(value, dict):
            name = f"{prefix}.{key}" if prefix else key
            out += f"\n[{name}]\n" + _dump(value, name)
    return out


def theme_from_toml(text: str) -> Theme:
    """A theme file: top-level colours as `textual.theme.Theme` names them, plus [variables]."""
    data = tomllib.loads(text)
    fields = {
        k: data[k]
        for k in (
            "primary",
            "secondary",
            "accent",
            "warning",
            "error",
            "success",
            "foreground",
            "background",
            "surface",
            "panel",
            "boost",
        )
        if k in data
    }
    return Theme(
        name=str(data["name"]),
        dark=bool(data.get("dark", True)),
        variables={str(k): str(v) for k, v in data.get("variables", {}).items()},
        **fields,
    )


def load_themes(*folders: Path) -> list[Theme]:
    """Built-in themes first, then the user's; a broken user file is skipped, not fatal."""
    themes: list[Theme] = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            if path.name == DEFAULTS_FILE:
                continue
            try:
                themes.append(theme_from_toml(path.read_text()))
            except (OSError, KeyError, ValueError, tomllib.TOMLDecodeError):
                continue
    return themes
