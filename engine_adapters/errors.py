"""The EngineError family: one-line messages fit for a notification, never a traceback."""

from __future__ import annotations


class EngineError(Exception):
    """Base of every error the engine layer raises; `str()` is one line for the user."""

    def __init__(self, message: str) -> None:
        first = message.strip().splitlines()[0] if message.strip() else "engine error"
        super().__init__(first)

    @property
    def message(self) -> str:
        return str(self)


class EngineUnavailable(EngineError):
    """The engine does not answer: not started, died, restarting or unreachable."""


class EngineTimeout(EngineUnavailable):
    """A call took longer than its deadline."""


class NotFound(EngineError):
    """No such container, image, volume, network or exec session."""


class Conflict(EngineError):
    """The object's state forbids the action (name in use, container running, ...)."""


class InvalidRequest(EngineError):
    """The engine refused what was asked (bad image name, bad port, bad option)."""


class PermissionDenied(EngineError):
    """The socket or the action is not allowed for this user."""


class UnknownEngine(EngineError):
    """An engine name, context or URL that discovery cannot resolve."""
