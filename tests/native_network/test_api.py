"""The /networks endpoints, driven by the real docker SDK and the real docker CLI."""

from __future__ import annotations

import asyncio
import secrets
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import docker
import pytest
from aiohttp import web

from native_runtime.api import networks as networks_api
from native_runtime.api.app import Router, docker_errors
from native_runtime.network import NetworkManager
from tests.conftest import require
from tests.fixtures.docker import TEST_IMAGE, Resources
from tests.native_network.nstools import free_subnet
from tests.native_network.sandbox import run

DOCKER_CLI = shutil.which("docker") or "/usr/local/bin/docker"


async def _ping(_request: web.Request) -> web.Response:
    return web.Response(text="OK", headers={"Api-Version": "1.41", "Ostype": "linux"})


async def _version(_request: web.Request) -> web.Response:
    return web.json_response({"ApiVersion": "1.41", "MinAPIVersion": "1.12", "Version": "test"})


@pytest.fixture
def events() -> list[tuple[str, str, str, dict[str, str]]]:
    return []


@pytest.fixture
async def socket_path(
    manager: NetworkManager, tmp_path: Path, events: list[tuple[str, str, str, dict[str, str]]]
) -> AsyncIterator[Path]:
    """An aiohttp app with only the network routes (plus /_ping) on a unix socket."""
    app = web.Application(middlewares=[docker_errors])
    router = Router(app)
    router.add("GET", "/_ping", _ping)
    router.add("HEAD", "/_ping", _ping)
    router.add("GET", "/version", _version)

    def publish(kind: str, action: str, ident: str, attributes: dict[str, str]) -> None:
        events.append((kind, action, ident, attributes))

    networks_api.add_routes(router, manager, publish=publish)
    runner = web.AppRunner(app)
    await runner.setup()
    path = tmp_path / "api.sock"
    site = web.UnixSite(runner, str(path))
    await site.start()
    try:
        yield path
    finally:
        await runner.cleanup()


async def test_sdk_create_inspect_connect_remove(
    manager: NetworkManager,
    socket_path: Path,
    events: list[tuple[str, str, str, dict[str, str]]],
) -> None:
    sfx = secrets.token_hex(2)
    subnet = await free_subnet("10.234.0.0/16")
    gateway = str(subnet.network_address + 1)
    client = docker.DockerClient(base_url=f"unix://{socket_path}", version="1.41")
    try:
        net = await asyncio.to_thread(
            client.networks.create,
            f"sdk-{sfx}",
            driver="bridge",
            labels={"app": "x"},
            ipam=docker.types.IPAMConfig(
                pool_configs=[docker.types.IPAMPool(subnet=str(subnet), gateway=gateway)]
            ),
        )
        assert net.attrs["IPAM"]["Config"] == [{"Subnet": str(subnet), "Gateway": gateway}]
        assert net.attrs["Labels"] == {"app": "x"}
        listed = await asyncio.to_thread(client.networks.list, filters={"label": "app=x"})
        assert [n.name for n in listed] == [f"sdk-{sfx}"]
        ctr = await run(manager, f"member-{sfx}")
        await asyncio.to_thread(net.connect, ctr.name, aliases=["svc"])
        await asyncio.to_thread(net.reload)
        assert list(net.attrs["Containers"]) == [ctr.id]
        with pytest.raises(docker.errors.APIError) as busy:
            await asyncio.to_thread(net.remove)
        assert busy.value.status_code == 403
        await asyncio.to_thread(net.disconnect, ctr.name)
        await asyncio.to_thread(net.remove)
        with pytest.raises(docker.errors.NotFound):
            await asyncio.to_thread(client.networks.get, f"sdk-{sfx}")
        with pytest.raises(docker.errors.APIError) as predefined:
            await asyncio.to_thread(client.api.remove_network, "bridge")
        assert predefined.value.status_code == 403
        pruned = await asyncio.to_thread(client.networks.prune)
        assert pruned["NetworksDeleted"] == []
        assert [(e[0], e[1], e[2]) for e in events] == [
            ("network", action, net.id) for action in ("create", "connect", "disconnect", "destroy")
        ]
        assert events[1][3] == {"name": f"sdk-{sfx}", "type": "bridge", "container": ctr.id}
    finally:
        client.close()


async def _cli(socket_path: Path, *args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        DOCKER_CLI,
        "-H",
        f"unix://{socket_path}",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={"PATH": "/usr/bin:/bin", "HOME": "/tmp", "DOCKER_CONFIG": "/tmp/dyt-no-config"},
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 30)
    return proc.returncode or 0, out.decode()


async def test_docker_cli_network_commands(manager: NetworkManager, socket_path: Path) -> None:
    require(Path(DOCKER_CLI).exists(), "the docker CLI is needed for the compatibility check")
    name = f"cli-{secrets.token_hex(2)}"
    code, out = await _cli(socket_path, "network", "create", "--driver=bridge", name)
    assert code == 0, out
    code, out = await _cli(socket_path, "network", "ls")
    assert code == 0, out
    assert {"bridge", "host", "none", name} <= {line.split()[1] for line in out.splitlines()[1:]}
    code, out = await _cli(socket_path, "network", "inspect", "-f", "{{.Driver}} {{.Scope}}", name)
    assert (code, out.strip()) == (0, "bridge local")
    code, out = await _cli(socket_path, "network", "rm", "bridge")
    assert code != 0 and "pre-defined network" in out
    code, out = await _cli(socket_path, "network", "rm", name)
    assert code == 0, out


def _shape(doc: object) -> object:
    """Keys all the way down (values dropped), lists reduced to their first item's shape."""
    if isinstance(doc, dict):
        return {k: _shape(v) for k, v in doc.items() if k != "Containers"}
    if isinstance(doc, list):
        return [_shape(doc[0])] if doc else []
    return None


async def test_inspect_has_dockerds_shape(
    manager: NetworkManager, docker_client: docker.DockerClient, res: Resources
) -> None:
    """The same network made on the real dockerd and on ours answers with the same keys."""
    name = res.network()
    theirs = await asyncio.to_thread(
        docker_client.networks.create, name, driver="bridge", labels={"k": "v"}
    )
    ours = await manager.create(f"shape-{secrets.token_hex(2)}", labels={"k": "v"})
    assert _shape(manager.inspect(ours.id)) == _shape(theirs.attrs)
    dockerd_bridge = docker_client.api.inspect_network("bridge")
    assert set(manager.inspect("bridge")["Options"]) == set(dockerd_bridge["Options"])


async def test_container_network_settings_have_dockerds_shape(
    manager: NetworkManager, docker_client: docker.DockerClient, res: Resources
) -> None:
    net_name = res.network()
    await asyncio.to_thread(docker_client.networks.create, net_name, driver="bridge")
    theirs = await asyncio.to_thread(
        docker_client.containers.run,
        TEST_IMAGE,
        "sleep 30",
        detach=True,
        name=res.container(),
        network=net_name,
        ports={"80/tcp": None},
    )
    await asyncio.to_thread(theirs.reload)
    settings = theirs.attrs["NetworkSettings"]
    net = await manager.create(f"ns-{secrets.token_hex(2)}")
    ctr = await run(manager, f"ns-{secrets.token_hex(2)}", net.name, PortBindings={"80/tcp": [{}]})
    ours = manager.network_settings(ctr.id)
    assert set(ours) == set(settings)
    assert set(ours["Networks"][net.name]) == set(settings["Networks"][net_name])
