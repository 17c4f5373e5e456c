"""Build time of a small Dockerfile: native daemon vs dockerd's classic builder; figures only."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.native.conftest import load_test_image  # noqa: E402
from tests.native_build.conftest import BuildDaemon  # noqa: E402

DOCKERD = "unix:///var/run/docker.sock"
DOCKERFILE = """\
FROM dockyard-test/busybox:latest
RUN echo bench-native-build > /one
RUN mkdir -p /data && seq 1 2000 > /data/numbers
RUN rm /bin/vi && echo three > /three
COPY files/ /files/
CMD ["cat", "/one"]
"""
RUNS = 3


def _context(folder: Path) -> Path:
    (folder / "files").mkdir(parents=True)
    for n in range(20):
        (folder / "files" / f"f{n}.txt").write_text(f"file {n}\n" * 100)
    (folder / "Dockerfile").write_text(DOCKERFILE)
    return folder


def _build(host: str, context: Path, *extra: str) -> float:
    env = dict(os.environ, DOCKER_HOST=host, DOCKER_BUILDKIT="0")
    env.pop("DOCKER_CONTEXT", None)
    start = time.perf_counter()
    subprocess.run(
        ["docker", "build", "-q", "-t", "bench-build:latest", *extra, str(context)],
        env=env, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return time.perf_counter() - start


def _measure(host: str, context: Path) -> tuple[float, float]:
    cold = [_build(host, context, "--no-cache") for _ in range(RUNS)]
    cached = [_build(host, context) for _ in range(RUNS)]
    return statistics.median(cold), statistics.median(cached)


def _remove_bench_images() -> None:
    """dockerd keeps each step's image; remove every one whose history has our marker."""
    listed = subprocess.run(
        ["docker", "-H", DOCKERD, "images", "-a", "-q", "--no-trunc"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    ours = []
    for image_id in dict.fromkeys(listed.stdout.split()):
        history = subprocess.run(
            ["docker", "-H", DOCKERD, "history", "--no-trunc", "--format", "{{.CreatedBy}}",
             image_id], capture_output=True, text=True, check=False,
        )  # fmt: skip
        if "bench-native-build" in history.stdout:
            ours.append(image_id)
    subprocess.run(["docker", "-H", DOCKERD, "rmi", "bench-build:latest"],
                   capture_output=True, check=False)  # fmt: skip
    if ours:
        subprocess.run(["docker", "-H", DOCKERD, "rmi", *ours], capture_output=True, check=False)


def main() -> int:
    if os.geteuid() != 0:
        print("native build bench: needs root (runc, overlay mounts); skipped")
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        context = _context(Path(tmp) / "ctx")
        daemon = BuildDaemon(Path(tempfile.mkdtemp(prefix="dyb-", dir="/tmp")))
        try:
            daemon.start()
            load_test_image(daemon)
            native = _measure(daemon.docker_host, context)
        except Exception as exc:  # the bench reports, it never hides why it could not run
            print(f"native daemon could not run the build: {exc}")
            native = None
        finally:
            daemon.destroy()
        try:
            docker = _measure(DOCKERD, context)
        except (subprocess.CalledProcessError, OSError) as exc:
            print(f"dockerd could not run the build: {exc}")
            docker = None
        _remove_bench_images()
    print(f"Dockerfile: FROM busybox, 3 RUN, COPY of 20 files; median of {RUNS} builds")
    print(f"{'':24}{'native':>12}{'dockerd':>12}")
    for index, label in enumerate(("cold (--no-cache)", "cached (no change)")):
        cells = [f"{r[index]:.2f}s" if r else "n/a" for r in (native, docker)]
        print(f"{label:24}{cells[0]:>12}{cells[1]:>12}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
