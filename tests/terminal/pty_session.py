"""An ExecSession over a local process in a pty, so the widget is tested against a real tty."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import os
import signal
import struct
import termios
from collections.abc import Sequence

BUSYBOX = "/bin/busybox"


class PtySession:
    """A process on the slave side of a fresh pty; we hold the master.

    It satisfies `engine_adapters.protocol.ExecSession` the way a Docker exec
    with a tty does: raw terminal bytes out, keys in, resize by TIOCSWINSZ.
    """

    def __init__(self, process: asyncio.subprocess.Process, master: int) -> None:
        self._process = process
        self._master = master
        self._closed = False

    @classmethod
    async def start(
        cls,
        argv: Sequence[str],
        rows: int = 24,
        cols: int = 80,
        env: dict[str, str] | None = None,
        cwd: str | None = None,
    ) -> PtySession:
        master, slave = os.openpty()
        _set_size(slave, rows, cols)
        try:
            # busybox setsid -c makes the pty the controlling terminal, so Ctrl+C
            # reaches the foreground job through the line discipline as in a container.
            process = await asyncio.create_subprocess_exec(
                BUSYBOX,
                "setsid",
                "-c",
                *argv,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=env,
                cwd=cwd,
            )
        except BaseException:
            os.close(master)
            raise
        finally:
            # Our copy must go, or reading the master never reports the end.
            os.close(slave)
        os.set_blocking(master, False)
        return cls(process, master)

    @property
    def id(self) -> str:
        return f"pty-{self._process.pid}"

    @property
    def tty(self) -> bool:
        return True

    @property
    def pid(self) -> int:
        return self._process.pid

    def foreground_job_running(self) -> bool:
        """True while a job other than the shell owns the terminal (sleep, vi, yes)."""
        try:
            return os.tcgetpgrp(self._master) != self._process.pid
        except OSError:
            return False

    async def read(self) -> bytes:
        while not self._closed:
            try:
                return os.read(self._master, 65536)
            except BlockingIOError:
                await self._wait_fd(readable=True)
            except OSError as error:
                if error.errno == errno.EIO:  # every slave fd closed: the process is gone
                    return b""
                raise
        return b""

    async def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view and not self._closed:
            try:
                written = os.write(self._master, view)
            except BlockingIOError:
                await self._wait_fd(readable=False)
                continue
            view = view[written:]

    async def resize(self, rows: int, cols: int) -> None:
        if not self._closed:
            _set_size(self._master, rows, cols)

    async def wait(self) -> int | None:
        code = await self._process.wait()
        # Report a signal death the way a shell (and Docker) does: 128 + signal.
        return 128 - code if code < 0 else code

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        # A job the shell runs (vi, sleep) sits in its own process group: kill the
        # terminal's foreground group as well as the shell's.
        groups = {self._process.pid}
        with contextlib.suppress(OSError):
            groups.add(os.tcgetpgrp(self._master))
        groups.discard(0)  # no foreground group any more; killpg(0) would hit us
        groups.discard(os.getpgrp())
        for group in groups:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signal.SIGKILL)
        await self._process.wait()
        os.close(self._master)

    async def _wait_fd(self, readable: bool) -> None:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            if not ready.done():
                ready.set_result(None)

        if readable:
            loop.add_reader(self._master, wake)
        else:
            loop.add_writer(self._master, wake)
        try:
            await ready
        finally:
            if readable:
                loop.remove_reader(self._master)
            else:
                loop.remove_writer(self._master)


def _set_size(fd: int, rows: int, cols: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


async def start_shell(home: str, rows: int = 24, cols: int = 80) -> PtySession:
    """busybox sh with a fixed prompt and no rc files, in `home`."""
    env = {
        "PATH": "/bin:/usr/bin",
        "TERM": "xterm-256color",
        "PS1": "$ ",
        "HOME": home,
        "HISTFILE": os.path.join(home, ".ash_history"),
    }
    return await PtySession.start([BUSYBOX, "sh"], rows, cols, env=env, cwd=home)
