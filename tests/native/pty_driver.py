"""Drive an interactive docker CLI command through a real pseudo-terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import termios
import time


class PtySession:
    """Spawns `docker ARGS` on a pty; `expect` waits for output, `send` types."""

    def __init__(
        self, argv: list[str], env: dict[str, str], rows: int = 30, cols: int = 100
    ) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # child: size the terminal before docker reads it
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            os.execvpe(argv[0], argv, env)
        self.output = b""

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:
            return False
        self.output += chunk
        return bool(chunk)

    def expect(self, needle: bytes, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.output:
            if time.monotonic() > deadline or not self._read(0.1):
                raise AssertionError(f"{needle!r} never appeared in {self.output!r}")

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def wait(self, timeout: float = 15.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
            self._read(0.1)
        raise AssertionError("the docker CLI did not exit")
