"""A private unix socket whose every connection is `ssh HOST docker system dial-stdio`.

The SDK then talks to an ssh:// engine as to a local socket: its timeouts, connection pool,
streams and hijacked exec sessions all work unchanged, while the bytes go through the user's
own ssh client (see ssh_command.py). One asyncio loop in a daemon thread runs the relay.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
import threading
from pathlib import Path

from engine_adapters.docker_engine.ssh_command import SSHHost, explain

CHUNK = 65536
# sshd drops unauthenticated connections past MaxStartups (10 by default), and the UI opens
# a dozen at once (lists, events, logs, stats): so eight handshakes at a time, the rest wait
HANDSHAKES = 8
# sessions per master connection: sshd's MaxSessions is 10 by default, and the master's own
# session is one of them
SESSIONS_PER_MASTER = 8
MASTER_READY_TIMEOUT = 20.0


class _Master:
    """One authenticated connection that carries up to SESSIONS_PER_MASTER sessions."""

    def __init__(self, path: str, process: asyncio.subprocess.Process) -> None:
        self.path = path
        self.process = process
        self.sessions = 0

    @property
    def alive(self) -> bool:
        return self.process.returncode is None


class SSHRelay:
    """Serves `socket_path` for as long as it is open; `close()` ends every ssh it started."""

    def __init__(self, host: SSHHost) -> None:
        self.host = host
        self._dir = tempfile.mkdtemp(prefix="dockyard-ssh-")
        self.socket_path = str(Path(self._dir) / "engine.sock")
        self.failure: str | None = None  # why the last ssh that never answered failed
        self._processes: set[asyncio.subprocess.Process] = set()
        self._masters: list[_Master] = []
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(ready,), name=f"ssh-relay {host.url}", daemon=True
        )
        self._thread.start()
        ready.wait()

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        self._handshakes = asyncio.Semaphore(HANDSHAKES)
        self._masters_lock = asyncio.Lock()
        self._started = 0
        self._server = self._loop.run_until_complete(
            asyncio.start_unix_server(self._serve, path=self.socket_path)
        )
        ready.set()
        self._loop.run_forever()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        master = await self._session_slot()
        if master is not None:
            # a session on a master connection: no handshake of its own
            try:
                await self._connect(reader, writer, asyncio.Event(), master.path)
            finally:
                master.sessions -= 1
            return
        async with self._handshakes:
            answered = asyncio.Event()
            served = asyncio.create_task(self._connect(reader, writer, answered, None))
            # the first bytes back mean ssh is in; the next connection may start its handshake
            waiter = asyncio.create_task(answered.wait())
            await asyncio.wait([served, waiter], return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
        await served

    async def _session_slot(self) -> _Master | None:
        """A master with room for one more session, started if none has room; None when a
        master cannot be had (the connection then goes alone and says why if it fails)."""
        async with self._masters_lock:
            self._masters = [m for m in self._masters if m.alive]
            for master in self._masters:
                if master.sessions < SESSIONS_PER_MASTER:
                    master.sessions += 1
                    return master
            async with self._handshakes:
                started = await self._start_master()
            if started is not None:
                started.sessions += 1
            return started

    async def _start_master(self) -> _Master | None:
        self._started += 1
        path = str(Path(self._dir) / f"master-{self._started}")
        try:
            process = await asyncio.create_subprocess_exec(
                *self.host.master_command(path),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError:
            return None
        master = _Master(path, process)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + MASTER_READY_TIMEOUT
        # ssh makes the control socket once it is in
        while master.alive and not Path(path).exists() and loop.time() < deadline:
            await asyncio.sleep(0.02)
        if not (master.alive and Path(path).exists()):
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            return None
        self._masters.append(master)
        return master

    async def _connect(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        answered: asyncio.Event,
        control_path: str | None,
    ) -> None:
        try:
            process = await asyncio.create_subprocess_exec(
                *self.host.command(control_path),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as exc:
            self.failure = f"cannot run ssh: {exc.strerror or exc}"
            writer.close()
            return
        self._processes.add(process)
        assert process.stdin and process.stdout and process.stderr
        errors = asyncio.create_task(process.stderr.read())
        upstream = asyncio.create_task(self._pump(reader, process.stdin, None))
        downstream = asyncio.create_task(self._pump(process.stdout, writer, answered))
        try:
            await asyncio.wait([upstream, downstream], return_when=asyncio.FIRST_COMPLETED)
            # Our clients never half-close: a client that hung up is gone, and a stream it was
            # reading (logs -f, events) would keep the remote side sending to nobody.
            hung_up = upstream.done()
            if hung_up:
                with contextlib.suppress(ProcessLookupError):
                    process.terminate()
            await downstream
            upstream.cancel()
            try:
                returncode = await asyncio.wait_for(process.wait(), 5)
            except TimeoutError:
                process.kill()
                returncode = await process.wait()
            stderr = (await errors).decode(errors="replace")
            # recorded before the client sees the connection close, so its error can say why
            if answered.is_set():
                self.failure = None
            elif returncode > 0 and not hung_up:
                self.failure = explain(self.host, returncode, stderr)
        finally:
            self._processes.discard(process)
            writer.close()

    @staticmethod
    async def _pump(
        source: asyncio.StreamReader,
        sink: asyncio.StreamWriter,
        answered: asyncio.Event | None,
    ) -> None:
        try:
            while chunk := await source.read(CHUNK):
                if answered is not None:
                    answered.set()
                sink.write(chunk)
                await sink.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            if answered is None:
                # the request is sent: ssh's stdin ends, the answer may still be coming back
                with contextlib.suppress(OSError, RuntimeError):
                    sink.close()

    def close(self) -> None:
        """Stop serving, end every ssh process, remove the socket's folder."""
        if self._loop.is_closed():
            return
        future = asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop)
        with contextlib.suppress(Exception):
            future.result(timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self._loop.close()
        shutil.rmtree(self._dir, ignore_errors=True)

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        masters = [m.process for m in self._masters]
        for process in [*self._processes, *masters]:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
        for process in [*self._processes, *masters]:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(process.wait(), 5)
        # the connections' own tasks end with their processes; whatever is left is cancelled
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
