"""`docker commit`: a container's upper dir becomes a new layer on top of its image."""

from __future__ import annotations

import asyncio
import copy
import json
from dataclasses import dataclass, field
from typing import Any

from native_runtime.build import workspace
from native_runtime.build.stage import now_rfc3339
from native_runtime.containers.model import RUNNING, Container
from native_runtime.containers.pause import pause, unpause
from native_runtime.errors import NativeError
from native_runtime.images.importer import apply_changes
from native_runtime.runtime import Runtime

# Fields of the container's config that carry over into the committed image.
CARRIED = ("Cmd", "Entrypoint", "Env", "WorkingDir", "User", "Labels", "ExposedPorts",
           "Volumes", "StopSignal", "Healthcheck", "Shell")  # fmt: skip


@dataclass
class CommitOptions:
    """The `POST /commit` query and body, decoded."""

    repo: str = ""
    tag: str = ""
    comment: str = ""
    author: str = ""
    changes: list[str] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    # dockerd's default: the container is frozen while its changes are read.
    pause: bool = True

    @property
    def ref(self) -> str | None:
        if not self.repo:
            return None
        return f"{self.repo}:{self.tag or 'latest'}"


def image_config(base: dict[str, Any], ctr: Container, options: CommitOptions) -> dict[str, Any]:
    """Docker's order: the container's config, then `--change` lines, then the body config."""
    config = copy.deepcopy(base.get("config") or {})
    for key in CARRIED:
        if ctr.config.get(key) not in (None, "", [], {}):
            config[key] = copy.deepcopy(ctr.config[key])
    apply_changes(config, options.changes)
    for key, value in options.config.items():
        if key in CARRIED and value not in (None, "", [], {}):
            config[key] = value
    return config


# What runc says when asked to pause a container whose process has ended.
ENDED = ("not running", "does not exist")


async def commit(rt: Runtime, ctr: Container, options: CommitOptions) -> str:
    """Store the container's changes as a layer and an image; return the image id.

    A running container is paused for the whole commit, as dockerd does by
    default: the diff is a consistent snapshot the container cannot change or
    redirect while it is read.
    """
    freeze = options.pause and ctr.state.status == RUNNING
    if freeze:
        try:
            await pause(rt, ctr)
        except NativeError as exc:
            # Its process ended between the state read and the pause (the record follows
            # the exit a moment later; runc may have forgotten it already): a finished
            # container cannot change its files, so the commit goes on unfrozen, as
            # dockerd's does for a stopped container.
            if not any(gone in exc.message for gone in ENDED):
                raise
            freeze = False
    try:
        return await _commit(rt, ctr, options)
    finally:
        if freeze:
            await unpause(rt, ctr)


async def _commit(rt: Runtime, ctr: Container, options: CommitOptions) -> str:
    record = rt.images.get(ctr.image_id)
    upper = rt.dirs(ctr).upper
    upper.mkdir(parents=True, exist_ok=True)
    diff_id = await asyncio.to_thread(workspace.store_diff, rt, upper, workspace.MOUNT_STUBS)
    doc = copy.deepcopy(record.config)
    doc["config"] = image_config(doc, ctr, options)
    created = now_rfc3339()
    doc["created"] = created
    # The legacy image fields dockerd fills on commit; inspect shows them as Parent/Container.
    doc["parent"] = ctr.image_id
    doc["container"] = ctr.id
    if options.author:
        doc["author"] = options.author
    doc.setdefault("rootfs", {"type": "layers", "diff_ids": []})["diff_ids"].append(diff_id)
    argv = list(ctr.config.get("Entrypoint") or []) + list(ctr.config.get("Cmd") or [])
    entry: dict[str, Any] = {"created": created, "created_by": " ".join(argv)}
    if options.comment:
        entry["comment"] = options.comment
    if options.author:
        entry["author"] = options.author
    doc.setdefault("history", []).append(entry)
    body = json.dumps(doc, separators=(",", ":")).encode()
    image_id = rt.images.put(body, [options.ref] if options.ref else [])
    rt.event(ctr, "commit")
    return image_id
