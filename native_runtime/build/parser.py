"""Dockerfile parser: directives, comments, continuations, flags, JSON and shell forms."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

INSTRUCTIONS = {
    "FROM", "RUN", "CMD", "ENTRYPOINT", "COPY", "ADD", "ENV", "WORKDIR", "EXPOSE", "LABEL",
    "USER", "ARG", "VOLUME", "SHELL", "STOPSIGNAL", "HEALTHCHECK", "MAINTAINER", "ONBUILD",
}  # fmt: skip
# Only these take `--flag` words before their arguments.
ALLOWED_FLAGS = {
    "FROM": {"platform"},
    "COPY": {"from", "chown", "chmod"},
    "ADD": {"chown", "chmod"},
    "RUN": set(),
    "HEALTHCHECK": {"interval", "timeout", "start-period", "start-interval", "retries"},
}
JSON_FORMS = {"RUN", "CMD", "ENTRYPOINT", "COPY", "ADD", "SHELL", "VOLUME"}
_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")
_FLAG = re.compile(r"^--([a-z][a-z-]*)(?:=(.*))?$")


class DockerfileError(Exception):
    """A problem in the Dockerfile, reported as `<file>:<line>: <message>`."""

    def __init__(self, line: int, message: str, filename: str = "Dockerfile") -> None:
        super().__init__(f"{filename}:{line}: {message}" if line else f"{filename}: {message}")
        self.line = line
        self.message = message
        self.filename = filename


@dataclass(frozen=True)
class Instruction:
    """One instruction: keyword, `--flags`, the text after them and its JSON form if any."""

    line: int
    keyword: str
    rest: str
    original: str
    flags: dict[str, str] = field(default_factory=dict)
    json_args: list[str] | None = None

    def flag(self, name: str, default: str = "") -> str:
        return self.flags.get(name, default)


@dataclass(frozen=True)
class Dockerfile:
    """The parsed file: its escape character and instructions in order."""

    escape: str
    instructions: list[Instruction]


def _directives(lines: list[str]) -> tuple[str, int]:
    """Parser directives must come first; the first other line ends them."""
    escape = "\\"
    seen: set[str] = set()
    for index, raw in enumerate(lines):
        match = _DIRECTIVE.match(raw.strip())
        if not match:
            return escape, index
        name, value = match.group(1).lower(), match.group(2)
        if name in seen:
            raise DockerfileError(index + 1, f"only one {name} parser directive can be used")
        seen.add(name)
        if name == "escape":
            if value not in ("\\", "`"):
                raise DockerfileError(
                    index + 1, f"invalid escape token '{value}' does not validate"
                )
            escape = value
    return escape, len(lines)


def _logical_lines(lines: list[str], start: int, escape: str) -> list[tuple[int, str]]:
    """Join continuation lines; comment and blank lines inside a continuation are dropped."""
    out: list[tuple[int, str]] = []
    current: list[str] = []
    first = 0
    for index in range(start, len(lines)):
        raw = lines[index].rstrip("\r\n")
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and current):
            continue
        if not stripped:
            continue
        if not current:
            first = index + 1
        body = raw.rstrip()
        if body.endswith(escape):
            current.append(body[: -len(escape)])
            continue
        current.append(body)
        out.append((first, "".join(current).strip()))
        current = []
    if current:
        out.append((first, "".join(current).strip()))
    return out


def _split_flags(line: int, keyword: str, rest: str, filename: str) -> tuple[dict[str, str], str]:
    flags: dict[str, str] = {}
    allowed = ALLOWED_FLAGS.get(keyword)
    if allowed is None:
        return flags, rest
    while rest.startswith("--"):
        word, _, tail = rest.partition(" ")
        match = _FLAG.match(word)
        if not match:
            raise DockerfileError(line, f"invalid flag {word!r}", filename)
        name = match.group(1)
        if name not in allowed:
            raise DockerfileError(line, f"unknown flag: --{name} for {keyword}", filename)
        if match.group(2) is None:
            raise DockerfileError(line, f"missing a value on flag: --{name}", filename)
        flags[name] = match.group(2)
        rest = tail.lstrip()
    return flags, rest


def _json_form(rest: str) -> list[str] | None:
    """JSON form is a JSON array of strings; anything else falls back to shell form."""
    if not rest.startswith("["):
        return None
    try:
        value = json.loads(rest)
    except json.JSONDecodeError:
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def parse_instruction(line: int, text: str, filename: str = "Dockerfile") -> Instruction:
    word, _, rest = text.partition(" ")
    keyword = word.upper()
    rest = rest.strip()
    if keyword not in INSTRUCTIONS:
        raise DockerfileError(line, f"unknown instruction: {word}", filename)
    if keyword == "ONBUILD" and rest.split(" ", 1)[0].upper() in ("ONBUILD", "FROM", "MAINTAINER"):
        raise DockerfileError(
            line, f"{rest.split(' ', 1)[0].upper()} isn't allowed as an ONBUILD trigger", filename
        )
    flags, rest = _split_flags(line, keyword, rest, filename)
    json_args = _json_form(rest) if keyword in JSON_FORMS else None
    if not rest and keyword not in ("CMD", "ENTRYPOINT"):
        raise DockerfileError(line, f"{keyword} requires at least one argument", filename)
    if keyword == "SHELL" and json_args is None:
        raise DockerfileError(line, "SHELL requires the arguments to be in JSON form", filename)
    if keyword == "RUN" and flags:
        raise DockerfileError(line, "RUN flags are not supported", filename)
    return Instruction(line, keyword, rest, text, flags, json_args)


def parse(text: str, filename: str = "Dockerfile") -> Dockerfile:
    """Parse a whole Dockerfile; the first instruction must be FROM (ARG may precede it)."""
    lines = text.splitlines()
    escape, start = _directives(lines)
    instructions = [
        parse_instruction(number, body, filename)
        for number, body in _logical_lines(lines, start, escape)
    ]
    if not instructions:
        raise DockerfileError(0, "file with no instructions", filename)
    for ins in instructions:
        if ins.keyword == "FROM":
            break
        if ins.keyword != "ARG":
            raise DockerfileError(
                ins.line, f"no build stage in current context ({ins.keyword} before FROM)", filename
            )
    else:
        raise DockerfileError(instructions[-1].line, "no FROM instruction", filename)
    return Dockerfile(escape, instructions)
