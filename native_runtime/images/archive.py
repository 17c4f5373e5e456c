"""docker-archive `save` and `load`: manifest.json, configs and one layer.tar per layer."""

from __future__ import annotations

import json
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from native_runtime import names
from native_runtime.errors import BadParameter
from native_runtime.images.store import ImageStore, normalize_ref

MAX_LINKS = 40


def _spool_members(stream: IO[bytes], workdir: Path) -> dict[str, Path]:
    """Copy every regular member to a flat temp folder; names are never used as paths."""
    files: dict[str, Path] = {}
    with tarfile.open(fileobj=stream, mode="r|*") as tar:
        for index, member in enumerate(tar):
            name = _normpath(member.name)
            if member.issym() or member.islnk():
                # docker save links duplicate layer tars; resolve the link at lookup time.
                target = member.linkname
                if member.issym():
                    target = str(Path(name).parent / target)
                files.setdefault("@link:" + name, Path(target))
                continue
            if not member.isfile():
                continue
            data = tar.extractfile(member)
            if data is None:
                continue
            path = workdir / f"m{index}"
            with open(path, "wb") as out:
                shutil.copyfileobj(data, out, 1 << 20)
            files[name] = path
    return files


def _member(files: dict[str, Path], name: str) -> Path:
    """The spooled file for `name`, following the archive's own links a bounded number of times."""
    wanted = _normpath(name)
    for _ in range(MAX_LINKS):
        if wanted in files:
            return files[wanted]
        link = files.get("@link:" + wanted)
        if link is None:
            raise BadParameter(f"archive lacks {name}")
        wanted = _normpath(str(link))
    raise BadParameter(f"too many levels of links in the archive for {name}")


def _normpath(path: str) -> str:
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


def load(store: ImageStore, stream: IO[bytes]) -> list[str]:
    """Load every image of a docker-archive; return Docker's progress lines.

    Names are checked before anything is stored, and a failed load removes the
    layers it added that no image uses, so a refused archive leaves nothing behind.
    """
    workdir = Path(tempfile.mkdtemp(dir=store.layers.tmp, prefix="load-"))
    added: set[str] = set()
    try:
        files = _spool_members(stream, workdir)
        if "manifest.json" not in files:
            raise BadParameter("not a docker-archive: manifest.json is missing")
        manifest = _read_manifest(files["manifest.json"])
        lines: list[str] = []
        for entry in manifest:
            tags = [normalize_ref(str(t)) for t in entry.get("RepoTags") or []]
            config_bytes = _member(files, str(entry["Config"])).read_bytes()
            config = json.loads(config_bytes)
            expected = [names.check_digest(d, "layer diff-id") for d in _diff_ids(config)]
            for index, layer in enumerate(entry.get("Layers", [])):
                existed = index < len(expected) and store.layers.exists(expected[index])
                with open(_member(files, str(layer)), "rb") as src:
                    diff_id = store.layers.add(src)
                if not existed:
                    added.add(diff_id)
                if index < len(expected) and diff_id != expected[index]:
                    raise BadParameter(f"layer {layer} does not match the image config")
            image_id = store.put(config_bytes, tags)
            added.difference_update(_diff_ids(config))
            lines.extend(f"Loaded image: {t}" for t in tags)
            if not tags:
                lines.append(f"Loaded image ID: {image_id}")
        return lines
    except (ValueError, KeyError, TypeError) as exc:
        raise BadParameter(f"invalid docker-archive: {exc}") from exc
    finally:
        if added:
            store.layers.remove_unused(store.layers_in_use(), only=added)
        shutil.rmtree(workdir, ignore_errors=True)


def _read_manifest(path: Path) -> list[dict[str, Any]]:
    manifest = json.loads(path.read_bytes())
    if not isinstance(manifest, list) or not all(isinstance(e, dict) for e in manifest):
        raise BadParameter("invalid docker-archive: manifest.json is not a list of images")
    return manifest


def _diff_ids(config: Any) -> list[str]:
    rootfs = config.get("rootfs") if isinstance(config, dict) else None
    diff_ids = rootfs.get("diff_ids") if isinstance(rootfs, dict) else None
    return [str(d) for d in diff_ids] if isinstance(diff_ids, list) else []


def save(store: ImageStore, names: list[str], out: IO[bytes]) -> None:
    """Write the named images as one docker-archive to `out`."""
    manifest = []
    repositories: dict[str, dict[str, str]] = {}
    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        written: set[str] = set()
        for name in names:
            record = store.lookup(name)
            hex_id = record.id.removeprefix("sha256:")
            asked = normalize_ref(name) if not name.startswith("sha256:") else ""
            tags = [asked] if asked in record.tags else ([] if asked == "" else record.tags)
            layer_paths = []
            for diff_id in record.diff_ids:
                layer_hex = diff_id.removeprefix("sha256:")
                layer_paths.append(f"{layer_hex}/layer.tar")
                if layer_hex in written:
                    continue
                written.add(layer_hex)
                _add_dir(tar, layer_hex)
                _add_bytes(tar, f"{layer_hex}/VERSION", b"1.0")
                _add_bytes(tar, f"{layer_hex}/json", json.dumps({"id": layer_hex}).encode())
                tar.add(str(store.layers.tar_path(diff_id)), arcname=f"{layer_hex}/layer.tar")
            _add_bytes(tar, f"{hex_id}.json", record.config_bytes)
            manifest.append({"Config": f"{hex_id}.json", "RepoTags": tags, "Layers": layer_paths})
            for tag in tags:
                repo, _, version = tag.rpartition(":")
                last = layer_paths[-1].split("/")[0] if layer_paths else hex_id
                repositories.setdefault(repo, {})[version] = last
        _add_bytes(tar, "manifest.json", json.dumps(manifest).encode())
        if repositories:
            _add_bytes(tar, "repositories", json.dumps(repositories).encode())


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    import io

    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def _add_dir(tar: tarfile.TarFile, name: str) -> None:
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    info.mode = 0o755
    tar.addfile(info)


def iter_file(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as src:
        while chunk := src.read(1 << 20):
            yield chunk
