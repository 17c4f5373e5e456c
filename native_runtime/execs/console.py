"""`docker exec -t` under `conmon --exec`: conmon holds the pty master and the exit code.

Why not `runc exec --tty` in the foreground: runc then changes terminal modes
on both ptys while the command already runs (it clears ONLCR inside and turns
OPOST back on outside), so a command that exits at once wrote "\\r\\n", "\\n"
or "\\r\\r\\n" depending on who won. conmon gets the master through runc's
console socket before the command starts, leaves the modes alone (ONLCR on, as
under dockerd) and starts the command only once we are attached.

The handshake (conmon's exec API 1): conmon waits for a first byte on the start
pipe, makes the attach socket and `ctl` FIFO in the session folder, says so on
the attach pipe, then waits for a second byte before running `runc exec -d`.
The sync pipe then carries `{"data": pid}` (or a negative number and runc's
error) and, once the command exited and its output was sent, `{"data": code}`.
Output arrives on the SOCK_SEQPACKET attach socket, each packet led by one
byte naming the stream (2 = stdout); what we send there goes to the pty.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from native_runtime.containers.model import Container
from native_runtime.containers.monitor import runc_message
from native_runtime.execs.session import ExecSession
from native_runtime.paths import CONMON, RUNC
from native_runtime.runtime import Runtime

Write = Callable[[str, bytes], Awaitable[None]]
Read = Callable[[], Awaitable[bytes]]

HANDSHAKE_TIMEOUT = 30.0
VEOF = b"\x04"
PACKET_SIZE = 65536  # conmon sends at most 8 KiB + 1; a short read would truncate a packet
STREAMS = {2: "stdout", 3: "stderr"}
# dockerd's exit code for an exec whose process could not be started.
START_FAILED = 126


def conmon_args(rt: Runtime, ctr: Container, session: ExecSession, folder: Path) -> list[str]:
    args = [
        CONMON,
        "--api-version", "1",
        "--exec", "--exec-attach",
        "--exec-process-spec", str(folder / "process.json"),
        "-c", ctr.id,
        "-u", session.id,
        "-n", ctr.name,
        "-r", RUNC,
        "-b", str(folder),
        "-p", str(folder / "pid"),
        "-l", "none",
        # The socket stays in the session folder; we reach it through a directory fd,
        # so the length of the data root never matters.
        "--full-attach",
        "--socket-dir-path", str(rt.paths.attach_sockets),
        "--runtime-arg", f"--root={rt.paths.runc_root}",
        "--log-level", "error",
        "--sync",
        "-t",
    ]  # fmt: skip
    if session.config.get("AttachStdin"):
        args.append("-i")
    return args


async def _pipe_reader(fd: int) -> tuple[asyncio.StreamReader, asyncio.BaseTransport]:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    transport, _ = await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(fd, "rb", buffering=0)
    )
    return reader, transport


async def _message(reader: asyncio.StreamReader) -> dict[str, Any]:
    """One JSON line from conmon; an empty dict when conmon went away without one."""
    line = await reader.readline()
    if not line:
        return {}
    with contextlib.suppress(json.JSONDecodeError):
        message = json.loads(line)
        if isinstance(message, dict):
            return message
    return {}


def _connect(folder: Path) -> socket.socket:
    dir_fd = os.open(folder, os.O_PATH)
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            sock.connect(f"/proc/self/fd/{dir_fd}/attach")
        except OSError:
            sock.close()
            raise
    finally:
        os.close(dir_fd)
    sock.setblocking(False)
    return sock


async def run(
    rt: Runtime,
    ctr: Container,
    session: ExecSession,
    process: dict[str, Any],
    write: Write | None,
    read: Read | None,
) -> int:
    """Run the session's command on a pty to completion and return its exit code."""
    folder = rt.dirs(ctr).root / f"exec-{session.id[:12]}"
    folder.mkdir()
    (folder / "process.json").write_text(json.dumps(process))
    sync_r, sync_w = os.pipe()
    start_r, start_w = os.pipe()
    attach_r, attach_w = os.pipe()
    sock: socket.socket | None = None
    tasks: list[asyncio.Task[None]] = []
    pipes: list[asyncio.BaseTransport] = []
    proc: asyncio.subprocess.Process | None = None
    try:
        env = {
            "_OCI_SYNCPIPE": str(sync_w),
            "_OCI_STARTPIPE": str(start_r),
            "_OCI_ATTACHPIPE": str(attach_w),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        }
        proc = await asyncio.create_subprocess_exec(
            *conmon_args(rt, ctr, session, folder),
            pass_fds=(sync_w, start_r, attach_w), env=env, start_new_session=True,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        for fd in (sync_w, start_r, attach_w):
            os.close(fd)
        sync_w = start_r = attach_w = -1
        sync, sync_pipe = await _pipe_reader(sync_r)
        sync_r = -1
        attached, attach_pipe = await _pipe_reader(attach_r)
        attach_r = -1
        pipes += [sync_pipe, attach_pipe]  # they own the fds now
        os.write(start_w, b"0")
        ready = await asyncio.wait_for(_message(attached), HANDSHAKE_TIMEOUT)
        if not ready:
            return await _failed(write, "conmon exited before the exec started")
        sock = _connect(folder)
        os.write(start_w, b"0")  # now conmon may run the command
        os.close(start_w)
        start_w = -1
        tasks.append(asyncio.create_task(_pump_output(sock, write)))
        started = await _message(sync)
        pid = int(started.get("data", -1))
        if pid <= 0:
            error = runc_message(str(started.get("message") or "")) or "conmon failed"
            return await _failed(write, error)
        session.pid = pid
        await session.winsize.attach(folder / "winsz")  # conmon holds the pty by now
        if read is not None and session.config.get("AttachStdin"):
            tasks.append(asyncio.create_task(_pump_input(sock, read)))
        await tasks[0]
        finished = await _message(sync)
        return int(finished.get("data", -1)) if finished else -1
    finally:
        session.winsize.detach()
        if start_w >= 0 and proc is not None and proc.returncode is None:
            # Not started yet: closing the start pipe alone would let conmon run it.
            proc.kill()
        for task in tasks:
            task.cancel()
        for pipe in pipes:
            pipe.close()
        if sock is not None:
            sock.close()
        for fd in (sync_r, sync_w, start_r, start_w, attach_r, attach_w):
            if fd >= 0:
                os.close(fd)
        shutil.rmtree(folder, ignore_errors=True)


async def _failed(write: Write | None, error: str) -> int:
    if write is not None:
        with contextlib.suppress(ConnectionError):
            await write("stdout", f"OCI runtime exec failed: {error}: unknown\r\n".encode())
    return START_FAILED


async def _pump_output(sock: socket.socket, write: Write | None) -> None:
    """Forward packets until conmon closes the socket, after the last output."""
    loop = asyncio.get_running_loop()
    while packet := await loop.sock_recv(sock, PACKET_SIZE):
        if write is None or len(packet) < 2:
            continue
        try:
            await write(STREAMS.get(packet[0], "stdout"), packet[1:])
        except ConnectionError:
            # The client went away; the command runs on, as under dockerd, and its
            # exit code is still recorded once it ends.
            write = None


async def _pump_input(sock: socket.socket, read: Read) -> None:
    loop = asyncio.get_running_loop()
    with contextlib.suppress(ConnectionError):
        while chunk := await read():
            await loop.sock_sendall(sock, chunk)
        # The client's stdin ended (or it detached): a terminal has no end of its own, so
        # it gets the EOF character twice (the first only flushes a pending partial line),
        # which ends a reader as dockerd's closed stdin does.
        await loop.sock_sendall(sock, VEOF * 2)
