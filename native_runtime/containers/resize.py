"""`docker resize` (and the CLI's resizes for `run -t`/`attach`): the container's pty size."""

from __future__ import annotations

from native_runtime.containers.model import Container, can_resize
from native_runtime.containers.winsize import WindowSizer
from native_runtime.runtime import Runtime

# One writer per running tty container, keyed by container id and bound to its conmon:
# a new run (restart) gets a new conmon, a new FIFO and nothing sent yet.
_sizers: dict[str, tuple[int, WindowSizer]] = {}


async def resize(rt: Runtime, ctr: Container, height: int, width: int) -> None:
    can_resize(ctr)
    if not ctr.tty:
        return  # dockerd accepts it and does nothing
    conmon_pid = ctr.state.conmon_pid
    owner, sizer = _sizers.get(ctr.id, (0, None))
    if sizer is None or owner != conmon_pid:
        # conmon holds the pty before it reports the pid, so the FIFO is live from start.
        sizer = WindowSizer(rt.dirs(ctr).bundle / "winsz")
        _sizers[ctr.id] = (conmon_pid, sizer)
    await sizer.want(height, width)


def forget(ctr: Container) -> None:
    """The container's conmon is gone, and its FIFO with it."""
    entry = _sizers.pop(ctr.id, None)
    if entry is not None:
        entry[1].detach()
