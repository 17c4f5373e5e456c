"""Compose test fixtures: files written to a temporary folder, unique project names, and cleanup
of everything labelled with a test's projects, even when the test failed."""

from __future__ import annotations

import contextlib
import shutil
import socket
import textwrap
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import docker
import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """write("compose.yaml", text): a dedented file in the test's folder; returns its path."""

    def put(name: str, text: str, folder: Path | None = None) -> Path:
        path = (folder or tmp_path) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        return path

    return put


class Projects:
    """Unique compose project names for one test, and their removal at teardown."""

    def __init__(self, client: docker.DockerClient) -> None:
        self.client = client
        self.names: list[str] = []
        self.images: list[str] = []

    def new(self, hint: str = "p") -> str:
        name = f"dyc{hint}{uuid.uuid4().hex[:8]}"
        self.names.append(name)
        return name

    def cleanup(self) -> None:
        api = self.client.api
        for name in self.names:
            label = f"com.docker.compose.project={name}"
            for c in api.containers(all=True, filters={"label": label}):
                with contextlib.suppress(docker.errors.APIError):
                    api.remove_container(c["Id"], force=True, v=True)
            for n in api.networks(filters={"label": label}):
                with contextlib.suppress(docker.errors.APIError):
                    api.remove_network(n["Id"])
            for v in api.volumes(filters={"label": label}).get("Volumes") or ():
                with contextlib.suppress(docker.errors.APIError):
                    api.remove_volume(v["Name"], force=True)
        for ref in self.images:
            with contextlib.suppress(docker.errors.APIError):
                api.remove_image(ref, force=True)


@pytest.fixture
def projects(docker_client: docker.DockerClient) -> Iterator[Projects]:
    created = Projects(docker_client)
    yield created
    created.cleanup()


@pytest.fixture
def lecture(tmp_path: Path) -> Callable[[str], Path]:
    """A copy of one of examples/lecture/*, so bind-mount folders land in the test's folder."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(EXAMPLES / "lecture" / name, target)
        return target / "docker-compose.yml"

    return copy


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
