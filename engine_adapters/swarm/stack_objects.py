"""A stack's secrets and configs: top-level `secrets:`/`configs:` with `file:`, and the
services' grants of them, read with each problem's file and line."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine_adapters.compose.checker import Checker
from engine_adapters.compose.source import Path
from engine_adapters.models import EMPTY, Labels
from engine_adapters.swarm.models import ObjectKind
from engine_adapters.swarm.spec import FileGrant

KINDS: tuple[ObjectKind, ...] = ("secret", "config")
# Docker's limits: a secret or config holds at most 500 KiB (swarmkit's MaxSecretSize).
MAX_DATA = 500 * 1024
OBJECT_KEYS = ("file", "external", "name", "labels", "environment", "content", "driver")
GRANT_KEYS = ("source", "target", "uid", "gid", "mode")


@dataclass(frozen=True, slots=True)
class StackObject:
    """What a deploy creates (or, when external, expects); `data` is never shown."""

    kind: ObjectKind
    key: str
    name: str  # <stack>_<key>, or `name:`, or the external object's own name
    data: bytes = b""
    external: bool = False
    labels: Mapping[str, str] = EMPTY

    def __repr__(self) -> str:
        return f"StackObject({self.kind} {self.name!r}, {len(self.data)} bytes)"


def read_objects(
    check: Checker, raw_top: dict[str, Any], stack: str
) -> dict[str, StackObject | None]:
    """Every declared secret and config by `kind:key`; one with a problem (a file that cannot
    be read, at its line) is None, still declared, so its grants raise nothing more."""
    found: dict[str, StackObject | None] = {}
    for kind in KINDS:
        section = f"{kind}s"
        entries = raw_top.get(section)
        if entries is None:
            continue
        table = check.mapping((section,), entries) or {}
        for key, raw in table.items():
            at: Path = (section, key)
            entry = check.mapping(at, raw if raw is not None else {})
            if entry is None:
                continue
            check.keys(at, entry, OBJECT_KEYS)
            found[f"{kind}:{key}"] = _object(check, at, kind, key, entry, stack)
    return found


def _object(
    check: Checker, at: Path, kind: ObjectKind, key: str, entry: dict[str, Any], stack: str
) -> StackObject | None:
    external = bool(entry.get("external"))
    name = check.string((*at, "name"), entry["name"]) if "name" in entry else None
    labels = {
        k: v or "" for k, v in check.string_map((*at, "labels"), entry.get("labels") or {}).items()
    }
    if external:
        return StackObject(kind, key, name or key, external=True)
    for unsupported in ("environment", "content", "driver"):
        if unsupported in entry:
            check.fail((*at, unsupported), f"dockyard stack takes a {kind} from a file: use file:")
            return None
    if "file" not in entry:
        check.fail(at, f"a {kind} needs file: (or external: true)")
        return None
    file = check.string((*at, "file"), entry["file"])
    if file is None:
        return None
    path = os.path.normpath(
        os.path.join(check.folder((*at, "file"), "."), os.path.expanduser(file))
    )
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_DATA + 1)
    except OSError as error:
        check.fail((*at, "file"), f"cannot read {path}: {error.strerror}")
        return None
    if len(data) > MAX_DATA:
        check.fail((*at, "file"), f"{path} is over {MAX_DATA // 1024} KiB, a swarm's limit")
        return None
    return StackObject(kind, key, name or f"{stack}_{key}", data, labels=Labels(labels))


def read_grants(
    check: Checker,
    at: Path,
    kind: ObjectKind,
    raw: Any,
    declared: Mapping[str, StackObject | None],
) -> tuple[FileGrant, ...]:
    """A service's `secrets:` or `configs:`: names (short form) or source/target mappings."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        check.fail(at, "must be a list of names or source/target mappings")
        return ()
    grants = []
    for i, item in enumerate(raw):
        where: Path = (*at, i)
        entry = {"source": item} if isinstance(item, str) else check.mapping(where, item)
        if entry is None:
            continue
        check.keys(where, entry, GRANT_KEYS)
        source = check.string((*where, "source"), entry.get("source"))
        if source is None:
            continue
        if f"{kind}:{source}" not in declared:
            check.fail(where, f'{kind} "{source}" is not declared under top-level {kind}s:')
            continue
        obj = declared[f"{kind}:{source}"]
        default = source if kind == "secret" else f"/{source}"
        target = check.string((*where, "target"), entry.get("target", default)) or default
        mode = entry.get("mode", 0o444)
        if isinstance(mode, str) and mode.isdigit() and set(mode) <= set("01234567"):
            mode = int(mode, 8)  # "0440" quoted: still the octal a file mode is
        if not isinstance(mode, int) or isinstance(mode, bool) or not 0 <= mode <= 0o777:
            check.fail((*where, "mode"), "must be a file mode such as 0440")
            mode = 0o444
        if obj is None:
            continue  # its declaration's problem is reported
        grants.append(
            FileGrant(
                obj.name,
                target,
                uid=check.string((*where, "uid"), entry.get("uid", "0")) or "0",
                gid=check.string((*where, "gid"), entry.get("gid", "0")) or "0",
                mode=mode,
            )
        )
    return tuple(grants)
