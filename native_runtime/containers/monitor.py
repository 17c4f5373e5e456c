"""conmon, the per-container monitor: launch it, learn the pid, notice when it exits.

conmon double-forks, runs `runc create`, reports the container pid on the
sync pipe (`_OCI_SYNCPIPE`), then owns the container's stdio, writes the log
and the exit file. It is not our child, so exits are noticed through a pidfd,
which also works for a conmon adopted after a daemon restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
from collections.abc import Callable

from native_runtime.containers.model import Container, ContainerDirs
from native_runtime.errors import NativeError
from native_runtime.paths import CONMON, RUNC, Paths
from native_runtime.timing import stage

SYNC_TIMEOUT = 30.0


class RuntimeFailure(NativeError):
    """runc could not create the container (bad command, bad mount...)."""

    status = 400


def conmon_args(paths: Paths, ctr: Container, dirs: ContainerDirs) -> list[str]:
    args = [
        CONMON,
        "--api-version", "1",
        "-c", ctr.id,
        "-u", ctr.id,
        "-n", ctr.name,
        "-r", RUNC,
        "-b", str(dirs.bundle),
        "-p", str(dirs.bundle / "pidfile"),
        "-P", str(dirs.conmon_pid),
        "--exit-dir", str(paths.exits),
        "-l", f"k8s-file:{dirs.log}",
        "--socket-dir-path", str(paths.attach_sockets),
        "--runtime-arg", f"--root={paths.runc_root}",
        "--log-level", "error",
    ]  # fmt: skip
    if ctr.tty:
        args.append("-t")
    if ctr.config.get("OpenStdin"):
        args += ["-i", "--leave-stdin-open"] if not ctr.config.get("StdinOnce") else ["-i"]
    return args


async def _read_sync(fd: int) -> bytes:
    """conmon's line on the sync pipe, read by the loop as it arrives (no thread to wake)."""
    os.set_blocking(fd, False)
    loop = asyncio.get_running_loop()
    data = bytearray()
    complete: asyncio.Future[None] = loop.create_future()

    def readable() -> None:
        try:
            chunk = os.read(fd, 4096)
        except BlockingIOError:
            return
        data.extend(chunk)
        if (not chunk or data.endswith(b"\n")) and not complete.done():
            complete.set_result(None)

    loop.add_reader(fd, readable)
    try:
        await asyncio.wait_for(complete, SYNC_TIMEOUT)
    finally:
        loop.remove_reader(fd)
    return bytes(data)


async def launch(paths: Paths, ctr: Container, dirs: ContainerDirs) -> tuple[int, int]:
    """Start conmon (which runs `runc create`); return (container pid, conmon pid)."""
    read_fd, write_fd = os.pipe()
    try:
        env = {"_OCI_SYNCPIPE": str(write_fd), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        proc = await asyncio.create_subprocess_exec(
            *conmon_args(paths, ctr, dirs),
            pass_fds=(write_fd,),
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
            start_new_session=True,
        )
        os.close(write_fd)
        write_fd = -1
        with stage("start.conmon_fork", ctr.id):
            await proc.wait()
        with stage("start.runc_create_sync", ctr.id):
            raw = await _read_sync(read_fd)
    finally:
        os.close(read_fd)
        if write_fd >= 0:
            os.close(write_fd)
    if not raw:
        raise RuntimeFailure("conmon exited before reporting the container pid")
    message = json.loads(raw.decode(errors="replace").strip().splitlines()[0])
    pid = int(message.get("data", -1))
    if pid <= 0:
        raise RuntimeFailure(_clean_runc_error(str(message.get("message", "runc create failed"))))
    return pid, int(dirs.conmon_pid.read_text().strip())


LOGFMT_MSG = re.compile(r'msg="((?:[^"\\]|\\.)*)"')


def _clean_runc_error(text: str) -> str:
    message = runc_message(text)
    return f"OCI runtime create failed: {message}" if message else "OCI runtime create failed"


def runc_message(text: str) -> str:
    """runc logs JSON or logfmt lines; keep only the human message ("" when none)."""
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            with contextlib.suppress(json.JSONDecodeError):
                line = str(json.loads(line).get("msg", line))
        while (found := LOGFMT_MSG.search(line)) is not None:
            # conmon wraps runc's logfmt line in its own, so unwrap repeatedly.
            line = found.group(1).replace('\\"', '"').replace("\\\\", "\\")
        if line:
            return line
    return ""


def watch(conmon_pid: int, on_exit: Callable[[], None]) -> None:
    """Call `on_exit` once conmon has exited (at once if it is already gone)."""
    loop = asyncio.get_running_loop()
    try:
        fd = os.pidfd_open(conmon_pid)
    except ProcessLookupError:
        loop.call_soon(on_exit)
        return

    def fired() -> None:
        loop.remove_reader(fd)
        os.close(fd)
        on_exit()

    loop.add_reader(fd, fired)


def is_our_conmon(conmon_pid: int, ctr: Container) -> bool:
    """A pid file can outlive its process; check the pid still is this container's conmon."""
    try:
        with open(f"/proc/{conmon_pid}/cmdline", "rb") as f:
            argv = f.read().split(b"\0")
    except OSError:
        return False
    return bool(argv) and argv[0].endswith(b"conmon") and ctr.id.encode() in argv
