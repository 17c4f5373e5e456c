"""`--init`: the host's static tini, bind-mounted as /sbin/docker-init, runs as PID 1."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from native_runtime.errors import BadParameter

# Debian's tini package; the static build runs in any image, libc or not.
DEFAULT_BINARY = "/usr/bin/tini-static"
# Like dockerd's --init-path; the tests point it at a missing file.
BINARY_ENV = "DOCKYARD_INIT_PATH"
# Where dockerd puts its docker-init, so `ps` inside reads the same on both engines.
IN_CONTAINER = "/sbin/docker-init"


def wanted(host_config: dict[str, Any]) -> bool:
    return bool(host_config.get("Init"))


def host_binary() -> Path:
    return Path(os.environ.get(BINARY_ENV) or DEFAULT_BINARY)


def check(host_config: dict[str, Any]) -> None:
    """Fail at create, naming the file, rather than at start with runc's mount error."""
    binary = host_binary()
    if wanted(host_config) and not binary.is_file():
        raise BadParameter(f"--init: {binary} not found on the host (Debian's tini package)")


def mount() -> dict[str, Any]:
    return {
        "destination": IN_CONTAINER,
        "type": "bind",
        "source": str(host_binary()),
        "options": ["bind", "ro"],
    }


def wrap(args: list[str]) -> list[str]:
    """tini in front; `--` so the command's own flags never reach tini."""
    return [IN_CONTAINER, "--", *args]
