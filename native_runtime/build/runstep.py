"""RUN: the command in a throwaway container of the engine (runc, Docker's hardening)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable

from native_runtime.build import runnet
from native_runtime.build.runnet import StepNetwork
from native_runtime.build.workspace import Workspace
from native_runtime.containers import spec
from native_runtime.containers.exited import now_rfc3339
from native_runtime.containers.model import Container
from native_runtime.paths import RUNC
from native_runtime.runtime import Runtime

Output = Callable[[bytes], Awaitable[None]]
STDERR_COLOUR = (b"\x1b[91m", b"\x1b[0m")


class RunFailed(Exception):
    """The command exited non-zero (`code`, None if it never ran); the message is Docker's."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


def _write_etc(
    ws: Workspace, hostname: str, net: StepNetwork, extra_hosts: tuple[str, ...]
) -> None:
    etc = ws.dirs.etc
    etc.mkdir(exist_ok=True)
    (etc / "hostname").write_text(hostname + "\n")
    added = "".join(f"{address}\t{name}\n" for name, address in _host_entries(extra_hosts))
    (etc / "hosts").write_text(net.hosts + added)
    (etc / "resolv.conf").write_text(net.resolv_conf)


def _host_entries(extra_hosts: tuple[str, ...]) -> list[tuple[str, str]]:
    """`name:address` pairs; the address may itself hold colons (IPv6)."""
    entries = []
    for item in extra_hosts:
        name, sep, address = item.partition(":")
        if not sep or not name or not address:
            raise RunFailed(f"invalid IP address in add-host: {item!r}")
        entries.append((name, address))
    return entries


def _bundle(
    ws: Workspace,
    argv: list[str],
    env: list[str],
    workdir: str,
    user: str,
    net: StepNetwork,
    extra_hosts: tuple[str, ...],
) -> None:
    hostname = ws.id[:12]
    _write_etc(ws, hostname, net, extra_hosts)
    try:
        resolved = spec.resolve_user(ws.rootfs, user)
    except LookupError as exc:
        raise RunFailed(str(exc)) from exc
    ctr = Container(
        id=ws.id,
        name=f"build-{hostname}",
        image_id="",
        image="",
        created=now_rfc3339(),
        config={"Env": env, "Cmd": argv, "WorkingDir": workdir, "Hostname": hostname},
        host_config={"NetworkMode": net.mode},
    )
    ws.dirs.bundle.mkdir(parents=True, exist_ok=True)
    config = spec.build(ctr, ws.dirs, resolved, extra_mounts=[], netns_path=net.netns_path)
    (ws.dirs.bundle / "config.json").write_text(json.dumps(config))


async def run(
    rt: Runtime,
    ws: Workspace,
    argv: list[str],
    env: list[str],
    workdir: str,
    user: str,
    output: Output,
    network: str = "",
    extra_hosts: tuple[str, ...] = (),
) -> int:
    """Run `argv` in the workspace rootfs, streaming its output; return the exit code.

    `network` is `docker build --network`; the default is the default bridge, as Docker's.
    `extra_hosts` (`--add-host name:address`) go into the step's /etc/hosts.
    """
    async with runnet.step_network(rt, ws.id, ws.id[:12], network) as net:
        return await _run(rt, ws, argv, env, workdir, user, output, net, extra_hosts)


async def _run(
    rt: Runtime,
    ws: Workspace,
    argv: list[str],
    env: list[str],
    workdir: str,
    user: str,
    output: Output,
    net: StepNetwork,
    extra_hosts: tuple[str, ...] = (),
) -> int:
    _bundle(ws, argv, env, workdir, user, net, extra_hosts)
    proc = await asyncio.create_subprocess_exec(
        RUNC, "--root", str(rt.paths.runc_root), "run", "--bundle", str(ws.dirs.bundle), ws.id,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip

    async def pump(reader: asyncio.StreamReader | None, wrap: tuple[bytes, bytes]) -> None:
        assert reader is not None
        while chunk := await reader.read(65536):
            await output(wrap[0] + chunk + wrap[1])

    try:
        # As dockerd's classic builder: what a step writes to stderr comes in red.
        await asyncio.gather(pump(proc.stdout, (b"", b"")), pump(proc.stderr, STDERR_COLOUR))
        return await proc.wait()
    finally:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
        await rt.runc("delete", "--force", ws.id)
