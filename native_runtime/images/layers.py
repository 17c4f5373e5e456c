"""Content-addressed layer store: each layer kept as its tar and as an extracted directory."""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import IO

from native_runtime import names
from native_runtime.db import Database
from native_runtime.images import tarsafe

GZIP_MAGIC = b"\x1f\x8b"


def spool_uncompressed(src: IO[bytes], tmp_dir: Path) -> tuple[Path, str]:
    """Copy a (maybe gzipped) tar stream to a temp file; return it and its sha256 diff-id."""
    head = src.read(2)
    rest: IO[bytes] | gzip.GzipFile
    if head == GZIP_MAGIC:
        rest = gzip.GzipFile(fileobj=_Prefixed(head, src), mode="rb")  # type: ignore[call-overload]
        head = b""
    else:
        rest = src
    digest = hashlib.sha256()
    fd, name = tempfile.mkstemp(dir=tmp_dir, suffix=".tar")
    with os.fdopen(fd, "wb") as out:
        out.write(head)
        digest.update(head)
        while chunk := rest.read(1 << 20):
            out.write(chunk)
            digest.update(chunk)
    return Path(name), "sha256:" + digest.hexdigest()


class _Prefixed:
    """A reader that replays bytes already consumed to sniff the compression."""

    def __init__(self, prefix: bytes, src: IO[bytes]) -> None:
        self.prefix = prefix
        self.src = src

    def read(self, size: int = -1) -> bytes:
        if self.prefix:
            out, self.prefix = self.prefix, b""
            if size < 0:
                return out + self.src.read()
            return out + self.src.read(max(size - len(out), 0))
        return self.src.read(size)


class LayerStore:
    """Layers keyed by diff-id: `<root>/<hex>/layer.tar` and `<root>/<hex>/root/`."""

    def __init__(self, root: Path, tmp: Path, db: Database) -> None:
        self.root = root
        self.tmp = tmp
        self.db = db

    def dir(self, diff_id: str) -> Path:
        return self.root / names.digest_hex(diff_id, "layer diff-id")

    def rootfs(self, diff_id: str) -> Path:
        return self.dir(diff_id) / "root"

    def tar_path(self, diff_id: str) -> Path:
        return self.dir(diff_id) / "layer.tar"

    def exists(self, diff_id: str) -> bool:
        return bool(self.db.query("SELECT 1 FROM layers WHERE diff_id=?", (diff_id,)))

    def size(self, diff_id: str) -> int:
        rows = self.db.query("SELECT size FROM layers WHERE diff_id=?", (diff_id,))
        return int(rows[0]["size"]) if rows else 0

    def add(self, stream: IO[bytes]) -> str:
        """Store a layer from a tar stream; an identical layer is stored once."""
        tar_file, diff_id = spool_uncompressed(stream, self.tmp)
        try:
            if self.exists(diff_id):
                return diff_id
            staging = Path(tempfile.mkdtemp(dir=self.tmp, prefix="layer-"))
            try:
                (staging / "root").mkdir()
                with open(tar_file, "rb") as src:
                    tarsafe.extract(src, staging / "root")
                size = _du(staging / "root")
                os.replace(tar_file, staging / "layer.tar")
                final = self.dir(diff_id)
                if final.exists():
                    # A concurrent load stored the same layer first; theirs may be in use.
                    shutil.rmtree(staging)
                else:
                    os.rename(staging, final)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            with self.db.transaction() as tx:
                tx.execute("INSERT OR REPLACE INTO layers VALUES (?, ?)", (diff_id, size))
            return diff_id
        finally:
            tar_file.unlink(missing_ok=True)

    def remove_unused(self, in_use: set[str], only: set[str] | None = None) -> int:
        """Delete layers no image uses (only those in `only`, if given); return bytes reclaimed."""
        reclaimed = 0
        for row in self.db.query("SELECT diff_id, size FROM layers"):
            if row["diff_id"] in in_use or (only is not None and row["diff_id"] not in only):
                continue
            with self.db.transaction() as tx:
                tx.execute("DELETE FROM layers WHERE diff_id=?", (row["diff_id"],))
            shutil.rmtree(self.dir(row["diff_id"]), ignore_errors=True)
            reclaimed += int(row["size"])
        return reclaimed


def _du(path: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                continue
    return total
