"""Run an exec session: `runc exec` on pipes, or under conmon with a pty for -t."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from native_runtime.containers import spec
from native_runtime.containers.model import Container, can_exec
from native_runtime.errors import Conflict
from native_runtime.execs import console
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


async def resize(session: ExecSession, height: int, width: int) -> None:
    """Before the command runs the size is only kept; `console.run` sends it then."""
    if height > 0 and width > 0:
        await session.winsize.want(height, width)


async def run(
    rt: Runtime, ctr: Container, session: ExecSession, write: Write | None, read: Read | None
) -> int:
    """Run to completion; output goes to `write(stream, data)`, stdin comes from `read()`."""
    can_exec(ctr)
    if session.running or session.exit_code is not None:
        raise Conflict(f"Exec {session.id} has already been started")
    process = process_spec(rt, ctr, session)
    session.running = True
    try:
        if session.tty:
            code = await console.run(rt, ctr, session, process, write, read)
        else:
            code = await _run_pipes(rt, ctr, session, process, write, read)
    finally:
        session.running = False
    session.exit_code = code
    rt.event(ctr, "exec_die", execID=session.id, exitCode=str(code))
    return code


async def _run_pipes(
    rt: Runtime,
    ctr: Container,
    session: ExecSession,
    process: dict[str, Any],
    write: Write | None,
    read: Read | None,
) -> int:
    spec_path = rt.dirs(ctr).root / f"exec-{session.id[:12]}.json"
    spec_path.write_text(json.dumps(process))
    argv = [RUNC, "--root", str(rt.paths.runc_root), "exec", "--process", str(spec_path), ctr.id]
    try:
        return await _pipes(session, argv, write, read)
    finally:
        spec_path.unlink(missing_ok=True)


async def _pipes(
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
