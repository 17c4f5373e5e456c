"""Engine-layer tests use the shared real-dockerd fixtures (tests/fixtures/docker.py)."""

from tests.fixtures.docker import DOCKER_SOCKET, TEST_IMAGE, Resources

__all__ = ["DOCKER_SOCKET", "TEST_IMAGE", "Resources"]
