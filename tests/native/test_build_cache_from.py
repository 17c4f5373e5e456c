"""`build --cache-from`: the steps of the given images are reused, the local cache alone is not."""

from __future__ import annotations

import contextlib
import io
import secrets
import shutil

import docker
import pytest

from tests.fixtures.both_engines import docker_client, docker_url
from tests.fixtures.docker import TEST_IMAGE, Resources
from tests.native.conftest import NativeDaemon

pytestmark = pytest.mark.native

# one body, two engines
__all__ = ["docker_client", "docker_url"]


def _build(
    client: docker.DockerClient, script: str, tag: str, cache_from: list[str] | None = None
) -> list[str]:
    """Builds and returns the stream lines; fails on a build error."""
    lines: list[str] = []
    # rm and forcerm: no intermediate container may stay behind on the dockerd others share
    for entry in client.api.build(
        fileobj=io.BytesIO(script.encode()), tag=tag, rm=True, forcerm=True, decode=True,
        cache_from=cache_from,
    ):  # fmt: skip
        assert "errorDetail" not in entry, entry
        lines.append(str(entry.get("stream", "")))
    return lines


def _script(res: Resources) -> str:
    # A value of this test's own, so no other build on the shared dockerd primes the cache.
    return "\n".join(
        [f"FROM {TEST_IMAGE}", f"ENV MARK={res.prefix}", "RUN touch /baz", "RUN touch /bax"]
    )


def _hits(lines: list[str]) -> int:
    return sum("Using cache" in line for line in lines)


def test_the_given_image_lends_its_steps(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    first, second = f"{res.prefix}-first:latest", f"{res.prefix}-second:latest"
    res.images += [first, second]
    script = _script(res)
    assert _hits(_build(docker_client, script, first)) == 0
    assert _hits(_build(docker_client, script, second, cache_from=[first])) == 3
    assert docker_client.images.get(second).id == docker_client.images.get(first).id


def test_a_missing_image_leaves_nothing_to_reuse(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    first, second = f"{res.prefix}-first:latest", f"{res.prefix}-second:latest"
    res.images += [first, second]
    script = _script(res)
    _build(docker_client, script, first)
    # The local cache holds every step, yet only what the given images lead to counts.
    lines = _build(docker_client, script, second, cache_from=[f"{res.prefix}-none:latest"])
    assert _hits(lines) == 0
    assert _hits(_build(docker_client, script, second)) == 3


def test_a_loaded_image_lends_its_steps(docker_client: docker.DockerClient, res: Resources) -> None:
    first, second = f"{res.prefix}-first:latest", f"{res.prefix}-second:latest"
    res.images += [first, second]
    script = _script(res)
    _build(docker_client, script, first)
    archive = b"".join(docker_client.images.get(first).save(named=True))
    docker_client.images.remove(first)
    (loaded,) = docker_client.images.load(archive)
    assert first in loaded.tags
    assert _hits(_build(docker_client, script, second, cache_from=[first])) == 3
    second_image = docker_client.images.get(second)
    assert second_image.id == loaded.id
    assert docker_client.containers.run(second, "ls /bax", name=res.container()) == b"/bax\n"


def test_steps_the_cache_lost_come_from_the_image_history(native: NativeDaemon) -> None:
    # Native only: with its cache folder gone, the engine has nothing but the given image's
    # history to go by (on dockerd, a pulled image is in that state).
    client = docker.DockerClient(base_url=native.docker_host, version="1.41")
    prefix = f"dyt-{secrets.token_hex(4)}"
    first, plain, second = (f"{prefix}-{n}:latest" for n in ("first", "plain", "second"))
    script = "\n".join([f"FROM {TEST_IMAGE}", f"ENV MARK={prefix}", "RUN touch /baz"])
    try:
        _build(client, script, first)
        shutil.rmtree(native.data_root / "build-cache")
        assert _hits(_build(client, script, plain)) == 0
        shutil.rmtree(native.data_root / "build-cache")
        assert _hits(_build(client, script, second, cache_from=[first])) == 2
        assert client.images.get(second).id == client.images.get(first).id
    finally:
        for tag in (first, plain, second):
            with contextlib.suppress(docker.errors.APIError):
                client.images.remove(tag, force=True)
        client.close()
