"""Turns docker SDK and transport exceptions into the EngineError family."""

from __future__ import annotations

import contextlib
import socket
import sys
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING

from engine_adapters.errors import (
    Conflict,
    EngineError,
    EngineTimeout,
    EngineUnavailable,
    InvalidRequest,
    NotFound,
    PermissionDenied,
)

if TYPE_CHECKING:
    import docker.errors

# Without the SDK loaded (the first contact reads with the standard library) only these apply.
_OS_TIMEOUTS: tuple[type[BaseException], ...] = (socket.timeout, TimeoutError)
_OS_UNREACHABLE: tuple[type[BaseException], ...] = (
    ConnectionError,
    FileNotFoundError,
    BrokenPipeError,
)


@cache
def _sdk_kinds() -> tuple[tuple[type[BaseException], ...], tuple[type[BaseException], ...]]:
    """The SDK's and its transport's timeout and unreachable exceptions (imported once)."""
    import requests.exceptions
    import urllib3.exceptions

    timeouts = (requests.exceptions.Timeout, urllib3.exceptions.ReadTimeoutError)
    unreachable = (requests.exceptions.ConnectionError, urllib3.exceptions.ProtocolError)
    return timeouts, unreachable


def translate(exc: BaseException, endpoint: str) -> EngineError:
    """One EngineError with a one-line message for any failure of a call."""
    if isinstance(exc, EngineError):
        return exc
    if "docker" not in sys.modules:  # the first contact, read before the SDK was loaded
        return _translate_os(exc, endpoint)
    import docker.errors

    if isinstance(exc, docker.errors.APIError):
        message = _api_message(exc)
        status = exc.status_code or 0
        if status == 404:
            return NotFound(message)
        if status == 409:
            return Conflict(message)
        if status in (400, 422):
            return InvalidRequest(message)
        if status in (401, 403):
            return PermissionDenied(message)
        if status == 304:
            return Conflict(message or "nothing to do: already in that state")
        return _podman_500(message)
    timeouts, unreachable = _sdk_kinds()
    if isinstance(exc, timeouts):
        return EngineTimeout(f"{endpoint} did not answer in time")
    if isinstance(exc, unreachable):
        return EngineUnavailable(f"cannot reach the engine at {endpoint}")
    if isinstance(exc, docker.errors.DockerException):
        text = str(exc)
        if "Connection" in text or "connection" in text or "No such file" in text:
            return EngineUnavailable(f"cannot reach the engine at {endpoint}")
        return InvalidRequest(text)
    return _translate_os(exc, endpoint)


# Podman answers some client errors with a 500 where dockerd gives a 4xx; its message says which
_PODMAN_KINDS: tuple[tuple[str, type[EngineError]], ...] = (
    ("container state improper", Conflict),
    ("is already used on the host", Conflict),
    ("already exists", Conflict),
    ("invalid reference format", InvalidRequest),
    ("no such", NotFound),
)


def _podman_500(message: str) -> EngineError:
    for marker, kind in _PODMAN_KINDS:
        if marker in message:
            return kind(message)
    return EngineError(message)


def _translate_os(exc: BaseException, endpoint: str) -> EngineError:
    if isinstance(exc, _OS_TIMEOUTS):
        return EngineTimeout(f"{endpoint} did not answer in time")
    if isinstance(exc, PermissionError):
        return PermissionDenied(f"permission denied on {endpoint}")
    if isinstance(exc, _OS_UNREACHABLE):
        return EngineUnavailable(f"cannot reach the engine at {endpoint}")
    if isinstance(exc, OSError):
        return EngineUnavailable(f"lost the connection to {endpoint}: {exc.strerror or exc}")
    return EngineError(f"{type(exc).__name__}: {exc}")


def _api_message(exc: docker.errors.APIError) -> str:
    explanation = exc.explanation
    if isinstance(explanation, bytes):
        explanation = explanation.decode(errors="replace")
    if explanation and str(explanation).strip():
        return str(explanation).strip()
    if exc.response is not None and exc.response.reason:
        return f"{exc.response.status_code} {exc.response.reason}"
    return str(exc)


@contextlib.contextmanager
def translated(endpoint: str) -> Iterator[None]:
    """Re-raise whatever the block raises as an EngineError."""
    try:
        yield
    except EngineError:
        raise
    except Exception as exc:
        raise translate(exc, endpoint) from exc
