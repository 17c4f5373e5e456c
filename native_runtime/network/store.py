"""The network engine's SQLite tables; every change runs in one transaction."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from native_runtime.network.model import (
    Endpoint,
    Network,
    Plan,
    Sandbox,
    endpoint_from,
    network_from,
    plan_from,
    sandbox_from,
    to_doc,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS net_networks (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    doc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS net_plans (
    container_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS net_endpoints (
    container_id TEXT NOT NULL,
    network_id TEXT NOT NULL,
    ip TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (container_id, network_id),
    UNIQUE (network_id, ip)
);
CREATE TABLE IF NOT EXISTS net_sandboxes (
    container_id TEXT PRIMARY KEY,
    doc TEXT NOT NULL
);
"""


class NetworkStore:
    """Own connection to the daemon's database (or a file of its own); our tables only.

    A connection of our own keeps our transactions apart from the daemon's, which SQLite
    serialises for us (WAL plus a busy timeout).
    """

    def __init__(self, db: Path | str | sqlite3.Connection) -> None:
        self._owned = not isinstance(db, sqlite3.Connection)
        if isinstance(db, sqlite3.Connection):
            self.conn = db
        else:
            self.conn = sqlite3.connect(
                db, isolation_level=None, check_same_thread=False, timeout=30
            )
            self.conn.execute("PRAGMA journal_mode=WAL")
            # Survives a killed daemon; see native_runtime.db for the trade-off.
            self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.executescript(SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def _docs(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        return [json.loads(row[0]) for row in self.conn.execute(sql, params)]

    # networks
    def networks(self) -> list[Network]:
        return [network_from(d) for d in self._docs("SELECT doc FROM net_networks ORDER BY rowid")]

    def put_network(self, tx: sqlite3.Connection, net: Network) -> None:
        tx.execute(
            "INSERT OR REPLACE INTO net_networks (id, name, doc) VALUES (?, ?, ?)",
            (net.id, net.name, json.dumps(to_doc(net))),
        )

    def delete_network(self, tx: sqlite3.Connection, network_id: str) -> None:
        tx.execute("DELETE FROM net_networks WHERE id = ?", (network_id,))

    # plans
    def plans(self) -> list[Plan]:
        return [plan_from(d) for d in self._docs("SELECT doc FROM net_plans ORDER BY rowid")]

    def plan(self, container_id: str) -> Plan | None:
        docs = self._docs("SELECT doc FROM net_plans WHERE container_id = ?", (container_id,))
        return plan_from(docs[0]) if docs else None

    def put_plan(self, tx: sqlite3.Connection, plan: Plan) -> None:
        tx.execute(
            "INSERT OR REPLACE INTO net_plans (container_id, name, doc) VALUES (?, ?, ?)",
            (plan.container_id, plan.name, json.dumps(to_doc(plan))),
        )

    def delete_plan(self, tx: sqlite3.Connection, container_id: str) -> None:
        tx.execute("DELETE FROM net_plans WHERE container_id = ?", (container_id,))

    # endpoints
    def endpoints(self, network_id: str | None = None) -> list[Endpoint]:
        if network_id is None:
            docs = self._docs("SELECT doc FROM net_endpoints ORDER BY rowid")
        else:
            docs = self._docs(
                "SELECT doc FROM net_endpoints WHERE network_id = ? ORDER BY rowid", (network_id,)
            )
        return [endpoint_from(d) for d in docs]

    def endpoints_of(self, container_id: str) -> list[Endpoint]:
        docs = self._docs("SELECT doc FROM net_endpoints WHERE container_id = ?", (container_id,))
        return sorted((endpoint_from(d) for d in docs), key=lambda e: e.order)

    def put_endpoint(self, tx: sqlite3.Connection, ep: Endpoint) -> None:
        tx.execute(
            "INSERT INTO net_endpoints (container_id, network_id, ip, doc) VALUES (?, ?, ?, ?)",
            (ep.container_id, ep.network_id, ep.ip, json.dumps(to_doc(ep))),
        )

    def delete_endpoint(self, tx: sqlite3.Connection, container_id: str, network_id: str) -> None:
        tx.execute(
            "DELETE FROM net_endpoints WHERE container_id = ? AND network_id = ?",
            (container_id, network_id),
        )

    # sandboxes
    def sandboxes(self) -> list[Sandbox]:
        return [sandbox_from(d) for d in self._docs("SELECT doc FROM net_sandboxes")]

    def sandbox(self, container_id: str) -> Sandbox | None:
        docs = self._docs("SELECT doc FROM net_sandboxes WHERE container_id = ?", (container_id,))
        return sandbox_from(docs[0]) if docs else None

    def put_sandbox(self, tx: sqlite3.Connection, sandbox: Sandbox) -> None:
        tx.execute(
            "INSERT OR REPLACE INTO net_sandboxes (container_id, doc) VALUES (?, ?)",
            (sandbox.container_id, json.dumps(to_doc(sandbox))),
        )

    def delete_sandbox(self, tx: sqlite3.Connection, container_id: str) -> None:
        tx.execute("DELETE FROM net_sandboxes WHERE container_id = ?", (container_id,))

    def close(self) -> None:
        if self._owned:
            self.conn.close()
