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
        # Reads kept until this connection changes a row: every write to our tables goes
        # through it (also those made with its `tx` outside this class), and nothing else
        # writes this file. A list of N containers asks for each one's plan, sandbox and
        # endpoints: N times three queries, a second of the daemon's time at 1,000.
        self._seen_changes = -1
        self._networks: tuple[Network, ...] | None = None
        self._plans: dict[str, Plan | None] = {}
        self._sandboxes: dict[str, Sandbox | None] = {}
        self._endpoints: dict[str, tuple[Endpoint, ...]] = {}
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
            self._seen_changes = -1  # reads inside it may have seen what was rolled back
            raise
        self.conn.execute("COMMIT")

    def _fresh(self) -> None:
        if self._seen_changes != self.conn.total_changes:
            self._networks = None
            self._plans.clear()
            self._sandboxes.clear()
            self._endpoints.clear()
            self._seen_changes = self.conn.total_changes

    def _docs(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        return [json.loads(row[0]) for row in self.conn.execute(sql, params)]

    # networks
    def networks(self) -> list[Network]:
        self._fresh()
        if self._networks is None:
            docs = self._docs("SELECT doc FROM net_networks ORDER BY rowid")
            self._networks = tuple(network_from(d) for d in docs)
        return list(self._networks)

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
        self._fresh()
        if container_id not in self._plans:
            sql = "SELECT doc FROM net_plans WHERE container_id = ?"
            docs = self._docs(sql, (container_id,))
            self._plans[container_id] = plan_from(docs[0]) if docs else None
        return self._plans[container_id]

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
        self._fresh()
        if container_id not in self._endpoints:
            sql = "SELECT doc FROM net_endpoints WHERE container_id = ?"
            found = (endpoint_from(d) for d in self._docs(sql, (container_id,)))
            self._endpoints[container_id] = tuple(sorted(found, key=lambda e: e.order))
        return list(self._endpoints[container_id])

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
        self._fresh()
        if container_id not in self._sandboxes:
            sql = "SELECT doc FROM net_sandboxes WHERE container_id = ?"
            docs = self._docs(sql, (container_id,))
            self._sandboxes[container_id] = sandbox_from(docs[0]) if docs else None
        return self._sandboxes[container_id]

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
