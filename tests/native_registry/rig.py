"""The registry tests' rig: private docker-registry processes and throwaway native stores."""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import warnings
from dataclasses import dataclass
from pathlib import Path

from native_runtime.db import Database
from native_runtime.images import archive
from native_runtime.images.layers import LayerStore
from native_runtime.images.store import ImageStore
from native_runtime.registry.service import RegistryService
from tests.conftest import require

REGISTRY_BIN = shutil.which("docker-registry") or "/usr/bin/docker-registry"
TEST_IMAGE = "dockyard-test/busybox:latest"
USER, PASSWORD = "dockyard", "s3cret-pass"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except urllib.error.HTTPError as exc:
        return exc.code == 401  # an auth-protected registry is up when it challenges
    except OSError:
        return False


@dataclass
class Registry:
    """One docker-registry process on 127.0.0.1 with its storage in a temp folder."""

    folder: Path
    port: int
    proc: subprocess.Popen[bytes]

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def storage(self) -> Path:
        return self.folder / "store" / "docker" / "registry" / "v2"

    def blob_path(self, digest: str) -> Path:
        hexa = digest.removeprefix("sha256:")
        return self.storage / "blobs" / "sha256" / hexa[:2] / hexa / "data"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_registry(htpasswd: str | None = None) -> Registry:
    require(os.path.exists(REGISTRY_BIN), "Debian's docker-registry is not installed")
    folder = Path(tempfile.mkdtemp(prefix="dyreg-"))
    port = free_port()
    auth = ""
    if htpasswd is not None:
        (folder / "htpasswd").write_text(htpasswd)
        auth = f"auth:\n  htpasswd:\n    realm: dockyard-test\n    path: {folder / 'htpasswd'}\n"
    (folder / "config.yml").write_text(
        "version: 0.1\nlog:\n  level: error\n"
        f"storage:\n  filesystem:\n    rootdirectory: {folder / 'store'}\n"
        "  delete:\n    enabled: true\n"
        f"http:\n  addr: 127.0.0.1:{port}\n{auth}"
    )
    log = open(folder / "registry.log", "ab")  # noqa: SIM115 - owned by the process
    proc = subprocess.Popen(
        [REGISTRY_BIN, "serve", str(folder / "config.yml")], stdout=log, stderr=log,
        start_new_session=True,
    )  # fmt: skip
    log.close()
    registry = Registry(folder, port, proc)
    deadline = time.monotonic() + 20
    while not _answers(f"http://{registry.host}/v2/"):
        if proc.poll() is not None or time.monotonic() > deadline:
            registry.stop()
            raise AssertionError("the test registry did not start")
        time.sleep(0.05)
    return registry


def bcrypt_line(user: str, password: str) -> str:
    """An htpasswd entry without apache2-utils: glibc's crypt does bcrypt ($2b$).

    The lowest cost (2^4) keeps the registry's per-request check fast in tests.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import crypt  # deprecated in 3.11, but it saves a bcrypt dependency
    return f"{user}:{crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16))}\n"


@dataclass
class Store:
    """A native image store in a temp folder, as part 1's daemon lays it out."""

    root: Path
    db: Database
    layers: LayerStore
    images: ImageStore
    service: RegistryService

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    def leftovers(self) -> list[str]:
        return sorted(p.name for p in self.tmp.iterdir())


def make_store(root: Path) -> Store:
    for sub in ("layers", "imagedb", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    db = Database(root / "dockyard.db")
    layers = LayerStore(root / "layers", root / "tmp", db)
    images = ImageStore(root / "imagedb", db, layers)
    service = RegistryService.for_data_root(
        layers, images, root, root / "dockyard.db", root / "tmp"
    )
    return Store(root, db, layers, images, service)


def load_busybox(store: Store, saved: bytes) -> str:
    """Load the dockerd-saved test image into `store`; return its image id."""
    archive.load(store.images, io.BytesIO(saved))
    return store.images.resolve(TEST_IMAGE)
