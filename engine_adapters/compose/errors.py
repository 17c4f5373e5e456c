"""Problems found in a compose file, each one line naming the file, the line and the key."""

from __future__ import annotations

from dataclasses import dataclass

from engine_adapters.errors import EngineError, InvalidRequest


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a compose file: `compose.yaml:12: services.web.ports[0]: ...`."""

    file: str
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class ComposeFileError(InvalidRequest):
    """A compose file that cannot be used; `problems` lists every one found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{problems[0]}{more}" if problems else "invalid compose file")


class ComposeError(EngineError):
    """Orchestration could not finish: a dependency never became healthy, an image is missing."""
