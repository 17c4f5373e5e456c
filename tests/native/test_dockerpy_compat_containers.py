"""Container options docker-py's own suite checks, through the SDK, on dockerd and native."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import docker
import pytest

from tests.fixtures.both_engines import docker_client, docker_url
from tests.fixtures.docker import TEST_IMAGE, Resources
from tests.native.conftest import NativeDaemon

pytestmark = pytest.mark.native

# one body, two engines
__all__ = ["docker_client", "docker_url"]


def _run_to_end(
    client: docker.DockerClient, res: Resources, command: str, name: str = "", **options: object
) -> str:
    """Run `command` to its end and return what it printed."""
    name = name or res.container()
    ctr = client.containers.run(TEST_IMAGE, command, name=name, detach=True, **options)
    assert ctr.wait(timeout=30)["StatusCode"] == 0
    return ctr.logs().decode()


def test_log_driver_default_keeps_the_options_given(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    api = docker_client.api
    for driver in ("", "json-file"):
        config = api.create_host_config(
            log_config=docker.types.LogConfig(type=driver, config={"max-file": "3"})
        )
        ctr = api.create_container(TEST_IMAGE, "true", name=res.container(), host_config=config)
        assert api.inspect_container(ctr)["HostConfig"]["LogConfig"] == {
            "Type": "json-file",
            "Config": {"max-file": "3"},
        }


def test_an_unknown_log_driver_is_refused(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    name = res.container()
    config = docker_client.api.create_host_config(log_config={"Type": "no-such-driver"})
    with pytest.raises(docker.errors.APIError) as caught:
        ctr = docker_client.api.create_container(TEST_IMAGE, "true", name=name, host_config=config)
        docker_client.api.start(ctr)  # dockerd refuses at start, the native engine at create
    assert "no-such-driver" in str(caught.value.explanation)


def test_log_driver_none_keeps_nothing_to_read(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    ctr = docker_client.containers.run(
        TEST_IMAGE, "echo hidden", name=res.container(), detach=True, log_config={"Type": "none"}
    )
    ctr.wait(timeout=30)
    with pytest.raises(docker.errors.APIError) as caught:
        ctr.logs()
    assert "does not support reading" in str(caught.value.explanation)


def test_group_add_by_number_and_name(docker_client: docker.DockerClient, res: Resources) -> None:
    out = _run_to_end(docker_client, res, "id -G", group_add=[1000, "2000", "nogroup"])
    assert out.split() == ["0", "1000", "2000", "65534"]


def test_mac_address_of_the_primary_network(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    ctr = docker_client.api.create_container(
        TEST_IMAGE, "sleep 30", name=res.container(), mac_address="02:42:AC:11:00:0A"
    )
    docker_client.api.start(ctr)
    settings = docker_client.api.inspect_container(ctr)["NetworkSettings"]
    assert settings["MacAddress"] == "02:42:ac:11:00:0a"
    out = docker_client.api.exec_start(
        docker_client.api.exec_create(ctr, "cat /sys/class/net/eth0/address")
    )
    assert out.strip() == b"02:42:ac:11:00:0a"


def test_a_malformed_mac_address_is_refused(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    with pytest.raises(docker.errors.APIError) as caught:
        ctr = docker_client.api.create_container(
            TEST_IMAGE, "true", name=res.container(), mac_address="02:42:zz"
        )
        docker_client.api.start(ctr)
    assert "02:42:zz" in str(caught.value.explanation)


def test_runtime_is_recorded_and_an_unknown_one_refused(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    api = docker_client.api
    plain = api.create_container(TEST_IMAGE, "true", name=res.container())
    chosen = api.create_container(TEST_IMAGE, "true", name=res.container(), runtime="runc")
    assert "Runtime" not in api.inspect_container(plain)["HostConfig"]
    assert api.inspect_container(chosen)["HostConfig"]["Runtime"] == "runc"
    with pytest.raises(docker.errors.APIError) as caught:
        api.create_container(TEST_IMAGE, "true", name=res.container(), runtime="no-such-runtime")
    assert caught.value.explanation == "Unknown runtime specified no-such-runtime"


def test_update_changes_limits_of_a_running_container(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    ctr = docker_client.containers.run(
        TEST_IMAGE, "sleep 60", name=res.container(), detach=True, mem_limit="64m",
        restart_policy={"Name": "always"},
    )  # fmt: skip
    ctr.update(
        mem_limit="32m",
        cpu_shares=512,
        restart_policy={"Name": "on-failure", "MaximumRetryCount": 3},
    )
    ctr.reload()
    host_config = ctr.attrs["HostConfig"]
    assert host_config["Memory"] == 32 * 1024 * 1024
    assert host_config["CpuShares"] == 512
    assert host_config["RestartPolicy"] == {"Name": "on-failure", "MaximumRetryCount": 3}
    out = docker_client.api.exec_start(
        docker_client.api.exec_create(ctr.id, "cat /sys/fs/cgroup/memory/memory.limit_in_bytes")
    )
    assert out.strip() == str(32 * 1024 * 1024).encode()


def test_diff_lists_added_changed_and_deleted_paths(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    ctr = docker_client.containers.run(
        TEST_IMAGE, "sh -c 'touch /added && mkdir /tmp/sub && rm /etc/group'",
        name=res.container(), detach=True,
    )  # fmt: skip
    assert ctr.wait(timeout=30)["StatusCode"] == 0
    kinds = {change["Path"]: change["Kind"] for change in ctr.diff()}
    assert kinds == {"/added": 1, "/etc": 0, "/etc/group": 2, "/tmp": 0, "/tmp/sub": 1}


def test_info_names_the_hosts_cgroup_version_and_runtimes(
    docker_client: docker.DockerClient,
) -> None:
    info = docker_client.info()
    unified = Path("/sys/fs/cgroup/cgroup.controllers").exists()
    assert info["CgroupVersion"] == ("2" if unified else "1")
    assert info["DefaultRuntime"] == "runc"
    assert "runc" in info["Runtimes"]


def test_info_has_dockerds_host_facts(docker_client: docker.DockerClient) -> None:
    info = docker_client.info()
    assert info["Debug"] is False
    assert info["ExperimentalBuild"] is False
    assert info["LoggingDriver"] == "json-file"
    assert isinstance(info["NFd"], int) and info["NFd"] > 0
    assert info["SystemTime"].endswith("Z")
    forwarding = Path("/proc/sys/net/ipv4/ip_forward").read_text().strip() == "1"
    assert info["IPv4Forwarding"] is forwarding


def test_attach_with_logs_and_no_stream_returns_what_was_printed(
    native: NativeDaemon, cleanup_containers: list[str]
) -> None:
    # Native only: dockerd 20.10 answers this from its log at once, often before the
    # short-lived container's output has reached it, so its answer is not stable.
    api = docker.APIClient(base_url=native.docker_host, version="1.41")
    ctr = api.create_container(TEST_IMAGE, "echo printed")
    cleanup_containers.append(ctr["Id"])
    api.start(ctr)
    api.wait(ctr, condition="not-running")
    assert api.attach(ctr, stream=False, logs=True) == b"printed\n"


def test_commit_names_the_containers_image_as_parent(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    ctr = docker_client.containers.run(TEST_IMAGE, "touch /made", name=res.container(), detach=True)
    ctr.wait(timeout=30)
    image = ctr.commit()
    res.images.append(image.id)
    assert image.attrs["Parent"] == docker_client.images.get(TEST_IMAGE).id
    assert image.attrs["Container"] == ctr.id


def test_commit_right_after_start_of_a_container_that_ends_at_once(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    # The commit meets the container running, exiting or exited: each time it is stored.
    api = docker_client.api
    for _ in range(5):
        ctr = api.create_container(TEST_IMAGE, ["touch", "/made"], name=res.container())
        api.start(ctr)
        image = api.commit(ctr)
        res.images.append(image["Id"])
        assert api.inspect_image(image["Id"])["Container"] == ctr["Id"]


def test_links_give_the_peers_name_environment_and_ports(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    peer = docker_client.containers.run(
        TEST_IMAGE, "sleep 60", name=res.container(), detach=True,
        environment={"FLAVOUR": "mint"}, ports={"8080/tcp": None},
    )  # fmt: skip
    peer.reload()
    ip = peer.attrs["NetworkSettings"]["IPAddress"]
    name = res.container()
    out = _run_to_end(docker_client, res, "env", name, links={peer.name: "db-1"})
    lines = out.split()
    assert f"DB_1_NAME=/{name}/db-1" in lines
    assert "DB_1_ENV_FLAVOUR=mint" in lines
    assert f"DB_1_PORT=tcp://{ip}:8080" in lines
    assert f"DB_1_PORT_8080_TCP_ADDR={ip}" in lines
    assert not any(line.startswith("DB_1_ENV_PATH=") for line in lines)


def test_remove_a_link_and_keep_both_containers(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    api = docker_client.api
    peer = docker_client.containers.run(TEST_IMAGE, "sleep 60", name=res.container(), detach=True)
    parent = res.container()
    api.create_container(
        TEST_IMAGE, "sleep 60", name=parent,
        host_config=api.create_host_config(links={peer.name: "buddy"}),
    )  # fmt: skip
    api.start(parent)
    api.remove_container(f"{parent}/buddy", link=True)
    names = {c["Names"][0] for c in api.containers(all=True)}
    assert {f"/{parent}", f"/{peer.name}"} <= names
    with pytest.raises(docker.errors.NotFound):
        api.remove_container(f"{parent}/buddy", link=True)


def test_sizes_count_what_the_container_wrote(
    docker_client: docker.DockerClient, docker_url: str, res: Resources
) -> None:
    api = docker_client.api
    name = res.container()
    _run_to_end(docker_client, res, "dd if=/dev/zero of=/blob bs=1024 count=300", name)
    image_size = docker_client.images.get(TEST_IMAGE).attrs["Size"]
    # `docker inspect --size`, as a person asks for it
    cli = subprocess.run(
        ["docker", "-H", docker_url, "inspect", "--size", name],
        capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    inspected = json.loads(cli.stdout)[0]
    assert 300 * 1024 <= inspected["SizeRw"] < 400 * 1024
    assert inspected["SizeRootFs"] >= image_size + inspected["SizeRw"] - 4096
    listed = api.containers(all=True, size=True, filters={"name": name})[0]
    assert listed["SizeRw"] == inspected["SizeRw"]
    used = {c["Names"][0]: c for c in api.df()["Containers"]}
    assert used[f"/{name}"]["SizeRw"] == inspected["SizeRw"]


def test_prune_reports_the_space_it_freed(native: NativeDaemon) -> None:
    # Native only: a prune on the dockerd others share would remove their containers.
    api = docker.APIClient(base_url=native.docker_host, version="1.41")
    done = api.create_container(TEST_IMAGE, ["sh", "-c", "echo hello > /data.txt"])
    running = api.create_container(TEST_IMAGE, ["sleep", "60"])
    try:
        api.start(done)
        api.start(running)
        api.wait(done)
        result = api.prune_containers()
        assert done["Id"] in result["ContainersDeleted"]
        assert running["Id"] not in result["ContainersDeleted"]
        assert result["SpaceReclaimed"] >= len("hello\n")
    finally:
        api.remove_container(running, force=True)


def test_real_time_cpu_options_as_docker_py_spells_them(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    api = docker_client.api
    config = api.create_host_config(cpu_rt_period=1000, cpu_rt_runtime=500)
    ctr = api.create_container(TEST_IMAGE, "true", name=res.container(), host_config=config)
    host_config = api.inspect_container(ctr)["HostConfig"]
    assert (host_config["CpuRealtimePeriod"], host_config["CpuRealtimeRuntime"]) == (1000, 500)
