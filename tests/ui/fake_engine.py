"""A deterministic in-memory Engine for UI snapshots and Pilot tests (not engine evidence)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Collection, Sequence
from dataclasses import replace
from typing import Any, Generic, TypeVar

from engine_adapters.errors import EngineError, EngineUnavailable, NotFound
from engine_adapters.models import (
    LIST_KINDS,
    BuildProgress,
    Container,
    ContainerDetails,
    ContainerState,
    EngineInfo,
    Event,
    Image,
    ImageDetails,
    Listed,
    ListKind,
    LogLine,
    Network,
    Process,
    PruneReport,
    PullProgress,
    RunSpec,
    StatsSample,
    Volume,
)
from engine_adapters.protocol import ExecSession
from tests.ui.fake_data import (
    NOW,
    _containers,
    _images,
    _networks,
    _volumes,
    canned_logs,
    cid,
)

__all__ = ["NOW", "FakeEngine", "QueueStream", "canned_logs", "cid"]

T = TypeVar("T")
_CLOSED = object()


class QueueStream(Generic[T]):
    """A closable stream fed from a queue; `None`-free so the fake can push anything."""

    def __init__(self, items: Sequence[T] = ()) -> None:
        self.queue: asyncio.Queue[object] = asyncio.Queue()
        for item in items:
            self.queue.put_nowait(item)
        self.closed = False

    def push(self, item: T) -> None:
        self.queue.put_nowait(item)

    def fail(self, error: EngineError) -> None:
        self.queue.put_nowait(error)

    def finish(self) -> None:
        """End the stream as an engine does when it has nothing more to send."""
        self.queue.put_nowait(_CLOSED)

    def __aiter__(self) -> AsyncIterator[T]:
        return self

    async def __anext__(self) -> T:
        if self.closed:
            raise StopAsyncIteration
        item = await self.queue.get()
        if item is _CLOSED:
            raise StopAsyncIteration
        if isinstance(item, EngineError):
            raise item
        return item  # type: ignore[return-value]

    async def aclose(self) -> None:
        self.closed = True
        self.queue.put_nowait(_CLOSED)


class FakeEngine:
    """Implements the Engine protocol in memory; every action is recorded in `calls`."""

    def __init__(self, name: str = "fake", log_lines: int = 40) -> None:
        self._name = name
        self._containers = {c.id: c for c in _containers()}
        self._images = _images()
        self._volumes = _volumes()
        self._networks = _networks()
        self.log_lines = log_lines
        self.calls: list[tuple[object, ...]] = []
        self.available = True
        self.fail_next: EngineError | None = None
        self.event_streams: list[QueueStream[Event]] = []
        # The kinds of each `lists` call: what one pass over the engine read together.
        self.list_passes: list[frozenset[str]] = []
        self.stats_streams: list[QueueStream[list[StatsSample]]] = []
        self.log_streams: list[QueueStream[LogLine]] = []
        self._log_followers: dict[str, list[QueueStream[LogLine]]] = {}
        self.pull_stream: QueueStream[PullProgress] | None = None

    # helpers for tests -------------------------------------------------------
    def _check(self, *call: object) -> None:
        if not self.available:
            raise EngineUnavailable("Cannot connect to the fake engine")
        self.calls.append(call)
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error

    def _find(self, ref: str) -> Container:
        for c in self._containers.values():
            if ref in (c.id, c.name) or c.id.startswith(ref):
                return c
        raise NotFound(f"No such container: {ref}")

    def emit(self, action: str, container: Container) -> None:
        self.emit_event("container", action, container.id, container.name)

    def emit_event(self, kind: str, action: str, actor_id: str, name: str) -> None:
        event = Event(kind, action, actor_id, NOW.timestamp(), {"name": name})
        for stream in self.event_streams:
            stream.push(event)

    def add_container(self, container: Container) -> None:
        """Simulate a container created from another terminal."""
        self._containers[container.id] = container
        self.emit("start", container)

    def stats_batch(self, step: int = 0) -> list[StatsSample]:
        out = []
        for n, c in enumerate(sorted(self._containers.values(), key=lambda c: c.name)):
            if c.state != ContainerState.RUNNING:
                continue
            out.append(
                StatsSample(
                    c.id,
                    NOW.timestamp() + step,
                    1.5 * (n + 1) + (step % 5),
                    (n + 1) * 64 * 2**20,
                    2 * 2**30,
                    1000 * (n + 1) * (step + 1),
                    500 * (n + 1) * (step + 1),
                    4096 * n,
                    8192 * n,
                    n + 2,
                )
            )
        return out

    def _set(self, ref: str, action: str, **changes: object) -> None:
        c = self._find(ref)
        c = replace(c, **changes)  # type: ignore[arg-type]
        self._containers[c.id] = c
        if c.state == ContainerState.EXITED:
            # As an engine does: a container that stops ends the logs followed.
            for stream in self._log_followers.pop(c.id, []):
                stream.finish()
        self.emit(action, c)

    # Engine protocol ---------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def endpoint(self) -> str:
        return "unix:///run/fake.sock"

    async def ping(self) -> None:
        self._check("ping")

    async def first_contact(self) -> list[Container] | None:
        self._check("ping")
        return None

    async def info(self) -> EngineInfo:
        if not self.available:
            raise EngineUnavailable("Cannot connect to the fake engine")
        cs = list(self._containers.values())
        return EngineInfo(
            self._name,
            self.endpoint,
            "20.10.99",
            "1.41",
            "linux",
            "x86_64",
            containers=len(cs),
            running=sum(c.state == "running" for c in cs),
            images=len(self._images),
            cpus=4,
            mem_total=8 * 2**30,
        )

    async def close(self) -> None:
        streams: list[QueueStream[Any]] = [
            *self.event_streams,
            *self.stats_streams,
            *self.log_streams,
        ]
        for stream in streams:
            await stream.aclose()

    async def lists(self, kinds: Collection[ListKind]) -> dict[ListKind, Sequence[Listed]]:
        self.list_passes.append(frozenset(kinds))
        found: dict[ListKind, Sequence[Listed]] = {}
        for kind in LIST_KINDS:
            if kind in kinds:
                found[kind] = await getattr(self, kind)()
        return found

    async def containers(self, all: bool = True) -> list[Container]:
        if not self.available:
            raise EngineUnavailable("Cannot connect to the fake engine")
        return list(self._containers.values())

    async def inspect_container(self, ref: str) -> ContainerDetails:
        c = self._find(ref)
        env = (
            ("PATH", "/bin"),
            ("POSTGRES_PASSWORD", "hunter2"),
            ("API_TOKEN", "tok-123"),
            ("MODE", "prod"),
        )
        raw = json.dumps(
            {
                "Id": c.id,
                "Name": "/" + c.name,
                "State": {"Status": c.state.value, "ExitCode": c.exit_code or 0},
                "Config": {
                    "Image": c.image,
                    "Env": [f"{k}={v}" for k, v in env],
                    "Labels": dict(c.labels),
                },
            },
            indent=2,
        )
        return ContainerDetails(
            c, env=env, cmd=tuple(c.command.split()), restart_policy="no", raw_json=raw
        )

    async def run(self, spec: RunSpec) -> Container:
        self._check("run", spec)
        n = len(self._containers) + 1
        c = Container(
            cid(n),
            spec.name or f"new-{n}",
            spec.image,
            "sha256:" + "d0" * 32,
            " ".join(spec.command or ()),
            ContainerState.RUNNING,
            "Up 1 second",
            NOW,
            started_at=NOW,
        )
        self.add_container(c)
        return c

    async def start(self, ref: str) -> None:
        self._check("start", ref)
        self._set(ref, "start", state=ContainerState.RUNNING, status="Up 1 second", started_at=NOW)

    async def stop(self, ref: str, timeout: int | None = None) -> None:
        self._check("stop", ref)
        self._set(
            ref,
            "die",
            state=ContainerState.EXITED,
            status="Exited (0) 1 second ago",
            exit_code=0,
            finished_at=NOW,
        )

    async def restart(self, ref: str, timeout: int | None = None) -> None:
        self._check("restart", ref)
        self._set(ref, "restart", state=ContainerState.RUNNING, started_at=NOW)

    async def kill(self, ref: str, signal: str = "SIGKILL") -> None:
        self._check("kill", ref, signal)
        self._set(ref, "die", state=ContainerState.EXITED, exit_code=137, finished_at=NOW)

    async def pause(self, ref: str) -> None:
        self._check("pause", ref)
        self._set(ref, "pause", state=ContainerState.PAUSED)

    async def unpause(self, ref: str) -> None:
        self._check("unpause", ref)
        self._set(ref, "unpause", state=ContainerState.RUNNING)

    async def remove(self, ref: str, force: bool = False, volumes: bool = False) -> None:
        self._check("remove", ref, force)
        c = self._find(ref)
        del self._containers[c.id]
        self.emit("destroy", c)

    async def rename(self, ref: str, new_name: str) -> None:
        self._check("rename", ref, new_name)
        self._set(ref, "rename", name=new_name)

    async def wait(self, ref: str, timeout: float | None = None) -> int:
        return self._find(ref).exit_code or 0

    async def top(self, ref: str) -> list[Process]:
        c = self._find(ref)
        if c.state != ContainerState.RUNNING:
            raise EngineError(f"Container {c.name} is not running")
        return [
            Process("1", "root", c.command, (("PID", "1"), ("USER", "root"), ("CMD", c.command))),
            Process("27", "root", "worker", (("PID", "27"), ("USER", "root"), ("CMD", "worker"))),
        ]

    async def prune_containers(self) -> PruneReport:
        self._check("prune_containers")
        gone = [c for c in self._containers.values() if c.state == ContainerState.EXITED]
        for c in gone:
            del self._containers[c.id]
            self.emit("destroy", c)
        return PruneReport(tuple(c.id for c in gone), 0)

    async def images(self) -> list[Image]:
        if not self.available:
            raise EngineUnavailable("Cannot connect to the fake engine")
        return list(self._images)

    async def inspect_image(self, ref: str) -> ImageDetails:
        for i in self._images:
            if ref in (i.id, *i.tags):
                return ImageDetails(
                    i,
                    "amd64",
                    "linux",
                    raw_json=json.dumps({"Id": i.id, "RepoTags": list(i.tags)}, indent=2),
                )
        raise NotFound(f"No such image: {ref}")

    async def remove_image(self, ref: str, force: bool = False) -> None:
        self._check("remove_image", ref, force)
        self._images = [i for i in self._images if ref not in (i.id, *i.tags)]
        self.emit_event("image", "delete", ref, ref)

    async def prune_images(self, dangling_only: bool = True) -> PruneReport:
        self._check("prune_images", dangling_only)
        gone = [i for i in self._images if i.dangling]
        self._images = [i for i in self._images if not i.dangling]
        return PruneReport(tuple(i.id for i in gone), sum(i.size for i in gone))

    def pull(self, ref: str) -> QueueStream[PullProgress]:
        self.calls.append(("pull", ref))
        self.pull_stream = QueueStream(
            [PullProgress("Pulling from library", "l1"), PullProgress("Downloading", "l1", 50, 100)]
        )
        return self.pull_stream

    def build_image(
        self,
        context_dir: str,
        tag: str,
        dockerfile: str = "Dockerfile",
        args: dict[str, str] | None = None,
    ) -> QueueStream[BuildProgress]:
        self.calls.append(("build_image", context_dir, tag))
        stream: QueueStream[BuildProgress] = QueueStream()
        stream.queue.put_nowait(_CLOSED)
        return stream

    async def volumes(self) -> list[Volume]:
        if not self.available:
            raise EngineUnavailable("Cannot connect to the fake engine")
        return list(self._volumes)

    async def create_volume(
        self, name: str | None = None, driver: str = "local", labels: dict[str, str] | None = None
    ) -> Volume:
        self._check("create_volume", name)
        v = Volume(name or "anon", driver, f"/var/lib/docker/volumes/{name}/_data", NOW)
        self._volumes.append(v)
        self.emit_event("volume", "create", v.name, v.name)
        return v

    async def remove_volume(self, name: str, force: bool = False) -> None:
        self._check("remove_volume", name)
        self._volumes = [v for v in self._volumes if v.name != name]
        self.emit_event("volume", "destroy", name, name)

    async def prune_volumes(self) -> PruneReport:
        self._check("prune_volumes")
        gone = [v for v in self._volumes if not v.used_by]
        self._volumes = [v for v in self._volumes if v.used_by]
        return PruneReport(tuple(v.name for v in gone), 0)

    async def networks(self) -> list[Network]:
        if not self.available:
            raise EngineUnavailable("Cannot connect to the fake engine")
        return list(self._networks)

    async def inspect_network(self, ref: str) -> Network:
        for n in self._networks:
            if ref in (n.id, n.name):
                return n
        raise NotFound(f"No such network: {ref}")

    async def create_network(
        self,
        name: str,
        driver: str = "bridge",
        subnet: str | None = None,
        gateway: str | None = None,
        internal: bool = False,
        labels: dict[str, str] | None = None,
    ) -> Network:
        self._check("create_network", name)
        n = Network(f"{len(self._networks):02d}" * 32, name, driver, created=NOW)
        self._networks.append(n)
        self.emit_event("network", "create", n.id, n.name)
        return n

    async def remove_network(self, ref: str) -> None:
        self._check("remove_network", ref)
        self._networks = [n for n in self._networks if ref not in (n.id, n.name)]
        self.emit_event("network", "destroy", ref, ref)

    async def connect(
        self, network: str, container: str, aliases: Sequence[str] = (), ipv4: str | None = None
    ) -> None:
        self._check("connect", network, container)
        self.emit_event("network", "connect", network, network)

    async def disconnect(self, network: str, container: str, force: bool = False) -> None:
        self._check("disconnect", network, container)

    async def prune_networks(self) -> PruneReport:
        self._check("prune_networks")
        return PruneReport()

    def events(self, since: float | None = None) -> QueueStream[Event]:
        stream: QueueStream[Event] = QueueStream()
        if not self.available:
            stream.fail(EngineUnavailable("Cannot connect to the fake engine"))
        self.event_streams.append(stream)
        return stream

    def stats(self, refs: Sequence[str], interval: float = 2.0) -> QueueStream[list[StatsSample]]:
        wanted = set(refs)
        first = [s for s in self.stats_batch() if s.container_id in wanted]
        stream: QueueStream[list[StatsSample]] = QueueStream([first])
        self.stats_streams.append(stream)
        return stream

    def logs(
        self,
        ref: str,
        tail: int | None = 200,
        follow: bool = False,
        since: float | None = None,
        timestamps: bool = False,
    ) -> QueueStream[LogLine]:
        c = self._find(ref)
        lines = canned_logs(c.name, self.log_lines)
        if since is not None:  # inclusive, as Docker's
            lines = [
                line for line in lines if line.timestamp and line.timestamp.timestamp() >= since
            ]
        if tail is not None:
            lines = lines[-tail:] if tail else []
        stream: QueueStream[LogLine] = QueueStream(lines)
        if follow:
            self.log_streams.append(stream)
        if follow and c.state in (ContainerState.RUNNING, ContainerState.PAUSED):
            self._log_followers.setdefault(c.id, []).append(stream)
        else:  # as an engine does, a stopped container's stream ends after what it has
            stream.queue.put_nowait(_CLOSED)
        return stream

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
        raise EngineError("exec is not available in the fake engine")

    async def attach(self, ref: str) -> ExecSession:
        raise EngineError("attach is not available in the fake engine")
