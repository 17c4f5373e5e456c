"""`docker start`: mount the rootfs, write the bundle, launch conmon, then let the process run."""

from __future__ import annotations

import asyncio
import json
import socket

from native_runtime.containers import execfifo, health, links, monitor, rootfs, spec
from native_runtime.containers.exited import cleanup_runtime, now_rfc3339
from native_runtime.containers.model import EXITED, RUNNING, Container, ContainerDirs, can_start
from native_runtime.containers.remove import remove
from native_runtime.errors import BadParameter
from native_runtime.network import SandboxFiles
from native_runtime.runtime import Runtime
from native_runtime.timing import stage
from native_runtime.volumes import mounts

BUNDLE_TIMEOUT = 120.0


def _write_etc(ctr: Container, dirs: ContainerDirs, files: SandboxFiles) -> None:
    """Per-container /etc/hostname, /etc/hosts and /etc/resolv.conf, bind-mounted in."""
    dirs.etc.mkdir(exist_ok=True)
    host_network = ctr.host_config.get("NetworkMode") == "host"
    hostname = socket.gethostname() if host_network else str(ctr.config.get("Hostname"))
    (dirs.etc / "hostname").write_text(hostname + "\n")
    hosts = files.hosts
    for entry in ctr.host_config.get("ExtraHosts") or []:
        name, _, address = str(entry).partition(":")
        hosts += f"{address}\t{name}\n"
    (dirs.etc / "hosts").write_text(hosts)
    (dirs.etc / "resolv.conf").write_text(files.resolv_conf)


def _ensure_plan(rt: Runtime, ctr: Container) -> None:
    """Containers created before networking was wired have no plan; make one from their config."""
    if rt.networks.store.plan(ctr.id) is None:
        rt.networks.prepare(
            ctr.id,
            ctr.name,
            ctr.host_config,
            None,
            ctr.config.get("ExposedPorts"),
            hostname=str(ctr.config.get("Hostname") or ""),
        )


def _share_peer_hostname(rt: Runtime, ctr: Container) -> None:
    """`--net container:X` takes X's hostname too, as dockerd does at each start."""
    mode = str(ctr.host_config.get("NetworkMode") or "")
    if mode.startswith("container:"):
        peer = rt.containers.find(mode.removeprefix("container:"))
        ctr.config["Hostname"] = peer.config.get("Hostname") or peer.short_id


def prepare_bundle(rt: Runtime, ctr: Container, files: SandboxFiles) -> None:
    dirs = rt.dirs(ctr)
    record = rt.images.get(ctr.image_id)
    lowers = [rt.layers.rootfs(d) for d in reversed(record.diff_ids)]
    rootfs.mount_overlay(lowers, dirs.upper, dirs.work, dirs.rootfs)
    _write_etc(ctr, dirs, files)
    try:
        user = spec.resolve_user(dirs.rootfs, str(ctr.config.get("User") or ""))
        spec.with_group_add(dirs.rootfs, user, ctr.host_config)
    except LookupError as exc:
        raise BadParameter(str(exc)) from exc
    mounts.populate(ctr.mounts, dirs.rootfs)
    config = spec.build(
        ctr, dirs, user, extra_mounts=mounts.oci_mounts(ctr.mounts), netns_path=files.netns_path
    )
    # Link variables come first, so the container's own environment wins a clash.
    config["process"]["env"] = links.environment(rt, ctr) + config["process"]["env"]
    (dirs.bundle / "config.json").write_text(json.dumps(config))


async def _wire(rt: Runtime, ctr: Container) -> None:
    with stage("start.network_wire", ctr.id):
        await rt.networks.wire(ctr.id)


async def _let_run(rt: Runtime, ctr: Container, pid: int) -> None:
    """The created container's process runs from here: through its exec FIFO, else `runc start`."""
    fd = execfifo.open_fifo(rt.paths.runc_root, ctr.id)
    if fd is None:
        code, err = await rt.runc("start", ctr.id)
        if code != 0:
            raise monitor.RuntimeFailure(f"OCI runtime start failed: {err}")
        return
    try:
        await execfifo.release(rt.paths.runc_root, ctr.id, fd, pid)
    except execfifo.StartFailure as exc:
        raise monitor.RuntimeFailure(f"OCI runtime start failed: {exc}") from exc


async def start(rt: Runtime, ctr: Container) -> None:
    async with rt.lock(ctr):
        await start_held(rt, ctr)


async def start_held(rt: Runtime, ctr: Container) -> None:
    """`start` for a caller that already holds the container's lock (restart)."""
    can_start(ctr)
    dirs = rt.dirs(ctr)
    # A stale runc record (say, from a crash) would make `runc create` fail.
    if (rt.paths.runc_root / ctr.id).exists():
        await rt.runc("delete", "--force", ctr.id)
    (rt.paths.exits / ctr.id).unlink(missing_ok=True)
    try:
        _ensure_plan(rt, ctr)
        # The namespace exists before `runc create`, which joins it.
        with stage("start.network", ctr.id):
            files = await rt.networks.reserve(ctr.id)
        _share_peer_hostname(rt, ctr)
        # The rootfs belongs to the container: reading its /etc/passwd or filling a
        # volume from it may be slow, so it never runs on the event loop.
        with stage("start.rootfs_bundle", ctr.id):
            await asyncio.wait_for(
                asyncio.to_thread(prepare_bundle, rt, ctr, files), BUNDLE_TIMEOUT
            )
        # The veths, routes and DNS are wired while runc creates the container (four
        # times longer), not beside the bundle's writing, whose thread would share the
        # interpreter with them; the process is let go only once both are done.
        wiring = asyncio.ensure_future(_wire(rt, ctr))
        try:
            with stage("start.conmon_runc_create", ctr.id):
                pid, conmon_pid = await monitor.launch(rt.paths, ctr, dirs)
        finally:
            # Never a half-wired sandbox behind a cleanup; its failure is the start's.
            (wired,) = await asyncio.gather(wiring, return_exceptions=True)
        if isinstance(wired, BaseException):
            raise wired
        with stage("start.let_run", ctr.id):
            await _let_run(rt, ctr, pid)
    except Exception as exc:
        await cleanup_runtime(rt, ctr)
        ctr.state.status = (
            EXITED if ctr.state.started_at != "0001-01-01T00:00:00Z" else ctr.state.status
        )
        ctr.state.error = getattr(exc, "message", str(exc))
        # Docker's convention: 127 when the command is missing, 126 when it cannot run.
        missing = "not found" in ctr.state.error or "no such file" in ctr.state.error
        ctr.state.exit_code = 127 if missing else 126
        rt.containers.save(ctr)
        # Attached clients and `wait` must learn that this run is over.
        rt.notify_exit(ctr)
        if ctr.host_config.get("AutoRemove"):
            # In the background: it waits for this start to let go of the lock.
            rt.spawn(remove(rt, ctr, force=True, volumes=True))
        raise
    ctr.state.status = RUNNING
    ctr.state.pid = pid
    ctr.state.conmon_pid = conmon_pid
    ctr.state.exit_code = 0
    ctr.state.error = ""
    ctr.state.started_at = now_rfc3339()
    ctr.state.stopped_by_user = False
    health.begin(rt, ctr)
    with stage("start.db_save", ctr.id):
        rt.containers.save(ctr)
    rt.network_events(ctr, "connect", rt.attached_networks(ctr))
    rt.event(ctr, "start")
    monitor.watch(conmon_pid, lambda: rt.spawn(rt.on_exit(rt, ctr.id)))
