"""Fixtures for the registry tests: private registries, stores and the test image's archive."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import require
from tests.native_registry.rig import (
    PASSWORD,
    TEST_IMAGE,
    USER,
    Registry,
    Store,
    bcrypt_line,
    make_store,
    start_registry,
)

StoreFactory = Callable[[], Store]


@pytest.fixture(scope="session")
def plain_registry() -> Iterator[Registry]:
    reg = start_registry()
    try:
        yield reg
    finally:
        reg.stop()


@pytest.fixture(scope="session")
def auth_registry() -> Iterator[Registry]:
    reg = start_registry(bcrypt_line(USER, PASSWORD))
    try:
        yield reg
    finally:
        reg.stop()


@pytest.fixture
def store_factory() -> Iterator[StoreFactory]:
    made: list[Store] = []

    def make() -> Store:
        store = make_store(Path(tempfile.mkdtemp(prefix="dyreg-store-")))
        made.append(store)
        return store

    yield make
    for store in made:
        store.service.close()
        store.db.close()
        shutil.rmtree(store.root, ignore_errors=True)


@pytest.fixture(scope="session")
def busybox_archive() -> bytes:
    """`docker save` of the test image from the real dockerd."""
    saved = subprocess.run(
        ["docker", "-H", "unix:///var/run/docker.sock", "save", TEST_IMAGE],
        capture_output=True, check=False, timeout=120,
    )  # fmt: skip
    require(saved.returncode == 0, f"dockerd cannot save {TEST_IMAGE}: {saved.stderr.decode()}")
    return saved.stdout
