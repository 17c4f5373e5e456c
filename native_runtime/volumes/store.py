"""Local-driver volumes: a folder `<data root>/volumes/<name>/_data` and a row each."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from native_runtime import names
from native_runtime.containers import inroot
from native_runtime.db import Database
from native_runtime.errors import BadParameter, Conflict, NotFound

SCHEMA = """
CREATE TABLE IF NOT EXISTS volumes (
    name TEXT PRIMARY KEY,
    created TEXT NOT NULL,
    labels TEXT NOT NULL,
    anonymous INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class Volume:
    """One volume as stored."""

    name: str
    created: str
    labels: dict[str, str]
    anonymous: bool
    mountpoint: Path

    def to_docker(self) -> dict[str, Any]:
        return {
            "Name": self.name,
            "Driver": "local",
            "Mountpoint": str(self.mountpoint),
            "CreatedAt": self.created,
            "Labels": self.labels or None,
            "Scope": "local",
            "Options": None,
            "UsageData": None,
        }


class VolumeStore:
    """Creates, finds and removes volumes; callers check usage before removal."""

    def __init__(self, root: Path, db: Database) -> None:
        self.root = root
        self.db = db
        root.mkdir(parents=True, exist_ok=True)
        db.conn.executescript(SCHEMA)

    def data_dir(self, name: str) -> Path:
        return self.root / name / "_data"

    def _row(self, row: Any) -> Volume:
        return Volume(
            name=row["name"],
            created=row["created"],
            labels=json.loads(row["labels"]),
            anonymous=bool(row["anonymous"]),
            mountpoint=self.data_dir(row["name"]),
        )

    def get(self, name: str) -> Volume:
        rows = self.db.query("SELECT * FROM volumes WHERE name=?", (name,))
        if not rows:
            raise NotFound(f"get {name}: no such volume")
        return self._row(rows[0])

    def all(self) -> list[Volume]:
        return [self._row(r) for r in self.db.query("SELECT * FROM volumes ORDER BY name")]

    def create(self, name: str | None, labels: dict[str, str] | None = None) -> tuple[Volume, bool]:
        """Return the volume and whether it is new; creating an existing name is a no-op."""
        anonymous = not name
        name = name or secrets.token_hex(32)
        if not names.valid_name(name):
            raise BadParameter(
                f'create {name}: "{name}" includes invalid characters for a local volume name, '
                "only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
            )
        rows = self.db.query("SELECT * FROM volumes WHERE name=?", (name,))
        if rows:
            return self._row(rows[0]), False
        self.data_dir(name).mkdir(parents=True, exist_ok=True)
        created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT INTO volumes VALUES (?, ?, ?, ?)",
                (name, created, json.dumps(labels or {}), int(anonymous)),
            )
        return self.get(name), True

    def remove(self, name: str, users: list[str]) -> None:
        self.get(name)
        if users:
            raise Conflict(f"remove {name}: volume is in use - [{', '.join(users)}]")
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM volumes WHERE name=?", (name,))
        shutil.rmtree(self.root / name, ignore_errors=True)

    def size(self, name: str) -> int:
        """Bytes in regular files; walked through fds, so no link leads the count out."""
        total = 0
        flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
        try:
            with inroot.fd_of(self.data_dir(name), flags) as fd:
                for entry in inroot.walk(fd):
                    if stat.S_ISREG(entry.st.st_mode):
                        total += entry.st.st_size
        except OSError:
            return total
        return total
