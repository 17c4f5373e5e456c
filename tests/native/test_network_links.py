"""Links on a user-defined network: an alias in the embedded DNS for the linking container alone."""

from __future__ import annotations

import docker
import pytest
from docker.models.containers import Container

from tests.fixtures.both_engines import docker_client, docker_url
from tests.fixtures.docker import TEST_IMAGE, Resources

pytestmark = pytest.mark.native

# one body, two engines
__all__ = ["docker_client", "docker_url"]


def _output(ctr: Container, *command: str) -> tuple[int | None, str]:
    code, out = ctr.exec_run(list(command))
    assert isinstance(out, bytes)
    return code, out.decode()


def _resolve(ctr: Container, name: str) -> list[str]:
    """The addresses busybox's nslookup gets for `name` from the container's resolver."""
    code, text = _output(ctr, "nslookup", name)
    if code != 0:
        return []
    answers = text.split("Name:", 1)[1] if "Name:" in text else ""
    return [line.split()[-1] for line in answers.splitlines() if line.startswith("Address")]


def _address(ctr: Container, net: str) -> str:
    ctr.reload()
    address: str = ctr.attrs["NetworkSettings"]["Networks"][net]["IPAddress"]
    return address


def test_a_link_made_at_create_names_a_container_started_later(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    api = docker_client.api
    net = res.network()
    api.create_network(net)
    upstream = res.container()
    linking = api.create_container(
        TEST_IMAGE, "sleep 60", name=res.container(),
        host_config=api.create_host_config(network_mode=net),
        networking_config=api.create_networking_config(
            {net: api.create_endpoint_config(links=[(upstream, "bar")])}
        ),
    )  # fmt: skip
    api.start(linking)  # the target does not exist yet: no refusal, as on dockerd
    settings = api.inspect_container(linking)["NetworkSettings"]["Networks"][net]
    assert settings["Links"] == [f"{upstream}:bar"]

    target = docker_client.containers.run(
        TEST_IMAGE, "sleep 60", name=upstream, network=net, detach=True
    )
    me = docker_client.containers.get(linking["Id"])
    assert _resolve(me, "bar") == [_address(target, net)]
    # Not a hosts entry and not an environment: a name in the DNS only.
    assert "bar" not in _output(me, "cat", "/etc/hosts")[1].split()
    assert "BAR_NAME=" not in _output(me, "env")[1]

    neighbour = docker_client.containers.run(
        TEST_IMAGE, "sleep 60", name=res.container(), network=net, detach=True
    )
    assert _resolve(neighbour, "bar") == []
    assert _resolve(neighbour, upstream) == [_address(target, net)]


def test_a_link_given_at_connect_is_shown_and_resolved(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    api = docker_client.api
    net = res.network()
    api.create_network(net)
    ctr = docker_client.containers.run(
        TEST_IMAGE, "sleep 60", name=res.container(), network=net, detach=True
    )
    api.disconnect_container_from_network(str(ctr.id), net)
    upstream = res.container()
    api.connect_container_to_network(str(ctr.id), net, links=[(upstream, "foo")])
    settings = api.inspect_container(str(ctr.id))["NetworkSettings"]["Networks"][net]
    assert settings["Links"] == [f"{upstream}:foo"]

    target = docker_client.containers.run(
        TEST_IMAGE, "sleep 60", name=upstream, network=net, detach=True
    )
    assert _resolve(ctr, "foo") == [_address(target, net)]
