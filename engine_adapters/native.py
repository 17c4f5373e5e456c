"""NativeEngine: the Docker adapter on our own daemon's socket, which it starts when needed."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from engine_adapters.discovery import (
    EngineTarget,
    native_data_root,
    native_socket,
)
from engine_adapters.docker_engine import DockerEngine, first_contact
from engine_adapters.errors import EngineUnavailable
from engine_adapters.protocol import Engine


def daemon_command(socket_path: str, data_root: str, *extra: str) -> list[str]:
    """The native daemon runs as its own process: `python -m native_runtime daemon ...`."""
    return [
        sys.executable,
        "-m",
        "native_runtime",
        "daemon",
        "--socket",
        socket_path,
        "--data-root",
        data_root,
        *extra,
    ]


class NativeEngine(DockerEngine):
    """Dockyard's own engine, reached over the Docker API like any other."""

    def __init__(self, socket_path: str | None = None, data_root: str | None = None) -> None:
        self.socket_path = socket_path or native_socket()
        self.data_root = data_root or native_data_root()
        super().__init__(f"unix://{self.socket_path}", name="native")

    @property
    def log_path(self) -> Path:
        return Path(self.data_root) / "daemon.log"

    async def ensure_started(self, timeout: float = 20.0) -> bool:
        """Start the daemon detached unless it answers; True when this call started it."""
        if await self._answers():
            return False
        if os.geteuid() != 0:
            raise EngineUnavailable("the native engine needs root to start (run as root or sudo)")
        Path(self.data_root).mkdir(parents=True, exist_ok=True)
        Path(self.socket_path).parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            process = subprocess.Popen(
                daemon_command(self.socket_path, self.data_root),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,  # outlives the UI, like dockerd
            )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            if process.poll() is not None:
                raise EngineUnavailable(
                    f"the native engine exited at start (code {process.returncode}); "
                    f"see {self.log_path}"
                )
            if await self._answers():
                return True
            await asyncio.sleep(0.1)
        raise EngineUnavailable(f"the native engine did not answer in {timeout:.0f}s")

    async def _answers(self) -> bool:
        # A ping without the SDK: the UI's start does not wait for it to load (first_contact).
        return await asyncio.to_thread(first_contact.answers, self.socket_path, 2.0)


def open_engine(target: EngineTarget) -> Engine:
    """An Engine for a discovered or resolved target (not yet contacted)."""
    if target.is_native:
        path = target.url.removeprefix("unix://")
        return NativeEngine(socket_path=path)
    return DockerEngine(target.url, name=target.name)
