"""The async `Engine` protocol that every adapter implements and the UI relies on."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from typing import Protocol, TypeVar, runtime_checkable

from engine_adapters.models import (
    BuildProgress,
    Container,
    ContainerDetails,
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

T_co = TypeVar("T_co", covariant=True)


@runtime_checkable
class Stream(Protocol[T_co]):
    """An async iterator that another task may close; iteration then ends promptly.

    A stream whose engine goes away raises `EngineUnavailable` from `__anext__`.
    """

    def __aiter__(self) -> AsyncIterator[T_co]: ...

    async def __anext__(self) -> T_co: ...

    async def aclose(self) -> None: ...


class ExecSession(Protocol):
    """A process started in a container (exec) or its main process (attach).

    With a tty the output is the raw terminal byte stream; without one, stdout
    and stderr are merged in arrival order.
    """

    @property
    def id(self) -> str: ...

    @property
    def tty(self) -> bool: ...

    async def read(self) -> bytes:
        """The next chunk of output; b"" once the process's output has ended."""
        ...

    async def write(self, data: bytes) -> None: ...

    async def resize(self, rows: int, cols: int) -> None: ...

    async def wait(self) -> int | None:
        """The exit code once the process ended (None for a detached attach)."""
        ...

    async def close(self) -> None: ...


class Engine(Protocol):
    """One container engine. Every method may raise an `EngineError`."""

    @property
    def name(self) -> str:
        """A short label for the header and the engine switcher: "docker", "native", ..."""
        ...

    @property
    def endpoint(self) -> str:
        """The URL this engine is reached at (unix:///..., ssh://..., tcp://...)."""
        ...

    async def ping(self) -> None: ...

    async def first_contact(self) -> list[Container] | None:
        """Check the engine answers, like ping; an engine that can list its containers as
        cheaply answers with them (the first screen shows them), else None."""
        ...

    async def info(self) -> EngineInfo: ...

    async def close(self) -> None: ...

    async def lists(self, kinds: Collection[ListKind]) -> dict[ListKind, Sequence[Listed]]:
        """Several of the lists at once, each as its own method returns it; one pass over
        the engine where it can share the work (the container list serves them all)."""
        ...

    # containers
    async def containers(self, all: bool = True) -> list[Container]: ...

    async def inspect_container(self, ref: str) -> ContainerDetails: ...

    async def run(self, spec: RunSpec) -> Container: ...

    async def start(self, ref: str) -> None: ...

    async def stop(self, ref: str, timeout: int | None = None) -> None: ...

    async def restart(self, ref: str, timeout: int | None = None) -> None: ...

    async def kill(self, ref: str, signal: str = "SIGKILL") -> None: ...

    async def pause(self, ref: str) -> None: ...

    async def unpause(self, ref: str) -> None: ...

    async def remove(self, ref: str, force: bool = False, volumes: bool = False) -> None: ...

    async def rename(self, ref: str, new_name: str) -> None: ...

    async def wait(self, ref: str, timeout: float | None = None) -> int: ...

    async def top(self, ref: str) -> list[Process]: ...

    async def prune_containers(self) -> PruneReport: ...

    # images
    async def images(self) -> list[Image]: ...

    async def inspect_image(self, ref: str) -> ImageDetails: ...

    async def remove_image(self, ref: str, force: bool = False) -> None: ...

    async def prune_images(self, dangling_only: bool = True) -> PruneReport: ...

    def pull(self, ref: str) -> Stream[PullProgress]: ...

    def build_image(
        self,
        context_dir: str,
        tag: str,
        dockerfile: str = "Dockerfile",
        args: dict[str, str] | None = None,
    ) -> Stream[BuildProgress]:
        """Builds an image from a local folder; a failed step raises InvalidRequest."""
        ...

    # volumes
    async def volumes(self) -> list[Volume]: ...

    async def create_volume(
        self, name: str | None = None, driver: str = "local", labels: dict[str, str] | None = None
    ) -> Volume: ...

    async def remove_volume(self, name: str, force: bool = False) -> None: ...

    async def prune_volumes(self) -> PruneReport: ...

    # networks
    async def networks(self) -> list[Network]: ...

    async def inspect_network(self, ref: str) -> Network: ...

    async def create_network(
        self,
        name: str,
        driver: str = "bridge",
        subnet: str | None = None,
        gateway: str | None = None,
        internal: bool = False,
        labels: dict[str, str] | None = None,
    ) -> Network: ...

    async def remove_network(self, ref: str) -> None: ...

    async def connect(
        self,
        network: str,
        container: str,
        aliases: Sequence[str] = (),
        ipv4: str | None = None,
    ) -> None: ...

    async def disconnect(self, network: str, container: str, force: bool = False) -> None: ...

    async def prune_networks(self) -> PruneReport: ...

    # streams
    def events(self, since: float | None = None) -> Stream[Event]: ...

    def stats(self, refs: Sequence[str], interval: float = 2.0) -> Stream[list[StatsSample]]:
        """Samples for many containers, one batch per interval.

        A container that is slow to answer misses a batch; it never delays the others.
        """
        ...

    def logs(
        self,
        ref: str,
        tail: int | None = 200,
        follow: bool = False,
        since: float | None = None,
        timestamps: bool = False,
    ) -> Stream[LogLine]: ...

    async def exec(
        self,
        ref: str,
        cmd: Sequence[str],
        tty: bool = True,
        user: str | None = None,
        env: dict[str, str] | None = None,
        workdir: str | None = None,
        size: tuple[int, int] | None = None,
    ) -> ExecSession: ...

    async def attach(self, ref: str) -> ExecSession: ...
