"""`docker cp` into and out of a container's volumes, running or not; dockerd and native."""

from __future__ import annotations

import io
import tarfile

import docker
import pytest

from tests.fixtures.both_engines import docker_client, docker_url
from tests.fixtures.docker import TEST_IMAGE, Resources

pytestmark = pytest.mark.native

# one body, two engines
__all__ = ["docker_client", "docker_url"]


def _tar(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _untar(chunks: object, name: str) -> bytes:
    data = b"".join(chunks)  # type: ignore[call-overload]
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        member = tar.extractfile(name)
        assert member is not None
        return member.read()


def test_copy_into_a_volume_before_the_first_start(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    api = docker_client.api
    ctr = api.create_container(
        TEST_IMAGE, "cat /data/note", name=res.container(), volumes=["/data"]
    )
    assert api.put_archive(ctr, "/data", _tar("note", b"put before start"))
    api.start(ctr)
    assert api.wait(ctr, timeout=30)["StatusCode"] == 0
    assert api.logs(ctr) == b"put before start"


def test_copy_out_of_a_stopped_containers_volume(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    api = docker_client.api
    ctr = api.create_container(
        TEST_IMAGE, "sh -c 'printf kept > /data/note'", name=res.container(), volumes=["/data"]
    )
    api.start(ctr)
    assert api.wait(ctr, timeout=30)["StatusCode"] == 0
    stream, stat = api.get_archive(ctr, "/data/note")
    assert (stat["name"], stat["size"]) == ("note", 4)
    assert _untar(stream, "note") == b"kept"


def test_copy_out_of_a_running_containers_volume(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    api = docker_client.api
    command = "sh -c 'printf live > /data/note && sleep 60'"
    ctr = api.create_container(TEST_IMAGE, command, name=res.container(), volumes=["/data"])
    api.start(ctr)
    exec_id = api.exec_create(ctr, "cat /data/note")
    assert api.exec_start(exec_id) == b"live"  # written by now
    stream, _ = api.get_archive(ctr, "/data/note")
    assert _untar(stream, "note") == b"live"


def test_a_read_only_volume_refuses_a_copy_into_it(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    volume = res.volume()
    docker_client.volumes.create(volume)
    ctr = docker_client.containers.create(
        TEST_IMAGE, "true", name=res.container(), volumes={volume: {"bind": "/ro", "mode": "ro"}}
    )
    with pytest.raises(docker.errors.APIError) as caught:
        ctr.put_archive("/ro", _tar("note", b"refused"))
    assert "read-only" in str(caught.value.explanation)
