"""Collects every problem in a compose file, with its line, instead of stopping at the first."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from engine_adapters.compose.errors import Problem
from engine_adapters.compose.source import Path, Source, path_text


class Checker:
    """Where a value came from, and every problem found so far."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.warnings: list[str] = []

    def fail(self, path: Path, message: str) -> None:
        file, line = self.source.where(path)
        self.problems.append(Problem(file, line, path_text(path), message))

    def warn(self, path: Path, message: str) -> None:
        file, line = self.source.where(path)
        where = f"{file}:{line}" if line else file
        self.warnings.append(f"{where}: {path_text(path)}: {message}")

    def folder(self, path: Path, default: str) -> str:
        """The folder a relative path at `path` resolves against: that of its own file."""
        return self.source.folder(path) or default

    def mapping(self, path: Path, value: Any) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.fail(path, f"must be a mapping, not {describe(value)}")
        return None

    def string(self, path: Path, value: Any, numbers: bool = True) -> str | None:
        if isinstance(value, str):
            return value
        if numbers and isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        self.fail(path, f"must be a string, not {describe(value)}")
        return None

    def boolean(self, path: Path, value: Any) -> bool | None:
        if isinstance(value, bool):
            return value
        self.fail(path, f"must be true or false, not {describe(value)}")
        return None

    def keys(
        self,
        path: Path,
        value: Mapping[str, Any],
        known: Iterable[str],
        ignored: Iterable[str] = (),
    ) -> None:
        """Unknown keys are errors (with a suggestion); known but unsupported ones are warnings."""
        known, ignored = set(known), set(ignored)
        for key in value:
            if key in known or key.startswith("x-"):
                continue
            if key in ignored:
                self.warn((*path, key), "not supported by Dockyard, ignored")
                continue
            close = difflib.get_close_matches(key.replace(" ", "_"), sorted(known), n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            self.fail((*path, key), f"unknown key{hint}")

    def string_map(self, path: Path, value: Any, what: str = "entries") -> dict[str, str | None]:
        """A `KEY: value` mapping or a `["KEY=value", "KEY"]` list; None means "from the shell"."""
        result: dict[str, str | None] = {}
        if isinstance(value, dict):
            for key, item in value.items():
                if item is None:
                    result[key] = None
                elif isinstance(item, bool):
                    self.fail(
                        (*path, key), f'{str(item).lower()} must be quoted ("{str(item).lower()}")'
                    )
                elif isinstance(item, (str, int, float)):
                    result[key] = str(item)
                else:
                    self.fail((*path, key), f"must be a string or number, not {describe(item)}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if not isinstance(item, str):
                    self.fail((*path, i), f'must be a "KEY=value" string, not {describe(item)}')
                    continue
                key, sep, text = item.partition("=")
                if not key:
                    self.fail((*path, i), f'invalid entry "{item}"')
                    continue
                result[key] = text if sep else None
        else:
            self.fail(path, f"must be a mapping or a list of {what}, not {describe(value)}")
        return result

    def string_list(self, path: Path, value: Any) -> list[str]:
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list):
            self.fail(path, f"must be a list of strings, not {describe(value)}")
            return []
        result = []
        for i, item in enumerate(value):
            text = self.string((*path, i), item)
            if text is not None:
                result.append(text)
        return result


def describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"number {value}"
    return f'"{value}"'
