"""Pull time of a multi-layer image from a local registry: native client vs dockerd; figures only.

Builds a 5-layer image on dockerd (FROM the test busybox, four RUN steps each
writing a few MB), pushes it to a private docker-registry on 127.0.0.1, then
pulls it N times with each engine into an empty state (the busybox base layer
present on both sides) and prints the medians side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from native_runtime.db import Database
from native_runtime.images import archive
from native_runtime.images.layers import LayerStore
from native_runtime.images.store import ImageStore
from native_runtime.registry.service import RegistryService

BASE = "dockyard-test/busybox:latest"
DOCKERD = "unix:///var/run/docker.sock"
DOCKERFILE = """FROM {base}
RUN head -c {size} /dev/urandom > /layer1.bin
RUN head -c {size} /dev/urandom > /layer2.bin
RUN head -c {size} /dev/urandom > /layer3.bin
RUN mkdir /many && for i in $(seq 1 300); do echo file $i > /many/f$i.txt; done
"""


def docker(*args: str, input: bytes | None = None) -> bytes:
    env = dict(os.environ, DOCKER_HOST=DOCKERD, DOCKER_BUILDKIT="0")
    done = subprocess.run(["docker", *args], env=env, input=input, capture_output=True, check=True)
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Registry:
    """A private docker-registry on a free loopback port, stopped by its PID."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="dyreg-bench-"))
        self.host = f"127.0.0.1:{free_port()}"
        (self.folder / "config.yml").write_text(
            f"version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n"
            f"    rootdirectory: {self.folder / 'store'}\nhttp:\n  addr: {self.host}\n"
        )
        self.proc = subprocess.Popen(
            ["docker-registry", "serve", str(self.folder / "config.yml")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while not self._answers():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise SystemExit("docker-registry did not start")
            time.sleep(0.05)

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://{self.host}/v2/", timeout=1):
                return True
        except (urllib.error.URLError, OSError):
            return False

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(10)
        shutil.rmtree(self.folder, ignore_errors=True)


def native_pull_once(ref: str, base_archive: bytes) -> float:
    """One pull into a fresh store that already holds the base image; seconds."""
    root = Path(tempfile.mkdtemp(prefix="dyreg-bench-store-"))
    try:
        for sub in ("layers", "imagedb", "tmp"):
            (root / sub).mkdir()
        db = Database(root / "dockyard.db")
        layers = LayerStore(root / "layers", root / "tmp", db)
        images = ImageStore(root / "imagedb", db, layers)
        archive.load(images, io.BytesIO(base_archive))
        service = RegistryService.for_data_root(layers, images, root, root / "dockyard.db",
                                                root / "tmp")  # fmt: skip
        start = time.perf_counter()
        asyncio.run(service.pull(ref, lambda _m: None))
        elapsed = time.perf_counter() - start
        service.close()
        db.close()
        return elapsed
    finally:
        shutil.rmtree(root, ignore_errors=True)


def dockerd_pull_once(ref: str) -> float:
    docker("rmi", ref)
    start = time.perf_counter()
    docker("pull", ref)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--layer-mb", type=int, default=8)
    args = parser.parse_args()
    registry = Registry()
    ref = f"{registry.host}/bench/multilayer:v1"
    context = Path(tempfile.mkdtemp(prefix="dyreg-bench-ctx-"))
    try:
        size = args.layer_mb * 1_000_000
        (context / "Dockerfile").write_text(DOCKERFILE.format(base=BASE, size=size))
        docker("build", "-q", "-t", ref, str(context))
        docker("push", ref)
        base_archive = docker("save", BASE)
        native = [native_pull_once(ref, base_archive) for _ in range(args.rounds)]
        dockerd = [dockerd_pull_once(ref) for _ in range(args.rounds)]
        count = docker("image", "inspect", "-f", "{{len .RootFS.Layers}}", ref).decode().strip()
        print(f"image: {count} layers (base + 4 new, {args.layer_mb} MB random x3), "
              f"median of {args.rounds}")  # fmt: skip
        print(f"{'engine':<22}{'pull median':>14}{'min':>10}{'max':>10}")
        for name, times in (("native (our client)", native), ("dockerd (docker pull)", dockerd)):
            print(f"{name:<22}{statistics.median(times) * 1000:>11.0f} ms"
                  f"{min(times) * 1000:>7.0f} ms{max(times) * 1000:>7.0f} ms")  # fmt: skip
    finally:
        subprocess.run(["docker", "-H", DOCKERD, "rmi", ref], capture_output=True, check=False)
        shutil.rmtree(context, ignore_errors=True)
        registry.close()


if __name__ == "__main__":
    main()
