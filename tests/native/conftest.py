"""Throwaway native daemons for tests: own data root, own socket, everything removed after."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
REPO = Path(__file__).resolve().parents[2]
RUNC = "/usr/sbin/runc"
TEST_IMAGE = "dockyard-test/busybox:latest"


def _missing_requirements() -> str | None:
    if os.geteuid() != 0:
        return "the native engine needs root"
    for tool in (RUNC, "/usr/bin/conmon", shutil.which("docker")):
        if not tool or not os.path.exists(tool):
            return f"{tool or 'docker CLI'} is not installed"
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # In CI a missing requirement must fail loudly, never skip silently.
    reason = None if IN_CI else _missing_requirements()
    for item in items:
        if "tests/native" in str(item.fspath) and reason:
            item.add_marker(pytest.mark.skip(reason=reason))


def ping(sock_path: str) -> bool:
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(1)
            sock.connect(sock_path)
            sock.sendall(b"GET /_ping HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            return sock.recv(4096).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def wait_for(check: Callable[[], bool], timeout: float = 15.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@dataclass
class NativeDaemon:
    """One daemon process with its data root and socket."""

    root: Path
    proc: subprocess.Popen[bytes] | None = None
    # Tagged names keep this daemon's bridges and chains apart from a real daemon's.
    net_tag: str = field(default_factory=lambda: secrets.token_hex(2))

    @property
    def data_root(self) -> Path:
        return self.root / "data"

    @property
    def socket(self) -> str:
        return str(self.root / "d.sock")

    @property
    def docker_host(self) -> str:
        return f"unix://{self.socket}"

    def start(self) -> None:
        log = open(self.root / "daemon.log", "ab")  # noqa: SIM115 - owned by the process
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "native_runtime", "daemon",
             "--data-root", str(self.data_root), "--socket", self.socket],
            cwd=REPO, stdout=log, stderr=log, start_new_session=True,
            env=dict(os.environ, DOCKYARD_NET_TAG=self.net_tag),
        )  # fmt: skip
        log.close()
        wait_for(lambda: ping(self.socket), what="the native daemon to answer /_ping")

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def destroy(self) -> None:
        """Stop the daemon, delete its containers, unmount its overlays, remove the folder."""
        self.stop()
        runc_root = self.data_root / "runc"
        if runc_root.exists():
            listed = subprocess.run(
                [RUNC, "--root", str(runc_root), "list", "--format", "json"],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            for entry in json.loads(listed.stdout or "null") or []:
                subprocess.run(
                    [RUNC, "--root", str(runc_root), "delete", "--force", entry["id"]],
                    capture_output=True, check=False,
                )  # fmt: skip
        self._teardown_network()
        # Overlays under the data root; network namespaces (and their folder) under root.
        prefix = str(self.root) + "/"
        # Stacked mounts (the shared netns folder is bound onto itself) need more than
        # one pass; a mount left behind would keep the folder alive after rmtree.
        for _ in range(5):
            with open("/proc/self/mountinfo") as info:
                mounts = [line.split()[4] for line in info if line.split()[4].startswith(prefix)]
            if not mounts:
                break
            for mount in sorted(mounts, key=len, reverse=True):
                subprocess.run(["umount", "-l", mount], capture_output=True, check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def _teardown_network(self) -> None:
        """What the daemon's own stop does when nothing runs; needed after a kill -9."""
        from native_runtime.network import Naming, NetworkManager

        if not (self.data_root / "dockyard.db").exists():
            return

        async def teardown() -> None:
            manager = NetworkManager(
                self.data_root / "network",
                self.data_root / "dockyard.db",
                run_dir=self.root,
                naming=Naming.tagged(self.net_tag),
                upstreams=[],
            )
            try:
                await manager.teardown_all()
            finally:
                manager.store.close()

        # A thread of its own: the caller may be inside a running event loop.
        worker = threading.Thread(target=lambda: asyncio.run(teardown()))
        worker.start()
        worker.join(60)

    def docker(
        self, *args: str, input: bytes | None = None, check: bool = True, timeout: float = 60
    ) -> subprocess.CompletedProcess[bytes]:
        """Run the real docker CLI against this daemon."""
        env = dict(os.environ, DOCKER_HOST=self.docker_host)
        env.pop("DOCKER_CONTEXT", None)
        result = subprocess.run(
            ["docker", *args], input=input, capture_output=True, env=env, timeout=timeout,
            check=False,
        )  # fmt: skip
        if check and result.returncode != 0:
            raise AssertionError(
                f"docker {' '.join(args)} failed ({result.returncode}): {result.stderr.decode()}"
            )
        return result

    def out(self, *args: str) -> str:
        return self.docker(*args).stdout.decode().strip()


def new_daemon() -> NativeDaemon:
    # Short paths: the socket path must fit in a sockaddr_un (108 bytes).
    return NativeDaemon(Path(tempfile.mkdtemp(prefix="dyn-", dir="/tmp")))


def load_test_image(daemon: NativeDaemon) -> None:
    """`docker save` from the real dockerd piped into the native `docker load`.

    If dockerd is briefly unavailable (another session restarting it), the same
    image is rebuilt from the host's busybox-static and imported instead.
    """
    saved = subprocess.run(
        ["docker", "-H", "unix:///var/run/docker.sock", "save", TEST_IMAGE],
        capture_output=True, check=False, timeout=60,
    )  # fmt: skip
    if saved.returncode == 0:
        daemon.docker("load", input=saved.stdout)
        return
    tar = make_rootfs_tar(daemon.root / "busybox-rootfs.tar", all_applets=True)
    daemon.docker(
        "import", "--change", 'CMD ["/bin/sh"]', "--change", "ENV PATH=/bin", str(tar), TEST_IMAGE
    )


@pytest.fixture(scope="session")
def native() -> Iterator[NativeDaemon]:
    """The shared throwaway daemon, with the test image loaded."""
    daemon = new_daemon()
    try:
        daemon.start()
        load_test_image(daemon)
        yield daemon
    finally:
        daemon.destroy()


@pytest.fixture
def daemon_factory() -> Iterator[Callable[[], NativeDaemon]]:
    """Extra daemons for tests that must kill one; each is destroyed afterwards."""
    made: list[NativeDaemon] = []

    def make() -> NativeDaemon:
        daemon = new_daemon()
        made.append(daemon)
        daemon.start()
        return daemon

    yield make
    for daemon in made:
        daemon.destroy()


@pytest.fixture
def cleanup_containers(native: NativeDaemon) -> Iterator[list[str]]:
    """Names or ids appended here are force-removed after the test."""
    created: list[str] = []
    yield created
    for ref in created:
        native.docker("rm", "-f", ref, check=False)


def make_rootfs_tar(path: Path, all_applets: bool = False) -> Path:
    """A minimal rootfs from the host's static busybox: /bin/busybox plus /bin/sh."""
    busybox = shutil.which("busybox") or "/bin/busybox"
    with tarfile.open(path, "w") as tar:
        for folder in ("bin", "etc", "tmp"):
            info = tarfile.TarInfo(folder)
            info.type = tarfile.DIRTYPE
            info.mode = 0o755
            tar.addfile(info)
        tar.add(busybox, arcname="bin/busybox")
        applets = ["sh", "echo", "cat", "ls", "env", "id", "sleep", "hostname", "pwd"]
        if all_applets:
            listed = subprocess.run([busybox, "--list"], capture_output=True, text=True, check=True)
            applets = sorted(set(listed.stdout.split()) - {"busybox"})
        for applet in applets:
            link = tarfile.TarInfo(f"bin/{applet}")
            link.type = tarfile.SYMTYPE
            link.linkname = "busybox"
            tar.addfile(link)
        passwd = b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n"
        info = tarfile.TarInfo("etc/passwd")
        info.size = len(passwd)
        info.mode = 0o644
        import io

        tar.addfile(info, io.BytesIO(passwd))
    return path
