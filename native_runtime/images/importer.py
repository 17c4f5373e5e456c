"""`docker import`: one tarball becomes a one-layer image, with Dockerfile-style changes."""

from __future__ import annotations

import json
import shlex
from datetime import UTC, datetime
from typing import IO, Any

from native_runtime.errors import BadParameter
from native_runtime.images.store import ImageStore


def now_rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _command_form(text: str) -> list[str]:
    """JSON form `["a","b"]` is taken as is; shell form runs under /bin/sh -c, as Docker does."""
    text = text.strip()
    if text.startswith("["):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BadParameter(f"invalid JSON in change: {text}") from exc
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise BadParameter(f"expected a list of strings: {text}")
        return value
    return ["/bin/sh", "-c", text]


def _key_values(text: str) -> list[tuple[str, str]]:
    """`ENV a=b c=d` and the legacy `ENV a b` both appear in the wild."""
    words = shlex.split(text)
    if len(words) >= 2 and "=" not in words[0]:
        return [(words[0], " ".join(words[1:]))]
    pairs = []
    for word in words:
        key, _, value = word.partition("=")
        pairs.append((key, value))
    return pairs


def apply_changes(config: dict[str, Any], changes: list[str]) -> None:
    """Apply CMD/ENTRYPOINT/ENV/WORKDIR/USER/LABEL/EXPOSE/VOLUME lines to a config."""
    for line in changes:
        verb, _, rest = line.strip().partition(" ")
        verb = verb.upper()
        if verb == "CMD":
            config["Cmd"] = _command_form(rest)
        elif verb == "ENTRYPOINT":
            config["Entrypoint"] = _command_form(rest)
        elif verb == "ENV":
            env = [e for e in config.get("Env") or [] if isinstance(e, str)]
            for key, value in _key_values(rest):
                env = [e for e in env if e.partition("=")[0] != key] + [f"{key}={value}"]
            config["Env"] = env
        elif verb == "LABEL":
            labels = dict(config.get("Labels") or {})
            labels.update(_key_values(rest))
            config["Labels"] = labels
        elif verb == "WORKDIR":
            config["WorkingDir"] = rest.strip()
        elif verb == "USER":
            config["User"] = rest.strip()
        elif verb == "EXPOSE":
            ports = dict(config.get("ExposedPorts") or {})
            for port in rest.split():
                ports[port if "/" in port else f"{port}/tcp"] = {}
            config["ExposedPorts"] = ports
        elif verb == "VOLUME":
            vols = dict(config.get("Volumes") or {})
            for vol in _command_form(rest) if rest.strip().startswith("[") else rest.split():
                vols[vol] = {}
            config["Volumes"] = vols
        elif verb == "STOPSIGNAL":
            config["StopSignal"] = rest.strip()
        elif verb:
            raise BadParameter(f"{verb} is not a valid change command")


def import_tarball(
    store: ImageStore, stream: IO[bytes], changes: list[str], tag: str | None, message: str
) -> str:
    """Store the tarball as a layer and create an image config around it."""
    diff_id = store.layers.add(stream)
    container_config: dict[str, Any] = {}
    apply_changes(container_config, changes)
    created = now_rfc3339()
    history: dict[str, Any] = {"created": created, "created_by": "", "comment": "Imported from -"}
    if message:
        history["comment"] = message
    config = {
        "architecture": "amd64",
        "os": "linux",
        "created": created,
        "config": container_config,
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [history],
    }
    body = json.dumps(config, separators=(",", ":")).encode()
    return store.put(body, [tag] if tag else [])
