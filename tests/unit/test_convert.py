"""Docker API JSON to models: the wire-format quirks the adapter relies on."""

from __future__ import annotations

from datetime import UTC, datetime

from engine_adapters.docker_engine.convert import (
    container_from_list,
    details_from_inspect,
    event_from_api,
    network_from_api,
    parse_time,
)
from engine_adapters.models import ContainerState, Health


def test_parse_time_handles_nanoseconds_zero_time_and_epochs() -> None:
    assert parse_time("2024-03-01T10:20:30.123456789Z") == datetime(
        2024, 3, 1, 10, 20, 30, 123456, tzinfo=UTC
    )
    assert parse_time("0001-01-01T00:00:00Z") is None
    assert parse_time(0) == datetime(1970, 1, 1, tzinfo=UTC)
    assert parse_time("") is None


def test_list_entry_exit_code_health_ports_and_compose_labels() -> None:
    entry = {
        "Id": "a" * 64,
        "Names": ["/web"],
        "Image": "nginx",
        "ImageID": "sha256:1",
        "Command": "nginx -g",
        "Created": 1700000000,
        "State": "running",
        "Status": "Up 3 minutes (healthy)",
        "Ports": [
            {"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 8000, "Type": "tcp"},
            {"IP": "::", "PrivatePort": 80, "PublicPort": 8000, "Type": "tcp"},
            {"PrivatePort": 443, "Type": "tcp"},
        ],
        "Labels": {"com.docker.compose.project": "shop", "com.docker.compose.service": "web"},
        "HostConfig": {"NetworkMode": "container:abc"},
        "NetworkSettings": {"Networks": {"shop_default": {"IPAddress": "10.0.0.2"}}},
        "Mounts": [],
    }
    container = container_from_list(entry)
    assert container.name == "web" and container.health is Health.HEALTHY
    assert [str(p) for p in container.ports] == ["8000->80/tcp", "443/tcp"]
    assert container.compose_project == "shop" and container.compose_service == "web"
    assert container.shares_network_of == "abc"
    assert container.networks[0].ip == "10.0.0.2"
    exited = container_from_list({**entry, "State": "exited", "Status": "Exited (137) 2 hours ago"})
    assert exited.state is ContainerState.EXITED and exited.exit_code == 137
    assert hash(container)  # frozen models with labels stay hashable


def test_inspect_restart_policy_env_and_status() -> None:
    data = {
        "Id": "b" * 64,
        "Name": "/db",
        "Created": "2024-01-01T00:00:00Z",
        "Image": "sha256:2",
        "State": {"Status": "exited", "ExitCode": 2, "FinishedAt": "2024-01-01T00:01:00Z"},
        "Config": {"Image": "mysql", "Env": ["A=1", "B=x=y"], "Cmd": ["mysqld"]},
        "HostConfig": {"RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 3}},
        "NetworkSettings": {"Ports": {"3306/tcp": None}},
    }
    details = details_from_inspect(data)
    assert details.restart_policy == "on-failure:3"
    assert details.env == (("A", "1"), ("B", "x=y"))
    assert details.container.status == "Exited (2)" and details.container.exit_code == 2
    assert [str(p) for p in details.container.ports] == ["3306/tcp"]


def test_network_members_and_events() -> None:
    network = network_from_api(
        {
            "Id": "n1",
            "Name": "mynet",
            "Driver": "bridge",
            "IPAM": {"Config": [{"Subnet": "10.1.0.0/24", "Gateway": "10.1.0.1"}]},
            "Containers": {"c1": {"Name": "c1", "IPv4Address": "10.1.0.2/24"}},
        }
    )
    assert network.containers[0].ipv4 == "10.1.0.2"
    assert network.subnets[0].gateway == "10.1.0.1"
    event = event_from_api(
        {
            "Type": "container",
            "Action": "start",
            "Actor": {"ID": "c1", "Attributes": {"name": "x"}},
            "time": 5,
            "timeNano": 5_500_000_000,
        }
    )
    assert event.actor_name == "x" and event.time == 5.5
