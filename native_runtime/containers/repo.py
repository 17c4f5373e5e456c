"""Container records in SQLite, with lookups by id, id prefix or name."""

from __future__ import annotations

import json

from native_runtime.containers.model import Container
from native_runtime.db import Database
from native_runtime.errors import BadParameter, NotFound


class ContainerRepo:
    """Loads all records once; every change is written in a transaction, then cached."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.by_id: dict[str, Container] = {}
        for row in db.query("SELECT doc FROM containers"):
            ctr = Container.from_doc(json.loads(row["doc"]))
            self.by_id[ctr.id] = ctr

    def all(self) -> list[Container]:
        return sorted(self.by_id.values(), key=lambda c: c.created, reverse=True)

    def find(self, ref: str) -> Container:
        """Docker's order: full id, then exact name, then a unique id prefix."""
        ref = ref.removeprefix("/")
        if ref in self.by_id:
            return self.by_id[ref]
        for ctr in self.by_id.values():
            if ctr.name == ref:
                return ctr
        matches = [c for c in self.by_id.values() if ref and c.id.startswith(ref)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise BadParameter(f"multiple IDs found with provided prefix: {ref}")
        raise NotFound(f"No such container: {ref}")

    def name_owner(self, name: str) -> Container | None:
        for ctr in self.by_id.values():
            if ctr.name == name:
                return ctr
        return None

    def save(self, ctr: Container) -> None:
        doc = json.dumps(ctr.to_doc())
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT OR REPLACE INTO containers (id, name, image_id, doc) VALUES (?, ?, ?, ?)",
                (ctr.id, ctr.name, ctr.image_id, doc),
            )
        self.by_id[ctr.id] = ctr

    def delete(self, ctr: Container) -> None:
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM containers WHERE id=?", (ctr.id,))
        self.by_id.pop(ctr.id, None)

    def using_image(self, image_id: str) -> list[str]:
        return [c.id for c in self.by_id.values() if c.image_id == image_id]
