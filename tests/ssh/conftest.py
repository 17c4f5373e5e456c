"""The rig's throwaway sshd (scripts/sshd-ctl.sh): its URLs and the client configs it wrote."""

from __future__ import annotations

import getpass
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import require


@dataclass(frozen=True)
class SSHRig:
    """Where the rig's sshd listens, and ssh_config files for each way a connection goes."""

    folder: Path
    port: int
    port_without_docker: int

    def url(self, port: int | None = None) -> str:
        return f"ssh://{getpass.getuser()}@127.0.0.1:{port or self.port}"

    @property
    def config(self) -> str:
        """Our key, the host's key known: the connection works."""
        return str(self.folder / "ssh_config")

    @property
    def config_stranger(self) -> str:
        """A key the host does not know."""
        return str(self.folder / "ssh_config_stranger")

    @property
    def config_unknown_host(self) -> str:
        """An empty known_hosts: the host's key is unknown."""
        return str(self.folder / "ssh_config_unknown_host")


@pytest.fixture(scope="session")
def ssh_rig() -> SSHRig:
    rig = os.environ.get("DOCKYARD_RIG_DIR", "")
    ports = Path(rig, "sshd", "ports")
    require(bool(rig) and ports.is_file(), "no sshd from the test rig (scripts/sshd-ctl.sh)")
    port, without_docker = (int(p) for p in ports.read_text().split())
    return SSHRig(Path(rig, "sshd"), port, without_docker)


@pytest.fixture
def ssh_url(ssh_rig: SSHRig, monkeypatch: pytest.MonkeyPatch) -> str:
    """The rig's sshd as an ssh:// engine, with the client config that gets in."""
    monkeypatch.setenv("DOCKYARD_SSH_CONFIG", ssh_rig.config)
    return ssh_rig.url()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts TCP connections and never says a word: a hung host."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]
