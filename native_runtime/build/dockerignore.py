"""`.dockerignore` patterns: Go filepath.Match per segment, `**`, and `!` exceptions."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Pattern:
    """One cleaned pattern line; `exclusion` is a `!` line that re-includes paths."""

    text: str
    exclusion: bool
    regex: re.Pattern[str]


def segment_regex(segment: str) -> str:
    """One path segment of a Go filepath.Match pattern: `*`, `?`, `[...]`, `\\x`."""
    out: list[str] = []
    pos = 0
    while pos < len(segment):
        ch = segment[pos]
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "\\" and pos + 1 < len(segment):
            pos += 1
            out.append(re.escape(segment[pos]))
        elif ch == "[":
            end = segment.find("]", pos + 1)
            if end < 0:
                out.append(re.escape(ch))
            else:
                body = segment[pos + 1 : end]
                if body.startswith("^"):
                    body = "!" + body[1:]
                if body.startswith("!"):
                    body = "^" + body[1:].replace("\\", "\\\\")
                else:
                    body = body.replace("\\", "\\\\")
                out.append(f"[{body}]")
                pos = end
        else:
            out.append(re.escape(ch))
        pos += 1
    return "".join(out)


def compile_pattern(line: str) -> Pattern | None:
    """Clean a line as Docker does (trim, leading `/` dropped, path cleaned)."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    exclusion = text.startswith("!")
    if exclusion:
        text = text[1:].strip()
    text = posixpath.normpath(text.lstrip("/")) if text else text
    if text in (".", ""):
        text = "."
    parts = text.split("/")
    regex_parts: list[str] = []
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            # `**` matches any number of directories, including none.
            regex_parts.append("(?:.*)" if last else "(?:.*/)?")
        else:
            regex_parts.append(segment_regex(part) + ("" if last else "/"))
    # A pattern matching a directory also matches everything inside it.
    regex = re.compile("^" + "".join(regex_parts) + "(?:/.*)?$")
    return Pattern(text, exclusion, regex)


class DockerIgnore:
    """The whole file; the last matching pattern decides, as in Docker."""

    def __init__(self, text: str = "") -> None:
        self.patterns = [p for p in map(compile_pattern, text.splitlines()) if p is not None]

    def ignored(self, path: str) -> bool:
        """`path` is relative to the context root, with `/` separators."""
        path = posixpath.normpath(path.lstrip("/"))
        result = False
        for pattern in self.patterns:
            if pattern.regex.match(path):
                result = not pattern.exclusion
        return result

    def may_contain_exceptions(self, directory: str) -> bool:
        """An ignored directory must still be walked if a `!` pattern could match inside it."""
        directory = posixpath.normpath(directory.lstrip("/"))
        return any(
            p.exclusion and (p.text.startswith(directory + "/") or "**" in p.text or "*" in p.text)
            for p in self.patterns
        )
