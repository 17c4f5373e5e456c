"""Engine-layer tests run one body against dockerd, the native daemon and Podman."""

from tests.fixtures.both_engines import docker_client, engine
from tests.fixtures.both_engines import docker_url_and_podman as docker_url
from tests.fixtures.docker import DOCKER_SOCKET, TEST_IMAGE, Resources

__all__ = [
    "DOCKER_SOCKET",
    "TEST_IMAGE",
    "Resources",
    "docker_client",
    "docker_url",
    "engine",
]
