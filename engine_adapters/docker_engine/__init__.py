"""The Docker Engine API adapter: dockerd, Podman's socket, ssh:// hosts and our native daemon."""

from engine_adapters.docker_engine.engine import API_VERSION, DockerEngine

__all__ = ["API_VERSION", "DockerEngine"]
