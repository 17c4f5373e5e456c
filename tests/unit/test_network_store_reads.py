"""The network store keeps its reads: a write or a rolled-back transaction makes it read again."""

from __future__ import annotations

from pathlib import Path

import pytest

from native_runtime.network.model import Plan
from native_runtime.network.store import NetworkStore


@pytest.fixture
def store(tmp_path: Path) -> NetworkStore:
    return NetworkStore(tmp_path / "network.db")


def test_a_plan_written_after_it_was_read_as_missing_is_found(store: NetworkStore) -> None:
    assert store.plan("c1") is None
    with store.transaction() as tx:
        store.put_plan(tx, Plan("c1", "web"))
    found = store.plan("c1")
    assert found is not None and found.name == "web"


def test_a_row_deleted_outside_the_store_methods_is_gone(store: NetworkStore) -> None:
    with store.transaction() as tx:
        store.put_plan(tx, Plan("c1", "web"))
    assert store.plan("c1") is not None
    with store.transaction() as tx:
        tx.execute("DELETE FROM net_plans")
    assert store.plan("c1") is None


def test_what_a_rolled_back_transaction_read_is_not_kept(store: NetworkStore) -> None:
    with pytest.raises(RuntimeError), store.transaction() as tx:
        store.put_plan(tx, Plan("c1", "web"))
        assert store.plan("c1") is not None  # read inside, before the rollback
        raise RuntimeError("the create failed")
    assert store.plan("c1") is None
