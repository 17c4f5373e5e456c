"""Images, volumes and networks through DockerEngine, checked against the real dockerd."""

from __future__ import annotations

import io
import tarfile

import docker
import pytest

from engine_adapters.docker_engine import DockerEngine
from engine_adapters.errors import EngineError, NotFound
from engine_adapters.models import (
    LIST_KINDS,
    Container,
    Image,
    Network,
    RunSpec,
    Volume,
    VolumeSpec,
)
from tests.engine.conftest import TEST_IMAGE, Resources
from tests.fixtures.podman import is_podman, not_on_podman

pytestmark = pytest.mark.docker


def _tiny_rootfs(content: bytes = b"dockyard\n") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        data = content
        info = tarfile.TarInfo("hello.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


async def test_images_list_tags_size_and_users(engine: DockerEngine, res: Resources) -> None:
    name = res.container()
    await engine.run(RunSpec(TEST_IMAGE, name=name, command=("sleep", "3600")))
    images = {tag: image for image in await engine.images() for tag in image.tags}
    image = images[TEST_IMAGE]
    assert image.size > 500_000  # a static busybox
    assert name in image.used_by
    assert not image.dangling
    details = await engine.inspect_image(TEST_IMAGE)
    assert details.cmd == ("/bin/sh",)
    assert ("PATH", "/bin") in details.env
    assert details.layers


async def test_dangling_image_is_pruned(
    engine: DockerEngine, docker_client: docker.DockerClient
) -> None:
    image_id = docker_client.api.import_image_from_data(_tiny_rootfs())
    image_id = image_id if isinstance(image_id, str) else str(image_id)
    dangling = [i for i in await engine.images() if i.dangling]
    assert dangling, "an untagged import is dangling"
    report = await engine.prune_images(dangling_only=True)
    assert report.deleted
    assert not [i for i in await engine.images() if i.dangling]


async def test_pull_reports_progress_from_a_registry(
    engine: DockerEngine,
    res: Resources,
    docker_client: docker.DockerClient,
    registry: str,
    docker_url: str,
) -> None:
    not_on_podman(docker_url, "its compat push finds no image imported under a registry name")
    repository = f"{registry}/dockyard-test/pull-{res.prefix}"
    ref = f"{repository}:v1"
    # a layer of its own, so the pull really downloads something
    unique = _tiny_rootfs(res.prefix.encode() * 50_000)
    docker_client.api.import_image_from_data(unique, repository=repository, tag="v1")
    res.images.append(ref)
    for line in docker_client.api.push(repository, tag="v1", stream=True, decode=True):
        assert "error" not in line, line
    docker_client.api.remove_image(ref)
    events = [p async for p in engine.pull(ref)]
    assert any(p.total > 0 for p in events), events
    assert any("Downloaded newer image" in p.status or "Pull complete" in p.status for p in events)
    assert ref in {t for i in await engine.images() for t in i.tags}


async def test_pull_of_a_missing_image_is_an_error(engine: DockerEngine, registry: str) -> None:
    with pytest.raises(EngineError):
        async for _ in engine.pull(f"{registry}/dockyard-test/does-not-exist:nope"):
            pass


async def test_volume_create_list_remove_prune(
    engine: DockerEngine, res: Resources, docker_client: docker.DockerClient
) -> None:
    name = res.volume()
    created = await engine.create_volume(name, labels={"purpose": "test"})
    assert created.name == name and created.driver == "local" and created.mountpoint
    user = res.container()
    await engine.run(
        RunSpec(TEST_IMAGE, name=user, command=("true",), volumes=(VolumeSpec("/v", name),))
    )
    listed = {v.name: v for v in await engine.volumes()}[name]
    assert listed.labels["purpose"] == "test"
    assert user in listed.used_by
    await engine.remove(user, force=True)
    await engine.remove_volume(name)
    with pytest.raises(docker.errors.NotFound):
        docker_client.api.inspect_volume(name)
    orphan = res.volume()
    await engine.create_volume(orphan)
    report = await engine.prune_volumes()
    assert orphan in report.deleted


async def test_network_create_connect_disconnect_remove(
    engine: DockerEngine,
    res: Resources,
    docker_client: docker.DockerClient,
    docker_url: str,
) -> None:
    not_on_podman(docker_url, "its container list names no networks: a network lists no members")
    net = res.network()
    created = await engine.create_network(
        net, subnet="10.231.7.0/24", gateway="10.231.7.1", internal=True, labels={"k": "v"}
    )
    assert created.internal and created.labels["k"] == "v"
    assert created.subnets[0].subnet == "10.231.7.0/24"
    assert created.subnets[0].gateway == "10.231.7.1"

    name = res.container()
    await engine.run(RunSpec(TEST_IMAGE, name=name, command=("sleep", "3600")))
    await engine.connect(net, name, aliases=("api",), ipv4="10.231.7.42")
    member = {m.name: m for m in (await engine.inspect_network(net)).containers}[name]
    assert member.ipv4 == "10.231.7.42"
    listed = {n.name: n for n in await engine.networks()}[net]
    assert name in {m.name for m in listed.containers}
    container = (await engine.inspect_container(name)).container
    attachment = {a.network: a for a in container.networks}[net]
    assert attachment.ip == "10.231.7.42" and "api" in attachment.aliases

    await engine.disconnect(net, name)
    assert net not in docker_client.api.inspect_container(name)["NetworkSettings"]["Networks"]
    await engine.remove_network(net)
    with pytest.raises(NotFound):
        await engine.inspect_network(net)
    assert net not in {n.name for n in await engine.networks()}


async def test_prune_networks(engine: DockerEngine, res: Resources) -> None:
    net = res.network()
    await engine.create_network(net)
    report = await engine.prune_networks()
    assert net in report.deleted


async def test_the_lists_read_together_name_the_same_users_as_each_read_alone(
    engine: DockerEngine, res: Resources, docker_url: str
) -> None:
    """One container list serves the images', volumes' and networks' users and members."""
    volume, net, name = res.volume(), res.network(), res.container()
    await engine.create_volume(volume)
    await engine.create_network(net)
    await engine.run(
        RunSpec(
            TEST_IMAGE,
            name=name,
            command=("sleep", "3600"),
            volumes=(VolumeSpec("/v", volume),),
            network=net,
        )
    )
    together = await engine.lists(LIST_KINDS)
    assert list(together) == list(LIST_KINDS)
    alone = {
        "containers": await engine.containers(),
        "images": await engine.images(),
        "volumes": await engine.volumes(),
        "networks": await engine.networks(),
    }
    # The lists hold what each method returns, named and used the same way (the engine's
    # other tests may add or remove things in between: compare what this test made).
    assert name in {c.name for c in together["containers"] if isinstance(c, Container)}
    image = next(i for i in together["images"] if isinstance(i, Image) and TEST_IMAGE in i.tags)
    assert name in image.used_by
    assert image == next(i for i in alone["images"] if isinstance(i, Image) and i.id == image.id)
    vol = next(v for v in together["volumes"] if isinstance(v, Volume) and v.name == volume)
    assert vol.used_by == (name,)
    assert vol == next(v for v in alone["volumes"] if isinstance(v, Volume) and v.name == volume)
    network = next(n for n in together["networks"] if isinstance(n, Network) and n.name == net)
    if not is_podman(docker_url):  # its container list names no networks
        assert [m.name for m in network.containers] == [name]
    assert network == next(n for n in alone["networks"] if isinstance(n, Network) and n.name == net)
    assert set(await engine.lists(("volumes",))) == {"volumes"}
