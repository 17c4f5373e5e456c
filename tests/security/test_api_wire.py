"""Wire behaviour as dockerd's: chunked streams, status codes, swarm endpoints outside a swarm."""

from __future__ import annotations

import base64
import io
import os
import secrets
import subprocess
import tarfile
import time
from collections.abc import Iterator

import docker
import pytest

from tests.fixtures.docker import DOCKER_SOCKET
from tests.native.conftest import NativeDaemon
from tests.security.api_fixtures import TEST_IMAGE, RawApi, dockerd_api, native_api, native_daemon

__all__ = ["dockerd_api", "native_api", "native_daemon"]


@pytest.fixture(scope="module")
def test_image_tar() -> bytes:
    saved = subprocess.run(
        ["docker", "-H", f"unix://{DOCKER_SOCKET}", "save", TEST_IMAGE],
        capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    return saved.stdout


def _exited(api: RawApi) -> str:
    name = api.container_name()
    body = {"Image": TEST_IMAGE, "Cmd": ["echo", "hi"]}
    assert api.request("POST", f"/containers/create?name={name}", body).status == 201
    assert api.request("POST", f"/containers/{name}/start").status == 204
    assert api.request("POST", f"/containers/{name}/wait").status == 200
    return name


def _running(api: RawApi) -> str:
    name = api.container_name()
    body = {"Image": TEST_IMAGE, "Cmd": ["sleep", "60"]}
    assert api.request("POST", f"/containers/create?name={name}", body).status == 201
    assert api.request("POST", f"/containers/{name}/start").status == 204
    return name


@pytest.fixture
def both(dockerd_api: RawApi, native_api: RawApi) -> Iterator[tuple[RawApi, RawApi]]:
    yield dockerd_api, native_api


def test_images_load_is_chunked_and_the_sdk_reads_it(
    native_api: RawApi, native_daemon: NativeDaemon, test_image_tar: bytes
) -> None:
    answer = native_api.request(
        "POST", "/images/load", test_image_tar, {"Content-Type": "application/x-tar"}
    )
    assert answer.status == 200
    assert answer.chunked
    client = docker.DockerClient(base_url=native_daemon.docker_host, version="1.41")
    try:
        images = client.images.load(test_image_tar)
    finally:
        client.close()
    assert any(TEST_IMAGE in image.tags for image in images)


def test_image_import_is_chunked(native_api: RawApi) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("hello.txt")
        data = b"hi\n"
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    answer = native_api.request(
        "POST",
        "/images/create?fromSrc=-&repo=dyt-api-import&tag=t",
        buf.getvalue(),
        {"Content-Type": "application/x-tar"},
    )
    try:
        assert answer.status == 200, answer.message
        assert answer.chunked
    finally:
        native_api.request("DELETE", "/images/dyt-api-import:t")


def test_events_and_logs_are_chunked_on_both(both: tuple[RawApi, RawApi]) -> None:
    for api in both:
        name = _exited(api)
        events = api.request(
            "GET", f"/events?since={int(time.time()) - 30}&until={int(time.time())}"
        )
        assert (events.status, events.chunked) == (200, True), api.name
        logs = api.request("GET", f"/containers/{name}/logs?stdout=1&follow=1")
        assert (logs.status, logs.chunked) == (200, True), api.name
        assert b"hi" in logs.body


def test_build_is_chunked(native_api: RawApi) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        data = f"FROM {TEST_IMAGE}\nLABEL dyt.api=1\n".encode()
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    answer = native_api.request(
        "POST", "/build?t=dyt-api-build:t", buf.getvalue(), {"Content-Type": "application/x-tar"}
    )
    try:
        assert answer.status == 200, answer.message
        assert answer.chunked
    finally:
        native_api.request("DELETE", "/images/dyt-api-build:t")


def test_state_status_codes_match_dockerd(both: tuple[RawApi, RawApi]) -> None:
    for api in both:
        running = _running(api)
        assert api.request("POST", f"/containers/{running}/start").status == 304, api.name
        assert api.request("POST", f"/containers/{running}/stop?t=0").status == 204, api.name
        assert api.request("POST", f"/containers/{running}/stop").status == 304, api.name
        assert api.request("POST", f"/containers/{running}/pause").status == 409, api.name
        assert api.request("POST", f"/containers/{running}/kill").status == 409, api.name
        # dockerd answers this one with a 500 from containerd; a conflict is what it is.
        unpause = api.request("POST", f"/containers/{running}/unpause").status
        assert unpause == (409 if api.name == "native" else 500)
        exec_body = {"Cmd": ["true"]}
        assert api.request("POST", f"/containers/{running}/exec", exec_body).status == 409


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/containers/dyt-api-none/start"),
        ("GET", "/containers/dyt-api-none/json"),
        ("DELETE", "/containers/dyt-api-none"),
        ("POST", "/images/dyt-api-none/tag?repo=x"),
        ("DELETE", "/images/dyt-api-none"),
        ("GET", "/images/dyt-api-none/json"),
        ("DELETE", "/volumes/dyt-api-none"),
        ("DELETE", "/networks/dyt-api-none"),
        ("GET", "/exec/dyt-api-none/json"),
        ("GET", "/no/such/route"),
    ],
)
def test_missing_things_are_404(both: tuple[RawApi, RawApi], method: str, path: str) -> None:
    for api in both:
        answer = api.request(method, path)
        assert answer.status == 404, (api.name, answer.status, answer.message)
        assert answer.headers["content-type"] == "application/json"


SWARM_REQUESTS = [
    ("GET", "/swarm", None),
    ("POST", "/swarm/init", {}),
    ("POST", "/swarm/join", {}),
    ("POST", "/swarm/leave", None),
    ("POST", "/swarm/update", {}),
    ("POST", "/swarm/unlock", {}),
    ("GET", "/swarm/unlockkey", None),
    ("GET", "/nodes", None),
    ("GET", "/nodes/dyt-api-none", None),
    ("GET", "/services", None),
    ("POST", "/services/create", {}),
    ("GET", "/services/dyt-api-none", None),
    ("GET", "/tasks", None),
    ("GET", "/secrets", None),
    ("POST", "/secrets/create", {}),
    ("GET", "/configs", None),
    ("DELETE", "/configs/dyt-api-none", None),
]


@pytest.mark.parametrize(("method", "path", "body"), SWARM_REQUESTS)
def test_swarm_endpoints_answer_as_dockerd_outside_a_swarm(
    both: tuple[RawApi, RawApi], method: str, path: str, body: dict[str, object] | None
) -> None:
    theirs, ours = (api.request(method, path, body) for api in both)
    assert (ours.status, ours.message) == (theirs.status, theirs.message)
    assert ours.headers["content-type"] == "application/json"


def test_swarm_init_with_an_address_says_swarm_mode_is_unavailable(native_api: RawApi) -> None:
    answer = native_api.request("POST", "/swarm/init", {"ListenAddr": "0.0.0.0:2377"})
    assert answer.status == 503
    assert "swarm" in answer.message


def test_push_and_pull_are_chunked(native_api: RawApi) -> None:
    registry = os.environ.get("DOCKYARD_TEST_REGISTRY", "127.0.0.1:5000")
    repo = f"{registry}/dockyard-test/api-{secrets.token_hex(4)}"
    auth = {"X-Registry-Auth": base64.urlsafe_b64encode(b"{}").decode()}
    assert native_api.request("POST", f"/images/{TEST_IMAGE}/tag?repo={repo}&tag=t").status == 201
    try:
        pushed = native_api.request("POST", f"/images/{repo}:t/push?tag=t", headers=auth)
        assert (pushed.status, pushed.chunked) == (200, True), pushed.message
        assert b'"error"' not in pushed.body, pushed.body
        assert native_api.request("DELETE", f"/images/{repo}:t").status == 200
        pulled = native_api.request("POST", f"/images/create?fromImage={repo}&tag=t", headers=auth)
        assert (pulled.status, pulled.chunked) == (200, True), pulled.message
        assert native_api.request("GET", f"/images/{repo}:t/json").status == 200
    finally:
        native_api.request("DELETE", f"/images/{repo}:t")
