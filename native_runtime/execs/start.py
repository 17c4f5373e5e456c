"""Run an exec session with `runc exec`: a pty we own for -t, pipes otherwise."""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import struct
import termios
import tty
from collections.abc import Awaitable, Callable
from typing import Any

from native_runtime.containers import spec
from native_runtime.containers.model import Container, can_exec
from native_runtime.errors import Conflict
from native_runtime.execs.session import ExecSession
from native_runtime.paths import RUNC
from native_runtime.runtime import Runtime

Write = Callable[[str, bytes], Awaitable[None]]
Read = Callable[[], Awaitable[bytes]]


def process_spec(rt: Runtime, ctr: Container, session: ExecSession) -> dict[str, Any]:
    """The container's own process settings, with the exec's command, env, dir and user."""
    config = session.config
    env = list(ctr.config.get("Env") or [])
    if not any(e.startswith("PATH=") for e in env):
        env.insert(0, spec.DEFAULT_PATH)
    env += list(config.get("Env") or [])
    if session.tty:
        env.append("TERM=xterm")
    user_text = str(config.get("User") or ctr.config.get("User") or "")
    user = spec.resolve_user(rt.dirs(ctr).rootfs, user_text)
    caps = spec.capabilities(ctr.host_config)
    return {
        "terminal": session.tty,
        "user": user,
        "args": list(config["Cmd"]),
        "env": env,
        "cwd": config.get("WorkingDir") or ctr.config.get("WorkingDir") or "/",
        "capabilities": {"bounding": caps, "effective": caps, "permitted": caps},
        "noNewPrivileges": True,
    }


def resize(session: ExecSession, height: int, width: int) -> None:
    if session.pty_master >= 0 and height > 0 and width > 0:
        fcntl.ioctl(
            session.pty_master, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0)
        )


async def run(
    rt: Runtime, ctr: Container, session: ExecSession, write: Write | None, read: Read | None
) -> int:
    """Run to completion; output goes to `write(stream, data)`, stdin comes from `read()`."""
    can_exec(ctr)
    if session.running or session.exit_code is not None:
        raise Conflict(f"Exec {session.id} has already been started")
    spec_path = rt.dirs(ctr).root / f"exec-{session.id[:12]}.json"
    spec_path.write_text(json.dumps(process_spec(rt, ctr, session)))
    argv = [RUNC, "--root", str(rt.paths.runc_root), "exec", "--process", str(spec_path), ctr.id]
    session.running = True
    try:
        if session.tty:
            code = await _run_pty(session, argv, write, read)
        else:
            code = await _run_pipes(session, argv, write, read)
    finally:
        session.running = False
        spec_path.unlink(missing_ok=True)
    session.exit_code = code
    rt.event(ctr, "exec_die", execID=session.id, exitCode=str(code))
    return code


async def _run_pipes(
    session: ExecSession, argv: list[str], write: Write | None, read: Read | None
) -> int:
    want_stdin = bool(session.config.get("AttachStdin")) and read is not None
    proc = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.PIPE if want_stdin else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    session.pid = proc.pid

    async def pump(reader: asyncio.StreamReader | None, stream: str) -> None:
        assert reader is not None
        while chunk := await reader.read(32768):
            if write is not None:
                await write(stream, chunk)

    feeder = None
    if want_stdin and read is not None and proc.stdin is not None:
        feeder = asyncio.create_task(_feed(read, proc.stdin))
    await asyncio.gather(pump(proc.stdout, "stdout"), pump(proc.stderr, "stderr"))
    code = await proc.wait()
    if feeder is not None:
        feeder.cancel()
    return code


async def _feed(read: Read, stdin: asyncio.StreamWriter) -> None:
    try:
        while chunk := await read():
            stdin.write(chunk)
            await stdin.drain()
    except (ConnectionError, BrokenPipeError):
        pass
    finally:
        stdin.close()


def _take_controlling_tty() -> None:
    # Runs in the child between fork and exec; stdin is our pty's slave end.
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


async def _run_pty(
    session: ExecSession, argv: list[str], write: Write | None, read: Read | None
) -> int:
    """runc in foreground -t mode relays between its stdio and the container's pty.

    We give runc a pty of our own as its controlling terminal: resizing ours
    sends runc SIGWINCH, and runc resizes the pty inside the container.
    """
    master, slave = os.openpty()
    # Raw from the start: runc makes it raw too, but only after a fast command
    # may already have written, and a cooked pty would turn "\r\n" into "\r\r\n".
    tty.setraw(slave)
    session.pty_master = master
    height, width = session.extra.get("size", (24, 80))
    resize(session, height, width)
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv[:-1], "--tty", argv[-1], stdin=slave, stdout=slave, stderr=slave,
            start_new_session=True, preexec_fn=_take_controlling_tty,
        )  # fmt: skip
    finally:
        os.close(slave)
    os.set_blocking(master, False)
    session.pid = proc.pid
    loop = asyncio.get_running_loop()
    output: asyncio.Queue[bytes] = asyncio.Queue()

    def readable() -> None:
        try:
            data = os.read(master, 65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""  # EIO: every slave end is closed, the session is over
        if not data:
            loop.remove_reader(master)
        output.put_nowait(data)

    loop.add_reader(master, readable)
    feeder = asyncio.create_task(_feed_pty(read, master)) if read is not None else None
    try:
        while data := await output.get():
            if write is not None:
                await write("stdout", data)
        return await proc.wait()
    finally:
        loop.remove_reader(master)
        if feeder is not None:
            feeder.cancel()
        session.pty_master = -1
        os.close(master)


async def _feed_pty(read: Read, master: int) -> None:
    while chunk := await read():
        view = memoryview(chunk)
        while view:
            try:
                written = os.write(master, view)
            except BlockingIOError:
                await asyncio.sleep(0.01)
                continue
            view = view[written:]
