"""`docker rmi` and `docker image prune`: untag, then delete what nothing uses."""

from __future__ import annotations

from typing import Any

from native_runtime.errors import Conflict
from native_runtime.images.store import ImageStore, normalize_ref


def can_remove(image_id: str, used_by: list[str], force: bool) -> None:
    """Guard: an image a container uses stays unless forced (then it only loses its tags)."""
    if used_by and not force:
        short = image_id.removeprefix("sha256:")[:12]
        raise Conflict(
            f"conflict: unable to delete {short} (must be forced) - image is being used "
            f"by container {used_by[0][:12]}"
        )


def remove(store: ImageStore, name: str, force: bool, used_by: list[str]) -> list[dict[str, str]]:
    image_id = store.resolve(name)
    tags = store.tags_of(image_id)
    is_tag = not name.startswith("sha256:") and normalize_ref(name) in tags
    if is_tag and len(tags) > 1:
        store.untag(name)
        return [{"Untagged": normalize_ref(name)}]
    if not is_tag and len(tags) > 1 and not force:
        short = image_id.removeprefix("sha256:")[:12]
        raise Conflict(
            f"conflict: unable to delete {short} (must be forced) - image is referenced "
            "in multiple repositories"
        )
    can_remove(image_id, used_by, force)
    report: list[dict[str, str]] = [{"Untagged": t} for t in tags]
    if used_by:
        for tag in tags:
            store.untag(tag)
        return report
    store.delete(image_id)
    report.append({"Deleted": image_id})
    return report


def prune(store: ImageStore, used: set[str], dangling_only: bool) -> dict[str, Any]:
    deleted: list[dict[str, str]] = []
    reclaimed = 0
    for record in store.all():
        if record.id in used or (dangling_only and record.tags):
            continue
        reclaimed += record.size
        deleted.extend({"Untagged": t} for t in record.tags)
        store.delete(record.id)
        deleted.append({"Deleted": record.id})
    return {"ImagesDeleted": deleted or None, "SpaceReclaimed": reclaimed}
