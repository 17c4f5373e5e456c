"""`${VAR}` substitution in compose values, and `.env` / `env_file` parsing."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from engine_adapters.compose.source import Path

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_PATTERN = re.compile(
    rf"\$(?:(?P<escaped>\$)|\{{(?P<braced>[^}}]*)\}}|(?P<named>{_NAME})|(?P<unclosed>\{{.*))",
    re.DOTALL,
)
_BRACED = re.compile(rf"^(?P<name>{_NAME})(?:(?P<op>:?[-?+])(?P<arg>.*))?$", re.DOTALL)


class InterpolationError(Exception):
    """A `${...}` that is malformed, or a required variable (`${VAR:?why}`) that is unset."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def substitute(text: str, env: Mapping[str, str], path: Path = ()) -> str:
    """One string with every `$VAR`, `${VAR}`, `${VAR:-default}`, ... replaced; `$$` is `$`."""

    def replace(match: re.Match[str]) -> str:
        if match.group("escaped"):
            return "$"
        if match.group("named"):
            return env.get(match.group("named"), "")
        if match.group("unclosed") is not None:
            raise InterpolationError(
                path, f'invalid interpolation format "${match.group("unclosed")}"'
            )
        inner = match.group("braced")
        parsed = _BRACED.match(inner)
        if parsed is None:
            raise InterpolationError(path, f'invalid interpolation format "${{{inner}}}"')
        name, op, arg = parsed.group("name"), parsed.group("op"), parsed.group("arg") or ""
        value = env.get(name)
        # The colon forms treat an empty variable like an unset one, as the shell does.
        missing = value is None or (op is not None and op.startswith(":") and value == "")
        if op is None:
            return value or ""
        if op in (":-", "-"):
            return substitute(arg, env, path) if missing else str(value)
        if op in (":?", "?"):
            if missing:
                reason = arg or f"variable {name} is required"
                raise InterpolationError(path, f"required variable {name} is missing: {reason}")
            return str(value)
        # ":+" and "+": the alternative when the variable is set
        return "" if missing else substitute(arg, env, path)

    if "$" not in text:
        return text
    return _PATTERN.sub(replace, text)


def interpolate(
    data: Any, env: Mapping[str, str], path: Path = ()
) -> tuple[Any, list[InterpolationError]]:
    """Every string value in `data` substituted; keys are left alone, as Compose does."""
    errors: list[InterpolationError] = []

    def walk(value: Any, at: Path) -> Any:
        if isinstance(value, dict):
            return {k: walk(v, (*at, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, (*at, i)) for i, v in enumerate(value)]
        if isinstance(value, str):
            try:
                return substitute(value, env, at)
            except InterpolationError as exc:
                errors.append(exc)
                return value
        return value

    return walk(data, path), errors


def parse_env_file(text: str) -> dict[str, str]:
    """`KEY=VALUE` lines: `#` comments, `export ` prefixes, single and double quotes."""
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").lstrip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep:
            continue  # a bare name takes its value from the shell; nothing to record here
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == "'":
            value = value[1:-1]
        elif len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1].replace("\\n", "\n").replace('\\"', '"').replace("\\\\", "\\")
        else:
            # An unquoted value ends at a comment that follows whitespace.
            value = re.split(r"\s+#", value, maxsplit=1)[0].rstrip()
        values[key] = value
    return values
