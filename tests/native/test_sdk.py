"""The docker SDK (docker-py) against the native daemon, and the raw API's error shapes."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
from collections.abc import Iterator

import docker
import pytest

from tests.native.conftest import TEST_IMAGE, NativeDaemon

pytestmark = pytest.mark.native


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str) -> None:
        super().__init__("localhost", timeout=10)
        self.path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(self.path)


def _request(native: NativeDaemon, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
    conn = _UnixConnection(native.socket)
    try:
        conn.request(method, path)
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def client(native: NativeDaemon) -> Iterator[docker.DockerClient]:
    sdk = docker.DockerClient(base_url=native.docker_host, version="1.41")
    yield sdk
    sdk.close()


def test_ping_versioned_and_unversioned(native: NativeDaemon) -> None:
    for path in ("/_ping", "/v1.41/_ping", "/v1.24/_ping"):
        status, headers, body = _request(native, "GET", path)
        assert (status, body, headers["Api-Version"]) == (200, b"OK", "1.41")
    status, headers, _ = _request(native, "HEAD", "/_ping")
    assert status == 200 and headers["Api-Version"] == "1.41"


def test_errors_use_docker_json_shape(native: NativeDaemon) -> None:
    status, _, body = _request(native, "GET", "/v1.41/containers/no-such-thing/json")
    assert status == 404
    assert json.loads(body) == {"message": "No such container: no-such-thing"}
    status, _, body = _request(native, "GET", "/v1.41/no/such/endpoint")
    assert status == 404 and "message" in json.loads(body)


def test_sdk_run_wait_logs_remove(client: docker.DockerClient) -> None:
    ctr = client.containers.run(TEST_IMAGE, ["sh", "-c", "echo from-sdk; exit 9"], detach=True)
    assert ctr.id is not None
    try:
        assert client.containers.get(ctr.id).name == ctr.name
        assert ctr.wait(timeout=20)["StatusCode"] == 9
        assert ctr.logs() == b"from-sdk\n"
        ctr.reload()
        assert ctr.status == "exited" and ctr.attrs["State"]["ExitCode"] == 9
    finally:
        ctr.remove(force=True)
    with pytest.raises(docker.errors.NotFound):
        client.containers.get(ctr.id)


def test_sdk_foreground_run_returns_output(client: docker.DockerClient) -> None:
    assert client.containers.run(TEST_IMAGE, ["echo", "hi"], remove=True) == b"hi\n"


def test_sdk_list_filters_and_images(client: docker.DockerClient) -> None:
    ctr = client.containers.create(TEST_IMAGE, ["true"], labels={"suite": "sdk"})
    try:
        found = client.containers.list(all=True, filters={"label": "suite=sdk"})
        assert [c.id for c in found] == [ctr.id]
        assert (
            client.containers.list(all=True, filters={"status": "running", "label": "suite=sdk"})
            == []
        )
        tags = [t for image in client.images.list() for t in image.tags]
        assert TEST_IMAGE in tags
    finally:
        ctr.remove()


def test_sdk_exec_run(client: docker.DockerClient) -> None:
    ctr = client.containers.run(TEST_IMAGE, ["sleep", "1000"], detach=True)
    try:
        result = ctr.exec_run(["sh", "-c", "echo $((20+22))"])
        assert (result.exit_code, result.output) == (0, b"42\n")
    finally:
        ctr.remove(force=True)


def test_sdk_images_and_volumes(client: docker.DockerClient) -> None:
    image = client.images.get(TEST_IMAGE)
    assert image.id is not None and image.id.startswith("sha256:")
    archive = b"".join(image.save(named=True))
    image.tag("native-test/sdk", "copy")
    client.images.remove("native-test/sdk:copy")
    loaded = client.images.load(archive)
    assert [i.id for i in loaded] == [image.id]
    volume = client.volumes.create("native-sdk-vol", labels={"made-by": "sdk"})
    try:
        found = client.volumes.list(filters={"label": "made-by=sdk"})
        assert [v.name for v in found] == ["native-sdk-vol"]
    finally:
        volume.remove()


def test_parallel_runs_do_not_interfere(native: NativeDaemon) -> None:
    """Ten `docker run` at once: every one gets its own output and exit code."""
    env = dict(os.environ, DOCKER_HOST=native.docker_host)
    procs = [
        subprocess.Popen(
            ["docker", "run", "--rm", TEST_IMAGE, "sh", "-c", f"echo n{i}; exit {i}"],
            stdout=subprocess.PIPE,
            env=env,
        )
        for i in range(10)
    ]
    for i, proc in enumerate(procs):
        out, _ = proc.communicate(timeout=60)
        assert (proc.returncode, out) == (i, f"n{i}\n".encode())


def test_sdk_exec_stream_keeps_its_first_bytes(client: docker.DockerClient) -> None:
    """docker-py reads a hijacked stream under the reader that parsed its headers: output the
    command writes at once (before the headers are read) must still reach it."""
    ctr = client.containers.run(TEST_IMAGE, ["sleep", "1000"], detach=True)
    try:
        for _ in range(3):
            result = ctr.exec_run(
                ["sh", "-c", "echo first; echo second >&2"], stream=True, demux=True
            )
            chunks = list(result.output)
            out = b"".join(c[0] for c in chunks if c[0])
            err = b"".join(c[1] for c in chunks if c[1])
            assert (out, err) == (b"first\n", b"second\n")
    finally:
        ctr.remove(force=True)
