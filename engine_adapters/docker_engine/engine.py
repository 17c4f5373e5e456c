"""DockerEngine: any Docker Engine API endpoint (dockerd, Podman, ssh://) via the docker SDK."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from engine_adapters.docker_engine import convert, first_contact
from engine_adapters.docker_engine.errors import translate, translated
from engine_adapters.docker_engine.logs import iter_log_lines
from engine_adapters.docker_engine.resources import ResourceCalls
from engine_adapters.docker_engine.run import create_kwargs
from engine_adapters.docker_engine.sessions import HijackedSession
from engine_adapters.docker_engine.stats import StatsPoller
from engine_adapters.docker_engine.streams import Closer, ThreadedStream, response_closer
from engine_adapters.errors import EngineError, EngineUnavailable, InvalidRequest, NotFound
from engine_adapters.models import (
    BuildProgress,
    Container,
    ContainerState,
    EngineInfo,
    Event,
    LogLine,
    PullProgress,
    RunSpec,
    StatsSample,
)
from engine_adapters.protocol import ExecSession, Stream

# The SDK (with requests and urllib3) is imported by the first call that needs it: about
# 100 ms that the UI's first screen does not wait for (see first_contact). The swarm's calls
# and the ssh transport are imported only by the engines that use them.
if TYPE_CHECKING:
    import docker

    from engine_adapters.docker_engine.cgroup_stats import CgroupCache
    from engine_adapters.docker_engine.ssh_command import SSHHost
    from engine_adapters.docker_engine.ssh_relay import SSHRelay
    from engine_adapters.docker_engine.swarm import DockerSwarm

P = ParamSpec("P")
R = TypeVar("R")

API_VERSION = "1.41"  # what Docker 20.10 serves; newer daemons, Podman and ours accept it
CALL_TIMEOUT = 15.0


def _ssh_host(url: str) -> SSHHost | None:
    if not url.startswith("ssh://"):
        return None
    from engine_adapters.docker_engine.ssh_command import SSHHost

    return SSHHost.parse(url)


class DockerEngine(ResourceCalls):
    """The Engine protocol over the docker SDK; blocking SDK calls run off the event loop."""

    def __init__(self, url: str, name: str = "docker", timeout: float = CALL_TIMEOUT) -> None:
        self._url = url
        self._name = name
        self._timeout = timeout
        self._api: docker.APIClient | None = None
        # Worker threads may make the first calls at once: one of them builds the client.
        self._api_lock = threading.Lock()
        self._swarm: DockerSwarm | None = None
        self._ssh = _ssh_host(url)
        self._relay: SSHRelay | None = None
        self._cgroups: CgroupCache | None = None  # kept by one stats stream for the next

    @classmethod
    def from_url(cls, url: str, name: str = "docker") -> DockerEngine:
        return cls(url, name)

    @property
    def name(self) -> str:
        return self._name

    @property
    def endpoint(self) -> str:
        return self._url

    @property
    def timeout(self) -> float:
        return self._timeout

    @property
    def swarm(self) -> DockerSwarm:
        """The swarm this engine manages; `swarm.state()` says whether it is a manager."""
        if self._swarm is None:
            from engine_adapters.docker_engine.swarm import DockerSwarm

            self._swarm = DockerSwarm(self)
        return self._swarm

    @property
    def api(self) -> docker.APIClient:
        # Built lazily and without a version probe, so an engine that is down at
        # start-up is simply unavailable until it answers, then works.
        if self._api is None:
            with self._api_lock:
                if self._api is None:
                    self._api = self._new_api()
        return self._api

    def _new_api(self) -> docker.APIClient:
        base_url = self._url
        if self._ssh is not None:
            # the SDK talks to a local socket; ssh carries it (ssh_relay.py says why)
            if self._relay is None:
                from engine_adapters.docker_engine.ssh_relay import SSHRelay

                self._relay = SSHRelay(self._ssh)
            base_url = self._relay.url
        with translated(self._url):
            import docker

            return docker.APIClient(
                base_url=base_url, version=API_VERSION, timeout=int(self._timeout), max_pool_size=16
            )

    async def call(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run one blocking SDK call in a thread; its errors come back as EngineErrors."""
        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except EngineError as exc:
            raise self._with_ssh_reason(exc) from exc
        except Exception as exc:
            raise self._with_ssh_reason(translate(exc, self._url)) from exc

    def _with_ssh_reason(self, error: EngineError) -> EngineError:
        """An ssh:// engine that cannot be reached says what ssh said about it."""
        relay = self._relay
        if isinstance(error, EngineUnavailable) and relay is not None and relay.failure:
            return EngineUnavailable(relay.failure)
        return error

    async def ping(self) -> None:
        if self._ssh is not None and self._relay is None:
            await self._open_ssh(self._ssh)
        await self.call(lambda: self.api.ping())

    async def _open_ssh(self, host: SSHHost) -> None:
        """One probing ssh first, so a refused key or an unknown host is said in ssh's words."""
        from engine_adapters.docker_engine.ssh_command import probe

        await asyncio.to_thread(probe, host, self._timeout)
        await asyncio.to_thread(lambda: self.api)

    async def first_contact(self) -> list[Container] | None:
        """A local engine answers with its container list, read without loading the SDK
        (first_contact.py says why); others are pinged and answer None."""
        path = first_contact.socket_path(self._url)
        if self._ssh is not None and self._relay is None:
            await self._open_ssh(self._ssh)
        if path is None or self._api is not None:
            await self.ping()
            return None
        raw = await self.call(first_contact.list_containers, path, API_VERSION, self._timeout)
        return sorted((convert.container_from_list(c) for c in raw), key=lambda c: c.name)

    async def info(self) -> EngineInfo:
        def fetch() -> tuple[dict[str, Any], dict[str, Any]]:
            return self.api.info(), self.api.version()

        info, version = await self.call(fetch)
        return EngineInfo(
            name=self._name,
            endpoint=self._url,
            server_version=str(version.get("Version", "")),
            api_version=str(version.get("ApiVersion", "")),
            os=str(info.get("OperatingSystem", "")),
            arch=str(info.get("Architecture", "")),
            kernel=str(info.get("KernelVersion", "")),
            host_name=str(info.get("Name", "")),
            cpus=int(info.get("NCPU") or 0),
            mem_total=int(info.get("MemTotal") or 0),
            containers=int(info.get("Containers") or 0),
            running=int(info.get("ContainersRunning") or 0),
            paused=int(info.get("ContainersPaused") or 0),
            stopped=int(info.get("ContainersStopped") or 0),
            images=int(info.get("Images") or 0),
            storage_driver=str(info.get("Driver", "")),
            root_dir=str(info.get("DockerRootDir", "")),
        )

    async def close(self) -> None:
        if self._cgroups is not None:
            self._cgroups.close()
        if self._api is not None:
            api, self._api = self._api, None
            await asyncio.to_thread(api.close)
        if self._relay is not None:
            relay, self._relay = self._relay, None
            await asyncio.to_thread(relay.close)

    # containers: run
    async def run(self, spec: RunSpec) -> Container:
        def create_and_start() -> str:
            api = self.api
            container_id: str = api.create_container(**create_kwargs(api, spec))["Id"]
            if spec.start:
                try:
                    api.start(container_id)
                except Exception:
                    # A failed start (port taken, bad command) leaves nothing half-made.
                    api.remove_container(container_id, force=True, v=True)
                    raise
            return container_id

        container_id = await self.call(create_and_start)
        try:
            return (await self.inspect_container(container_id)).container
        except NotFound:  # an auto-removed container that already exited
            return Container(
                id=container_id,
                name=spec.name or container_id[:12],
                image=spec.image,
                image_id="",
                command=" ".join(spec.command or ()),
                state=ContainerState.EXITED,
                status="Exited (auto-removed)",
                created=convert.parse_time(0) or convert._EPOCH,
            )

    # streams
    def events(self, since: float | None = None) -> Stream[Event]:
        def opener() -> tuple[Iterator[Event], Closer]:
            raw = self.api.events(since=int(since) if since else None, decode=True)
            return (convert.event_from_api(e) for e in raw), raw.close

        return ThreadedStream(opener, self._url, ends_cleanly=False, name="dockyard-events")

    def stats(self, refs: Sequence[str], interval: float = 2.0) -> Stream[list[StatsSample]]:
        # Loaded here, as the SDK is: the first screen does not wait for it.
        from engine_adapters.docker_engine.cgroup_stats import (
            CgroupCache,
            CgroupStats,
            can_read_locally,
        )

        def fetch(ref: str) -> Any:
            return self.api.stats(ref, stream=False, one_shot=True)

        # A local engine's containers are read from their cgroup files: no request per
        # container per interval (each costs dockerd about a second of work on 20.10).
        if can_read_locally(self._url):

            def inspect(ref: str) -> Any:
                return self.api.inspect_container(ref)

            if self._cgroups is None:
                self._cgroups = CgroupCache()
            return CgroupStats(inspect, fetch, refs, interval, self._url, self._cgroups)
        return StatsPoller(fetch, refs, interval, self._url)

    def logs(
        self,
        ref: str,
        tail: int | None = 200,
        follow: bool = False,
        since: float | None = None,
        timestamps: bool = False,
    ) -> Stream[LogLine]:
        def opener() -> tuple[Iterator[LogLine], Closer]:
            api = self.api
            tty = bool(api.inspect_container(ref)["Config"].get("Tty"))
            params: dict[str, Any] = {
                "stdout": 1,
                "stderr": 1,
                "follow": int(follow),
                "timestamps": int(timestamps),
                "tail": "all" if tail is None else str(tail),
            }
            if since is not None:
                params["since"] = f"{since:.9f}"
            # The SDK's logs() merges stdout and stderr; its request helpers keep them apart.
            url = api._url("/containers/{0}/logs", ref)  # type: ignore[attr-defined]
            timeout = None if follow else self._timeout
            response = api._get(  # type: ignore[attr-defined]
                url, params=params, stream=True, timeout=timeout
            )
            api._raise_for_status(response)  # type: ignore[attr-defined]
            return iter_log_lines(response, tty, timestamps), response_closer(response)

        return ThreadedStream(opener, self._url, name="dockyard-logs")

    def pull(self, ref: str) -> Stream[PullProgress]:
        def opener() -> tuple[Iterator[PullProgress], Closer]:
            from docker.utils import parse_repository_tag

            repository, tag = parse_repository_tag(ref)
            if not tag and "@" not in repository:
                tag = "latest"
            raw = self.api.pull(repository, tag=tag, stream=True, decode=True)
            return (_pull_progress(item) for item in raw), getattr(raw, "close", lambda: None)

        return ThreadedStream(opener, self._url, name="dockyard-pull")

    def build_image(
        self,
        context_dir: str,
        tag: str,
        dockerfile: str = "Dockerfile",
        args: dict[str, str] | None = None,
    ) -> Stream[BuildProgress]:
        def opener() -> tuple[Iterator[BuildProgress], Closer]:
            # The SDK tars the folder itself (honouring .dockerignore) and posts it.
            raw = self.api.build(
                path=context_dir,
                tag=tag,
                dockerfile=dockerfile,
                buildargs=args or None,
                rm=True,
                decode=True,
            )
            return (_build_progress(item) for item in raw), getattr(raw, "close", lambda: None)

        return ThreadedStream(opener, self._url, name="dockyard-build")

    # sessions
    async def exec(
        self,
        ref: str,
        cmd: Sequence[str],
        tty: bool = True,
        user: str | None = None,
        env: dict[str, str] | None = None,
        workdir: str | None = None,
        size: tuple[int, int] | None = None,
    ) -> ExecSession:
        def start() -> tuple[str, Any]:
            api = self.api
            exec_id: str = api.exec_create(
                ref,
                list(cmd),
                stdin=True,
                tty=tty,
                user=user or "",
                environment=env,
                workdir=workdir,
            )["Id"]
            sock = api.exec_start(exec_id, tty=tty, socket=True)
            if size and tty:
                # Before API 1.42 the size can only follow the start, so a process that
                # ends at once may already be gone: its output is still there to read.
                import docker.errors

                with contextlib.suppress(docker.errors.APIError):
                    api.exec_resize(exec_id, height=size[0], width=size[1])
            return exec_id, sock

        exec_id, sock = await self.call(start)

        async def resize(rows: int, cols: int) -> None:
            await self.call(self.api.exec_resize, exec_id, height=rows, width=cols)

        async def exit_code() -> int | None:
            for _ in range(100):  # the exit code lands shortly after the stream ends
                state = await self.call(self.api.exec_inspect, exec_id)
                if not state.get("Running"):
                    code = state.get("ExitCode")
                    return int(code) if code is not None else None
                await asyncio.sleep(0.05)
            return None

        return HijackedSession(exec_id, sock, tty, self._url, resize, exit_code)

    async def attach(self, ref: str) -> ExecSession:
        def start() -> tuple[Any, bool]:
            api = self.api
            tty = bool(api.inspect_container(ref)["Config"].get("Tty"))
            params = {"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
            return api.attach_socket(ref, params=params), tty

        sock, tty = await self.call(start)

        async def resize(rows: int, cols: int) -> None:
            await self.call(self.api.resize, ref, height=rows, width=cols)

        async def exit_code() -> int | None:
            state = (await self.call(self.api.inspect_container, ref))["State"]
            return None if state.get("Running") else int(state.get("ExitCode") or 0)

        return HijackedSession(ref, sock, tty, self._url, resize, exit_code)


def _build_progress(item: dict[str, Any]) -> BuildProgress:
    if "error" in item:
        raise InvalidRequest(str(item["error"]).strip())
    image_id = (item.get("aux") or {}).get("ID")
    text = str(item.get("stream") or item.get("status") or "")
    return BuildProgress(text=text, image_id=image_id)


def _pull_progress(item: dict[str, Any]) -> PullProgress:
    if "error" in item:
        raise InvalidRequest(str(item["error"]))
    detail = item.get("progressDetail") or {}
    return PullProgress(
        status=str(item.get("status", "")),
        layer=str(item.get("id", "")),
        current=int(detail.get("current") or 0),
        total=int(detail.get("total") or 0),
    )
