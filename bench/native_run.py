"""Native engine vs dockerd through the real docker CLI; prints figures, never pass/fail.

Measures `run --rm IMAGE /bin/busybox true`, the start of a detached container
and an exec (medians of N), then the memory (RSS and PSS) of the native daemon
plus its conmon monitors with M idle containers. A throwaway native daemon is
started unless --native-socket names a running one.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psutil

IMAGE = "dockyard-test/busybox:latest"
DOCKERD = "unix:///var/run/docker.sock"
REPO = Path(__file__).resolve().parents[1]


def docker(host: str, *args: str, input: bytes | None = None) -> bytes:
    env = dict(os.environ, DOCKER_HOST=host)
    done = subprocess.run(["docker", *args], env=env, input=input, capture_output=True, check=True)
    return done.stdout


def median_ms(action: Callable[[], object], rounds: int) -> float:
    action()  # warm caches once; not counted
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _ping(path: str) -> bool:
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(1)
            sock.connect(path)
            sock.sendall(b"GET /_ping HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n")
            return sock.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


class ThrowawayDaemon:
    """A native daemon in a temp data root, removed with its containers afterwards."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="dyb-", dir="/tmp"))
        self.socket = str(self.root / "d.sock")
        log = open(self.root / "daemon.log", "wb")  # noqa: SIM115 - owned by the process
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "native_runtime", "daemon",
             "--data-root", str(self.root / "data"), "--socket", self.socket,
             "--net-tag", secrets.token_hex(2)],  # its own bridge and chain names
            cwd=REPO, stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while not _ping(self.socket):
            if time.monotonic() > deadline:
                raise SystemExit("the native daemon did not start")
            time.sleep(0.05)

    def close(self) -> None:
        host = f"unix://{self.socket}"
        ids = docker(host, "ps", "-aq").split()
        if ids:
            docker(host, "rm", "-f", *[i.decode() for i in ids])
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(10)
        shutil.rmtree(self.root, ignore_errors=True)


def measure(name: str, host: str, rounds: int) -> None:
    run_rm = median_ms(lambda: docker(host, "run", "--rm", IMAGE, "/bin/busybox", "true"), rounds)
    cid = docker(host, "create", IMAGE, "sleep", "1000").decode().strip()
    try:
        docker(host, "start", cid)
        exec_ms = median_ms(lambda: docker(host, "exec", cid, "/bin/busybox", "true"), rounds)
        starts = []
        for _ in range(rounds):
            docker(host, "kill", cid)
            docker(host, "wait", cid)
            begin = time.perf_counter()
            docker(host, "start", cid)
            starts.append((time.perf_counter() - begin) * 1000)
        start_ms = statistics.median(starts)
    finally:
        docker(host, "rm", "-f", cid)
    print(f"{name:8} run --rm true: {run_rm:7.1f} ms   start -d: {start_ms:7.1f} ms   "
          f"exec true: {exec_ms:7.1f} ms   (median of {rounds})")  # fmt: skip


def native_memory(host: str, daemon_pid: int, idle: int) -> None:
    ids = [
        docker(host, "run", "-d", IMAGE, "sleep", "100000").decode().strip() for _ in range(idle)
    ]
    try:
        procs = [psutil.Process(daemon_pid)]
        for proc in psutil.process_iter(["name", "cmdline"]):
            cmd = proc.info["cmdline"] or []
            if proc.info["name"] == "conmon" and any(c in cmd for c in ids):
                procs.append(proc)
        rss = pss = 0
        for proc in procs:
            info = proc.memory_full_info()
            rss += info.rss
            pss += getattr(info, "pss", info.rss)
        print(f"native   memory with {idle} idle containers: daemon + {len(procs) - 1} conmon = "
              f"RSS {rss / 2**20:.1f} MiB, PSS {pss / 2**20:.1f} MiB")  # fmt: skip
    finally:
        docker(host, "rm", "-f", *ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument(
        "--idle", type=int, default=50, help="idle containers for the memory figure"
    )
    parser.add_argument("--native-socket", help="use this running native daemon")
    args = parser.parse_args()
    daemon = None if args.native_socket else ThrowawayDaemon()
    native_host = f"unix://{args.native_socket or (daemon.socket if daemon else '')}"
    try:
        if daemon is not None:
            saved = docker(DOCKERD, "save", IMAGE)
            docker(native_host, "load", input=saved)
        measure("native", native_host, args.rounds)
        measure("dockerd", DOCKERD, args.rounds)
        if daemon is not None and args.idle > 0:
            native_memory(native_host, daemon.proc.pid, args.idle)
    finally:
        if daemon is not None:
            daemon.close()


if __name__ == "__main__":
    main()
