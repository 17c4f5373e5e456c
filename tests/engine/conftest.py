"""Engine-layer tests run one body against dockerd and against the native daemon."""

from tests.fixtures.both_engines import docker_client, docker_url, engine
from tests.fixtures.docker import DOCKER_SOCKET, TEST_IMAGE, Resources

__all__ = [
    "DOCKER_SOCKET",
    "TEST_IMAGE",
    "Resources",
    "docker_client",
    "docker_url",
    "engine",
]
