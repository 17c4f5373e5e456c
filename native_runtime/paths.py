"""Where the native engine keeps its state: data root, socket and the folders below them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_ROOT = "/var/lib/dockyard"
DEFAULT_SOCKET = "/run/dockyard/dockyard.sock"
RUNC = "/usr/sbin/runc"
CONMON = "/usr/bin/conmon"
DATA_ROOT_MODE = 0o710
PRIVATE_MODE = 0o700
SOCKET_MODE = 0o660
SOCKET_GROUP = "docker"


@dataclass(frozen=True)
class Paths:
    """Every on-disk location the daemon uses, derived from the data root."""

    data_root: Path
    socket: Path

    @classmethod
    def resolve(cls, data_root: str | None = None, socket: str | None = None) -> Paths:
        """Arguments win over DOCKYARD_DATA_ROOT / DOCKYARD_SOCKET, which win over defaults."""
        root = data_root or os.environ.get("DOCKYARD_DATA_ROOT") or DEFAULT_DATA_ROOT
        sock = socket or os.environ.get("DOCKYARD_SOCKET") or DEFAULT_SOCKET
        return cls(Path(root).absolute(), Path(sock).absolute())

    @property
    def run_dir(self) -> Path:
        # Network namespaces live beside the socket: /run/dockyard/netns for the real
        # daemon, the throwaway folder for a test daemon, so their sweeps never meet.
        return self.socket.parent

    @property
    def db(self) -> Path:
        return self.data_root / "dockyard.db"

    @property
    def pidfile(self) -> Path:
        return self.data_root / "daemon.pid"

    @property
    def layers(self) -> Path:
        return self.data_root / "layers"

    @property
    def image_configs(self) -> Path:
        return self.data_root / "imagedb"

    @property
    def containers(self) -> Path:
        return self.data_root / "containers"

    @property
    def runc_root(self) -> Path:
        # Our own runc state dir keeps us clear of dockerd's containers.
        return self.data_root / "runc"

    @property
    def exits(self) -> Path:
        return self.data_root / "exits"

    @property
    def attach_sockets(self) -> Path:
        return self.data_root / "sock"

    @property
    def volumes(self) -> Path:
        return self.data_root / "volumes"

    @property
    def tmp(self) -> Path:
        return self.data_root / "tmp"

    def ensure(self) -> None:
        """Create every folder the daemon writes to, closed to other host users.

        A container's rootfs and a volume may hold setuid-root files; if a host
        user could reach them they would run as root outside any container
        (CVE-2021-41091). As dockerd since 20.10.9: the data root is 0710 and
        the folders holding rootfs and volumes are 0700, whatever the umask.
        """
        for path in (
            self.data_root,
            self.layers,
            self.image_configs,
            self.containers,
            self.runc_root,
            self.exits,
            self.attach_sockets,
            self.tmp,
            self.volumes,
        ):
            path.mkdir(parents=True, exist_ok=True)
        self.data_root.chmod(DATA_ROOT_MODE)
        for private in (self.layers, self.containers, self.volumes, self.tmp):
            private.chmod(PRIVATE_MODE)
        self.socket.parent.mkdir(parents=True, exist_ok=True)
