"""`--log-driver` and `--log-opt`: which drivers the engine keeps logs for, checked at create."""

from __future__ import annotations

from typing import Any

from native_runtime.errors import BadParameter, NotImplementedByDriver

DEFAULT_DRIVER = "json-file"
# conmon writes every container's log; these are the drivers whose meaning that covers
# (json-file and local read back alike, none keeps nothing a client may read).
DRIVERS = ("json-file", "local", "none")


def normalize(host_config: dict[str, Any]) -> None:
    """Fill in the default driver and refuse one the engine does not have, as dockerd does."""
    given = host_config.get("LogConfig") or {}
    driver = str(given.get("Type") or DEFAULT_DRIVER)
    if driver not in DRIVERS:
        raise BadParameter(f"logger: no log driver named '{driver}' is registered")
    options = given.get("Config") or {}
    if not isinstance(options, dict):
        raise BadParameter("LogConfig.Config must be an object of strings")
    config = {str(k): str(v) for k, v in options.items()}
    host_config["LogConfig"] = {"Type": driver, "Config": config}


def check_readable(host_config: dict[str, Any]) -> None:
    """`docker logs` on a container that keeps none is refused, as dockerd does."""
    if (host_config.get("LogConfig") or {}).get("Type", DEFAULT_DRIVER) == "none":
        raise NotImplementedByDriver("configured logging driver does not support reading")
