"""Container mounts: decode -v / --mount / --volumes-from, populate, and build OCI mounts."""

from __future__ import annotations

import os
import stat
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from native_runtime.containers import inroot
from native_runtime.containers.treetar import TreeWriter
from native_runtime.errors import BadParameter, NotFound
from native_runtime.images import tarsafe
from native_runtime.volumes.store import VolumeStore

Mount = dict[str, Any]


def _mount(
    kind: str, source: str, dest: str, rw: bool, name: str = "", anon: bool = False
) -> Mount:
    entry: Mount = {
        "Type": kind,
        "Source": source,
        "Destination": dest,
        "Mode": "" if rw else "ro",
        "RW": rw,
        "Propagation": "rprivate" if kind == "bind" else "",
    }
    if kind == "volume":
        entry.update({"Name": name, "Driver": "local", "Anonymous": anon})
    return entry


def _check_dest(dest: str) -> str:
    if not dest.startswith("/"):
        raise BadParameter(f"invalid mount config: mount path must be absolute: {dest}")
    if dest == "/":
        raise BadParameter("invalid mount config: destination can't be '/'")
    return os.path.normpath(dest)


def parse_bind(spec: str, volumes: VolumeStore) -> Mount:
    """`-v SRC:DST[:OPTS]`: an absolute SRC is a host path, anything else a named volume."""
    parts = spec.split(":")
    if len(parts) not in (2, 3):
        raise BadParameter(f"invalid volume specification: '{spec}'")
    src, dest = parts[0], _check_dest(parts[1])
    opts = parts[2].split(",") if len(parts) == 3 else []
    rw = "ro" not in opts
    if src.startswith("/"):
        # Docker's -v creates a missing host directory (unlike --mount).
        Path(src).mkdir(parents=True, exist_ok=True)
        return _mount("bind", src, dest, rw)
    volume, _ = volumes.create(src)
    return _mount("volume", str(volume.mountpoint), dest, rw, volume.name)


def parse_mount(spec: dict[str, Any], volumes: VolumeStore) -> Mount:
    """The `--mount` / SDK `Mounts` form."""
    kind = spec.get("Type") or "volume"
    dest = _check_dest(str(spec.get("Target") or ""))
    rw = not spec.get("ReadOnly")
    source = str(spec.get("Source") or "")
    if kind == "bind":
        if not Path(source).exists():
            raise BadParameter(
                f'invalid mount config for type "bind": bind source path does not exist: {source}'
            )
        return _mount("bind", source, dest, rw)
    if kind == "volume":
        volume, _ = volumes.create(source or None)
        return _mount("volume", str(volume.mountpoint), dest, rw, volume.name, anon=not source)
    raise BadParameter(f"mount type {kind!r} is not supported by the native engine")


def resolve(
    body: dict[str, Any],
    host_config: dict[str, Any],
    image_volumes: dict[str, Any],
    volumes: VolumeStore,
    mounts_of: Any,
) -> list[Mount]:
    """All mounts for a new container, in Docker's precedence order."""
    mounts: dict[str, Mount] = {}
    for ref in host_config.get("VolumesFrom") or []:
        name, _, mode = str(ref).partition(":")
        for entry in mounts_of(name):
            copied = dict(entry)
            if mode in ("ro", "rw"):
                copied["RW"] = mode == "rw"
                copied["Mode"] = "" if copied["RW"] else "ro"
            mounts[copied["Destination"]] = copied
    for spec in host_config.get("Binds") or []:
        entry = parse_bind(str(spec), volumes)
        mounts[entry["Destination"]] = entry
    for spec in host_config.get("Mounts") or []:
        entry = parse_mount(spec, volumes)
        mounts[entry["Destination"]] = entry
    for dest in list(image_volumes) + list(body.get("Volumes") or {}):
        dest = _check_dest(dest)
        if dest not in mounts:
            volume, _ = volumes.create(None)
            mounts[dest] = _mount("volume", str(volume.mountpoint), dest, True, volume.name, True)
    return list(mounts.values())


def _copy_from_image(rootfs: Path, dest: str, data: Path) -> None:
    """The folder `dest` of the rootfs (resolved inside it) copied into the empty `data`.

    Both sides are walked through fds: the image's tree is written as a tar and
    unpacked by the safe extractor, so no symlink in the image or swapped into
    a shared volume sends the copy to the host.
    """
    try:
        with inroot.opened(rootfs, dest, os.O_PATH | os.O_DIRECTORY) as origin:
            dir_fd = inroot.reopen(origin, os.O_RDONLY | os.O_DIRECTORY)
    except (FileNotFoundError, NotADirectoryError):
        return
    try:
        st = os.fstat(dir_fd)
        with tempfile.TemporaryFile(dir=data.parent) as spool:
            with tarfile.open(fileobj=spool, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                writer = TreeWriter(tar)
                for entry in inroot.walk(dir_fd):
                    writer.add(entry.rel, entry.parent_fd, entry.name, entry.st)
            spool.seek(0)
            with inroot.fd_of(data, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW) as target:
                tarsafe.extract_at(spool, target)
                os.fchown(target, st.st_uid, st.st_gid)
                os.fchmod(target, stat.S_IMODE(st.st_mode))
    finally:
        os.close(dir_fd)


def populate(mounts: list[Mount], rootfs: Path) -> None:
    """An empty volume first gets the image's files at its mount point, as in Docker."""
    for entry in mounts:
        if entry["Type"] != "volume":
            continue
        data = Path(entry["Source"])
        if any(data.iterdir()):
            continue
        _copy_from_image(rootfs, entry["Destination"], data)


def oci_mounts(mounts: list[Mount]) -> list[dict[str, Any]]:
    out = []
    for entry in mounts:
        options = ["rbind", "rprivate"]
        if not entry["RW"]:
            options.append("ro")
        if not Path(entry["Source"]).exists():
            raise NotFound(f"mount source {entry['Source']} does not exist")
        out.append(
            {
                "destination": entry["Destination"],
                "type": "bind",
                "source": entry["Source"],
                "options": options,
            }
        )
    return out


def public(mounts: list[Mount]) -> list[dict[str, Any]]:
    """Inspect's `Mounts`: our bookkeeping key stays private."""
    return [{k: v for k, v in m.items() if k != "Anonymous"} for m in mounts]
