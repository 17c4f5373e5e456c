"""Network errors that need an HTTP status the shared error family lacks."""

from __future__ import annotations

from native_runtime.errors import BadParameter, Conflict, NativeError, NotFound

__all__ = [
    "BadParameter",
    "Conflict",
    "Forbidden",
    "NetworkSetupError",
    "NotFound",
    "PortAllocated",
]


class Forbidden(NativeError):
    """Docker answers 403 for removing a predefined network or one with live endpoints."""

    status = 403


class PortAllocated(NativeError):
    """The host port is taken; Docker reports this as a 500 with its own wording."""

    status = 500


class NetworkSetupError(NativeError):
    """A kernel or iptables step failed; everything done before it was rolled back."""

    status = 500
