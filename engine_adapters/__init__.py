"""Dockyard engine layer: the one door from the UI to any container engine."""

from engine_adapters.discovery import EngineTarget, discover, resolve
from engine_adapters.errors import (
    Conflict,
    EngineError,
    EngineTimeout,
    EngineUnavailable,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    UnknownEngine,
)
from engine_adapters.native import NativeEngine, open_engine
from engine_adapters.protocol import Engine, ExecSession, Stream

__all__ = [
    "Conflict",
    "Engine",
    "EngineError",
    "EngineTarget",
    "EngineTimeout",
    "EngineUnavailable",
    "ExecSession",
    "InvalidRequest",
    "NativeEngine",
    "NotFound",
    "PermissionDenied",
    "Stream",
    "UnknownEngine",
    "discover",
    "open_engine",
    "resolve",
]
