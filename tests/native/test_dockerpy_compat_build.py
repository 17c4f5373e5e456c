"""Build and load as docker-py drives them: hosts, exit codes, errors up front; both engines."""

from __future__ import annotations

import io
from pathlib import Path

import docker
import pytest

from tests.fixtures.both_engines import docker_client, docker_url
from tests.fixtures.docker import TEST_IMAGE, Resources
from tests.native.conftest import NativeDaemon

pytestmark = pytest.mark.native

# one body, two engines
__all__ = ["docker_client", "docker_url"]


# rm and forcerm: no intermediate container may stay behind on the dockerd others share
def _dockerfile(*lines: str) -> io.BytesIO:
    return io.BytesIO("\n".join([f"FROM {TEST_IMAGE}", *lines]).encode())


def test_extra_hosts_reach_run_steps(docker_client: docker.DockerClient, res: Resources) -> None:
    tag = f"{res.prefix}-hosts:latest"
    res.images.append(tag)
    script = _dockerfile("RUN ping -c1 -W2 extra.test", "RUN cp /etc/hosts /hosts-file")
    logs = list(
        docker_client.api.build(
            rm=True,
            forcerm=True,
            fileobj=script,
            tag=tag,
            decode=True,
            extra_hosts={"extra.test": "127.0.0.1"},
        )
    )
    assert not [entry for entry in logs if "errorDetail" in entry]
    out = docker_client.containers.run(tag, "cat /hosts-file", name=res.container())
    assert b"127.0.0.1\textra.test" in out


def test_a_failing_run_reports_its_exit_code(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    tag = f"{res.prefix}-fails:latest"
    res.images.append(tag)
    logs = list(
        docker_client.api.build(
            rm=True, forcerm=True, fileobj=_dockerfile("RUN exit 3"), tag=tag, decode=True
        )
    )
    assert logs[-1]["errorDetail"]["code"] == 3
    assert "returned a non-zero code: 3" in logs[-1]["error"]
    with pytest.raises(docker.errors.ImageNotFound):
        docker_client.images.get(tag)


def test_a_context_without_a_dockerfile_is_an_http_error(
    docker_client: docker.DockerClient,
) -> None:
    # raised by the SDK at once, not left in the stream for the caller to find
    with pytest.raises(docker.errors.APIError) as caught:
        for _ in docker_client.api.build(rm=True, forcerm=True, fileobj=io.BytesIO(), tag="a/b/c"):
            pass
    assert caught.value.is_error()


def test_loading_what_is_no_image_archive_fails_in_the_stream(
    docker_client: docker.DockerClient,
) -> None:
    with pytest.raises(docker.errors.ImageLoadError):
        docker_client.images.load(b"no tar at all")


def test_steps_that_change_nothing_alike_do_not_break_the_next_one(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    # both RUNs leave the same empty layer behind: one layer, listed twice below step 3
    tag = f"{res.prefix}-alike:latest"
    res.images.append(tag)
    script = _dockerfile("RUN true", "RUN true", "RUN echo third > /third")
    logs = list(
        docker_client.api.build(rm=True, forcerm=True, fileobj=script, tag=tag, decode=True)
    )
    assert not [entry for entry in logs if "errorDetail" in entry]
    assert docker_client.containers.run(tag, "cat /third", name=res.container()) == b"third\n"


def test_onbuild_is_recorded_and_a_later_stage_is_left_out_by_target(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    base, first = f"{res.prefix}-onbuild:latest", f"{res.prefix}-first:latest"
    res.images += [base, first]
    script = _dockerfile("ONBUILD RUN echo triggered", "LABEL stage=base")
    list(docker_client.api.build(rm=True, forcerm=True, fileobj=script, tag=base, decode=True))
    assert docker_client.images.get(base).attrs["Config"]["OnBuild"] == ["RUN echo triggered"]
    lines = [f"FROM {TEST_IMAGE} AS first", "RUN touch /made", f"FROM {TEST_IMAGE}"]
    two_stages = io.BytesIO("\n".join([*lines, "ONBUILD RUN echo later"]).encode())
    list(
        docker_client.api.build(
            rm=True, forcerm=True, fileobj=two_stages, tag=first, target="first", decode=True
        )
    )
    assert not docker_client.images.get(first).attrs["Config"].get("OnBuild")


def test_building_on_an_image_with_triggers_is_refused(native: NativeDaemon) -> None:
    # Native only: dockerd runs the triggers; the native builder says it does not
    api = docker.APIClient(base_url=native.docker_host, version="1.41")
    base = "dyt-triggers:latest"
    list(
        api.build(
            rm=True,
            forcerm=True,
            fileobj=_dockerfile("ONBUILD RUN echo triggered"),
            tag=base,
            decode=True,
        )
    )
    try:
        logs = list(
            api.build(
                rm=True, forcerm=True, fileobj=io.BytesIO(f"FROM {base}\n".encode()), decode=True
            )
        )
        assert "ONBUILD triggers, which the native builder does not run" in logs[-1]["error"]
    finally:
        api.remove_image(base, force=True)


def test_an_ignored_dockerfile_and_dockerignore_stay_out_of_copy(
    docker_client: docker.DockerClient, res: Resources, tmp_path: Path
) -> None:
    (tmp_path / "Dockerfile").write_text(f"FROM {TEST_IMAGE}\nCOPY . /src\n")
    (tmp_path / ".dockerignore").write_text("Dockerfile\n.dockerignore\n")
    (tmp_path / "kept.txt").write_text("kept")
    tag = f"{res.prefix}-ignored:latest"
    res.images.append(tag)
    list(docker_client.api.build(rm=True, forcerm=True, path=str(tmp_path), tag=tag, decode=True))
    listed = docker_client.containers.run(tag, "ls -A /src", name=res.container())
    assert listed.split() == [b"kept.txt"]


def test_a_dockerfile_outside_the_context(
    docker_client: docker.DockerClient, res: Resources, tmp_path: Path
) -> None:
    context, elsewhere = tmp_path / "context", tmp_path / "elsewhere"
    context.mkdir()
    elsewhere.mkdir()
    (context / "kept.txt").write_text("kept")
    (elsewhere / "Dockerfile").write_text(f"FROM {TEST_IMAGE}\nCOPY . /src\n")
    tag = f"{res.prefix}-outside:latest"
    res.images.append(tag)
    dockerfile = str(elsewhere / "Dockerfile")
    list(
        docker_client.api.build(
            rm=True, forcerm=True, path=str(context), dockerfile=dockerfile, tag=tag
        )
    )
    listed = docker_client.containers.run(tag, "ls -A /src", name=res.container())
    assert listed.split() == [b"kept.txt"]


def test_what_a_step_writes_to_stderr_comes_in_red(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    tag = f"{res.prefix}-stderr:latest"
    res.images.append(tag)
    script = _dockerfile("RUN echo to-stderr >&2")
    stream = docker_client.api.build(
        rm=True, forcerm=True, fileobj=script, tag=tag, decode=True, nocache=True
    )
    assert "\x1b[91mto-stderr\n\x1b[0m" in [chunk.get("stream") for chunk in stream]
