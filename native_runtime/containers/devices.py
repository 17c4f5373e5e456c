"""`--device` and `--device-cgroup-rule`: host nodes made in the container, devices cgroup rules."""

from __future__ import annotations

import json
import os
import re
import stat
from typing import Any

from native_runtime.errors import BadParameter

# Docker's own grammar for a rule: type, major:minor (either may be *), access.
# Used with fullmatch: Python's `$` would also accept a trailing newline, Go's does not.
CGROUP_RULE_RE = re.compile(r"^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$")
ACCESS_RE = re.compile(r"^[rwm]{1,3}$")
DEFAULT_ACCESS = "rwm"


class NotADevice(Exception):
    """The path exists but is neither a character nor a block device."""


def allow(kind: str, major: int | None, minor: int | None, access: str) -> dict[str, Any]:
    """One `linux.resources.devices` allow rule; None is the wildcard (runc reads null as *)."""
    return {"allow": True, "type": kind, "major": major, "minor": minor, "access": access}


def entry(path: str, info: os.stat_result) -> dict[str, Any] | None:
    """The OCI `linux.devices` entry for a node at `path`, or None if it is not a device."""
    kind = "c" if stat.S_ISCHR(info.st_mode) else "b" if stat.S_ISBLK(info.st_mode) else ""
    if not kind:
        return None
    return {
        "path": path,
        "type": kind,
        "major": os.major(info.st_rdev),
        "minor": os.minor(info.st_rdev),
        "fileMode": stat.S_IMODE(info.st_mode),
        "uid": info.st_uid,
        "gid": info.st_gid,
    }


def _node(path: str, inside: str) -> dict[str, Any]:
    # lstat, as runc does: a symlink below a --device folder is not a device.
    found = entry(path, os.lstat(path))
    if found is None:
        raise NotADevice(path)
    found["path"] = inside
    return found


def _walk(folder: str, inside: str) -> list[dict[str, Any]]:
    """Every device below `folder` (never following symlinks), unreadable parts skipped."""
    found: list[dict[str, Any]] = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return found
    for item in entries:
        target = f"{inside}/{item.name}"
        if item.is_dir(follow_symlinks=False):
            found += _walk(item.path, target)
            continue
        try:
            found.append(_node(item.path, target))
        except (OSError, NotADevice):
            continue
    return found


def _go_error(exc: OSError | NotADevice) -> str:
    """The error text as Go prints it ("no such file or directory"), which clients match."""
    if isinstance(exc, NotADevice):
        return "not a device node"
    text = exc.strerror or str(exc)
    return text[:1].lower() + text[1:]


def from_path(on_host: str, in_container: str) -> list[dict[str, Any]]:
    """The nodes for one `--device`: the node itself, or every device under a folder.

    A symlinked host path is followed first (`--device /dev/disk/by-id/x`), as dockerd does.
    """
    resolved = os.path.realpath(on_host) if os.path.islink(on_host) else on_host
    try:
        return [_node(resolved, in_container)]
    except (OSError, NotADevice) as exc:
        failure: OSError | NotADevice = exc
    if isinstance(failure, NotADevice) and os.path.isdir(resolved):
        found = _walk(resolved, in_container.rstrip("/"))
        if found:
            return found
    raise BadParameter(
        "error gathering device information while adding custom device "
        f"{_quoted(on_host)}: {_go_error(failure)}"
    )


def _quoted(text: str) -> str:
    # Go's %q: double quotes, backslash and quote escaped.
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _mapping(item: Any) -> tuple[str, str, str]:
    if not isinstance(item, dict) or not item.get("PathOnHost"):
        raise BadParameter(f"invalid device mapping: {item!r}")
    on_host = str(item["PathOnHost"])
    in_container = str(item.get("PathInContainer") or on_host)
    access = str(item.get("CgroupPermissions") or DEFAULT_ACCESS)
    # The CLI refuses other letters too; dockerd would hand them to runc to fail late.
    if not ACCESS_RE.fullmatch(access):
        raise BadParameter(f"invalid device mode: {access}")
    return on_host, in_container, access


def cgroup_rule(text: str) -> dict[str, Any]:
    """One `--device-cgroup-rule` ("c 1:3 rwm", "b *:* m") as an allow rule."""
    match = CGROUP_RULE_RE.fullmatch(str(text))
    if not match:
        # Escaped so that a stray newline cannot split the one-line error.
        shown = json.dumps(str(text))[1:-1]
        raise BadParameter(f"invalid device cgroup rule format: '{shown}'")
    kind, major, minor, access = match.groups()

    def number(field: str) -> int | None:
        return None if field == "*" else int(field)

    return allow(kind, number(major), number(minor), access)


def gather(host_config: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """HostConfig.Devices and DeviceCgroupRules as (linux.devices, devices cgroup rules).

    Rules come in dockerd's order: one per device node, then the cgroup rules.
    """
    nodes: list[dict[str, Any]] = []
    rules: list[dict[str, Any]] = []
    for item in host_config.get("Devices") or []:
        on_host, in_container, access = _mapping(item)
        for node in from_path(on_host, in_container):
            nodes.append(node)
            rules.append(allow(node["type"], node["major"], node["minor"], access))
    rules += [cgroup_rule(rule) for rule in host_config.get("DeviceCgroupRules") or []]
    return nodes, rules
