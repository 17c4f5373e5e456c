"""Run an exec session: `runc exec` on pipes, or under conmon with a pty for -t."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from native_runtime.containers import security, spec
from native_runtime.containers.model import Container, can_exec
from native_runtime.containers.monitor import runc_message
from native_runtime.errors import Conflict
from native_runtime.execs import console
from native_runtime.execs.session import ExecSession
from native_runtime.paths import RUNC
from native_runtime.runtime import Runtime
from native_runtime.timing import stage

Write = Callable[[str, bytes], Awaitable[None]]
Read = Callable[[], Awaitable[bytes]]
PID_FILE_POLL = 0.005


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
    spec.with_group_add(rt.dirs(ctr).rootfs, user, ctr.host_config)
    # `docker exec --privileged` gets every capability (the container's seccomp stays).
    caps = spec.capabilities({"Privileged": True} if config.get("Privileged") else ctr.host_config)
    return {
        "terminal": session.tty,
        "user": user,
        "args": list(config["Cmd"]),
        "env": env,
        "cwd": config.get("WorkingDir") or ctr.config.get("WorkingDir") or "/",
        "capabilities": {"bounding": caps, "effective": caps, "permitted": caps},
        "noNewPrivileges": security.no_new_privileges(ctr.host_config),
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
    try:
        process = process_spec(rt, ctr, session)
    except LookupError as exc:
        # An unknown --user: dockerd says so on the exec's stream, not as an HTTP error.
        if write is not None:
            with contextlib.suppress(ConnectionError):
                await write("stdout", f"{exc}\r\n".encode())
        session.exit_code = console.START_FAILED
        return session.exit_code
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
    stem = rt.dirs(ctr).root / f"exec-{session.id[:12]}"
    files = _ExecFiles(
        spec=stem.with_name(stem.name + ".json"),
        pid=stem.with_name(stem.name + ".pid"),
        log=stem.with_name(stem.name + ".log"),
    )
    files.spec.write_text(json.dumps(process))
    # runc's own errors go to the JSON log, where they cannot pass for the command's.
    argv = [
        RUNC, "--root", str(rt.paths.runc_root), "--log", str(files.log), "--log-format", "json",
        "exec", "--pid-file", str(files.pid), "--process", str(files.spec), ctr.id,
    ]  # fmt: skip
    try:
        with stage("exec.runc_exec", ctr.id):
            return await _pipes(session, argv, files, write, read)
    finally:
        for path in (files.spec, files.pid, files.log):
            path.unlink(missing_ok=True)


@dataclass(frozen=True)
class _ExecFiles:
    spec: Path
    pid: Path  # written by runc only once the command has started
    log: Path


async def _pipes(
    session: ExecSession,
    argv: list[str],
    files: _ExecFiles,
    write: Write | None,
    read: Read | None,
) -> int:
    want_stdin = bool(session.config.get("AttachStdin")) and read is not None
    proc = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.PIPE if want_stdin else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    session.pid = proc.pid
    # Without a tty the command shares runc's stderr, and runc also prints its error
    # there when the command cannot start. Stderr is held until runc has written the
    # pid file (the command runs) or has exited, so that line never reaches the client.
    held = bytearray()

    async def pump(reader: asyncio.StreamReader | None, stream: str) -> None:
        assert reader is not None
        while chunk := await reader.read(32768):
            if stream == "stderr" and (held or not await _started(files.pid, proc)):
                held.extend(chunk)
                if not files.pid.exists():
                    continue
                chunk = bytes(held)
                held.clear()
            if write is not None:
                await write(stream, chunk)

    feeder = None
    if want_stdin and read is not None and proc.stdin is not None:
        feeder = asyncio.create_task(_feed(read, proc.stdin))
    await asyncio.gather(pump(proc.stdout, "stdout"), pump(proc.stderr, "stderr"))
    code = await proc.wait()
    if feeder is not None:
        feeder.cancel()
    error = "" if code == 0 or files.pid.exists() else _runc_error(files.log)
    if error:
        if write is not None:
            with contextlib.suppress(ConnectionError):
                # dockerd's words, on stdout, with "\r\n" even without a tty.
                await write("stdout", f"OCI runtime exec failed: {error}: unknown\r\n".encode())
        return console.START_FAILED
    if held and write is not None:
        await write("stderr", bytes(held))
    return code


async def _started(pid_file: Path, proc: asyncio.subprocess.Process) -> bool:
    """Whether the command runs; False once runc exited without starting it.

    Only asked when stderr output comes before the pid file, so this waits a few
    milliseconds at most: runc writes the file right after starting the command.
    """
    while not pid_file.exists():
        if proc.returncode is not None:
            return False
        await asyncio.sleep(PID_FILE_POLL)
    return True


def _runc_error(log: Path) -> str:
    """The message of runc's last error, or "" when it logged none."""
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    errors = [line for line in lines if '"level":"error"' in line or '"level":"fatal"' in line]
    return runc_message("\n".join(errors))


async def _feed(read: Read, stdin: asyncio.StreamWriter) -> None:
    try:
        while chunk := await read():
            stdin.write(chunk)
            await stdin.drain()
    except (ConnectionError, BrokenPipeError):
        pass
    finally:
        stdin.close()
