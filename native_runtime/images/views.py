"""Images in Docker's JSON shapes: list summaries, inspect and history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from native_runtime.images.store import ImageRecord


def _epoch(created: str) -> int:
    try:
        return int(datetime.fromisoformat(created.replace("Z", "")[:26] + "+00:00").timestamp())
    except ValueError:
        return 0


def _repo_tags(record: ImageRecord) -> list[str]:
    return record.tags


def summary(record: ImageRecord, containers: int) -> dict[str, Any]:
    config = record.config
    return {
        "Id": record.id,
        "ParentId": str(config.get("parent") or ""),
        "RepoTags": _repo_tags(record),
        "RepoDigests": [],
        "Created": _epoch(str(config.get("created", ""))),
        "Size": record.size,
        "VirtualSize": record.size,
        "SharedSize": -1,
        "Labels": (config.get("config") or {}).get("Labels") or {},
        "Containers": containers,
    }


def inspect(record: ImageRecord) -> dict[str, Any]:
    config = record.config
    container_config = config.get("config") or {}
    return {
        "Id": record.id,
        "RepoTags": record.tags,
        "RepoDigests": [],
        "Parent": str(config.get("parent") or ""),
        "Comment": "",
        "Created": config.get("created", ""),
        "Container": str(config.get("container") or ""),
        "ContainerConfig": container_config,
        "DockerVersion": "",
        "Author": config.get("author", ""),
        "Config": container_config,
        "Architecture": config.get("architecture", "amd64"),
        "Os": config.get("os", "linux"),
        "Size": record.size,
        "VirtualSize": record.size,
        "GraphDriver": {"Name": "overlay2", "Data": {}},
        # The image config says {"type", "diff_ids"}; inspect says {"Type", "Layers"}.
        "RootFS": {
            "Type": (config.get("rootfs") or {}).get("type", "layers"),
            "Layers": list((config.get("rootfs") or {}).get("diff_ids") or []),
        },
        "Metadata": {"LastTagTime": "0001-01-01T00:00:00Z"},
    }


def history(record: ImageRecord) -> list[dict[str, Any]]:
    """Newest first, the top entry carries the image id, as `docker history` expects."""
    entries = list(record.config.get("history") or [])
    out = []
    for index, entry in enumerate(reversed(entries)):
        out.append(
            {
                "Id": record.id if index == 0 else "<missing>",
                "Created": _epoch(str(entry.get("created", ""))),
                "CreatedBy": entry.get("created_by", ""),
                "Tags": record.tags if index == 0 else None,
                "Size": record.size if index == len(entries) - 1 else 0,
                "Comment": entry.get("comment", ""),
            }
        )
    return out
