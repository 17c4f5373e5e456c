"""The first contact: a local engine's container list read before the docker SDK is loaded."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from pathlib import Path

import docker
import pytest

from engine_adapters.docker_engine import DockerEngine
from engine_adapters.errors import EngineTimeout, EngineUnavailable
from tests.engine.test_recovery import silent_socket  # noqa: F401  (a fixture)
from tests.fixtures.docker import TEST_IMAGE, Resources

REPO = Path(__file__).resolve().parents[2]


async def test_the_first_contact_answers_with_the_engines_list(
    engine: DockerEngine, docker_client: docker.DockerClient, res: Resources
) -> None:
    name = res.container()
    docker_client.containers.create(TEST_IMAGE, name=name)
    listed = await engine.first_contact()
    assert listed is not None
    first = {c.name: c for c in listed}
    assert first[name].id == docker_client.containers.get(name).id
    # The same containers, in the same shape, as a later read through the SDK gives.
    assert first[name] == {c.name: c for c in await engine.containers()}[name]
    later = res.container()
    docker_client.containers.create(TEST_IMAGE, name=later)
    assert later in {c.name for c in await engine.containers()}


def test_the_first_screen_needs_no_sdk(docker_url: str) -> None:
    """Contact and the first list in a fresh interpreter: the SDK is still not imported."""
    script = textwrap.dedent(
        f"""
        import asyncio, sys
        sys.path.insert(0, {str(REPO)!r})
        from engine_adapters.docker_engine import DockerEngine

        async def main():
            engine = DockerEngine({docker_url!r})
            listed = await engine.first_contact()
            print(len(listed), "docker" in sys.modules)
            await engine.info()  # a later call loads the SDK and works
            print("docker" in sys.modules)

        asyncio.run(main())
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    ).stdout.split()
    assert out[1:] == ["False", "True"], out
    assert int(out[0]) >= 0


async def test_first_contact_with_a_missing_engine_is_one_clear_error(tmp_path: Path) -> None:
    engine = DockerEngine(f"unix://{tmp_path}/nobody.sock", timeout=2)
    with pytest.raises(EngineUnavailable, match="cannot reach the engine"):
        await engine.first_contact()
    await engine.close()


async def test_first_contact_with_a_hung_engine_times_out(silent_socket: str) -> None:  # noqa: F811
    engine = DockerEngine(f"unix://{silent_socket}", timeout=1)
    with pytest.raises(EngineTimeout):
        await asyncio.wait_for(engine.first_contact(), 10)
    await engine.close()
