"""What the registry code remembers in the daemon's SQLite file: blob digests and repo digests."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS registry_blobs (
    diff_id TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    size INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS registry_repo_digests (
    ref TEXT PRIMARY KEY,
    image_id TEXT NOT NULL
);
"""


class RegistryCache:
    """diff-id -> compressed blob (so a push skips work) and `repo@digest` -> image id.

    It opens its own connection to the daemon's database file: WAL mode lets it
    write from worker threads without sharing the daemon's connection.
    """

    def __init__(self, db_path: Path) -> None:
        self._conn = sqlite3.connect(db_path, timeout=30, check_same_thread=False)
        self._lock = threading.Lock()
        with self._lock:
            self._conn.executescript(SCHEMA)

    def blob_for(self, diff_id: str) -> tuple[str, int] | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT digest, size FROM registry_blobs WHERE diff_id=?", (diff_id,)
            ).fetchone()
        return (str(row[0]), int(row[1])) if row else None

    def remember_blob(self, diff_id: str, digest: str, size: int) -> None:
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT OR REPLACE INTO registry_blobs VALUES (?, ?, ?)", (diff_id, digest, size)
            )

    def remember_repo_digest(self, ref: str, image_id: str) -> None:
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT OR REPLACE INTO registry_repo_digests VALUES (?, ?)", (ref, image_id)
            )

    def image_for(self, ref: str) -> str | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT image_id FROM registry_repo_digests WHERE ref=?", (ref,)
            ).fetchone()
        return str(row[0]) if row else None

    def repo_digests(self, image_id: str) -> list[str]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT ref FROM registry_repo_digests WHERE image_id=? ORDER BY ref", (image_id,)
            ).fetchall()
        return [str(r[0]) for r in rows]

    def close(self) -> None:
        self._conn.close()
