"""Attacks run against dockerd and a throwaway native daemon in the same test.

Every test here is watched by a canary: a folder outside both data roots that
attacks aim at, snapshotted before and after the test, which must not change.
The native daemon's own folder is opened to other users (0755), so only the
modes the daemon sets itself stand between a host user and its data root.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import require
from tests.fixtures.both_engines import docker_client, docker_url, engine
from tests.fixtures.docker import DOCKER_SOCKET, TEST_IMAGE, Resources

__all__ = ["DOCKER_SOCKET", "TEST_IMAGE", "Resources", "docker_client", "docker_url", "engine"]

SECRET = b"canary secret: never readable through a container\n"
EVIL_PASSWD = b"root:x:0:0:root:/root:/bin/sh\nevil:x:4242:4242:evil:/:/bin/sh\n"


@pytest.fixture(scope="session")
def native_daemon_url() -> Iterator[str]:
    """A throwaway native daemon whose parent folder anyone may traverse."""
    from tests.native.conftest import load_test_image, new_daemon

    require(os.geteuid() == 0, "the native engine needs root")
    for tool in ("/usr/sbin/runc", "/usr/bin/conmon"):
        require(os.path.exists(tool), f"{tool} is not installed")
    daemon = new_daemon()
    try:
        os.chmod(daemon.root, 0o755)
        daemon.start()
        load_test_image(daemon)
        yield daemon.docker_host
    finally:
        daemon.destroy()


@dataclass(frozen=True)
class Canary:
    """A host folder an attacker would love to read or write."""

    root: Path

    @property
    def secret(self) -> Path:
        return self.root / "secret"

    @property
    def etc(self) -> Path:
        return self.root / "etc"


def snapshot(root: Path) -> dict[str, tuple[int, int, int, str]]:
    """Every entry below root: mode, owner, size and a content hash (links by their target)."""
    found: dict[str, tuple[int, int, int, str]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath, name)
            st = path.lstat()
            if stat.S_ISREG(st.st_mode):
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            elif stat.S_ISLNK(st.st_mode):
                digest = os.readlink(path)
            else:
                digest = ""
            found[str(path.relative_to(root))] = (st.st_mode, st.st_uid, st.st_size, digest)
    return found


@pytest.fixture(autouse=True)
def canary() -> Iterator[Canary]:
    root = Path(tempfile.mkdtemp(prefix="dyk-canary-", dir="/tmp"))
    try:
        os.chmod(root, 0o755)
        found = Canary(root)
        found.secret.write_bytes(SECRET)
        found.etc.mkdir()
        (found.etc / "passwd").write_bytes(EVIL_PASSWD)
        (found.etc / "group").write_bytes(b"root:x:0:\nevil:x:4242:\n")
        before = snapshot(root)
        yield found
        assert snapshot(root) == before, "the canary folder outside the data roots changed"
    finally:
        shutil.rmtree(root, ignore_errors=True)
