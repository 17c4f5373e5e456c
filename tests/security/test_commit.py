"""`commit` freezes a running container while it reads the changes, unless told not to."""

from __future__ import annotations

import time

import docker

from tests.fixtures.docker import TEST_IMAGE, Resources


def test_commit_pauses_a_running_container(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    ctr = docker_client.containers.run(
        TEST_IMAGE, ["sh", "-c", "echo changed > /changed && exec sleep 600"],
        name=res.container(), detach=True,
    )  # fmt: skip
    since = int(time.time()) - 1
    image = ctr.commit(repository=f"dyk-sec-commit-{res.prefix}", tag="latest")
    res.images.append(str(image.id))
    until = int(time.time()) + 1
    events = docker_client.events(
        since=since, until=until, filters={"container": str(ctr.id)}, decode=True
    )
    actions = [event.get("Action") for event in events]
    assert actions.index("pause") < actions.index("commit") < actions.index("unpause"), actions
    ctr.reload()
    assert ctr.status == "running"


def test_commit_with_pause_false_leaves_the_container_running(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    ctr = docker_client.containers.run(
        TEST_IMAGE, ["sleep", "600"], name=res.container(), detach=True
    )
    since = int(time.time()) - 1
    image = ctr.commit(repository=f"dyk-sec-nopause-{res.prefix}", tag="latest", pause=False)
    res.images.append(str(image.id))
    until = int(time.time()) + 1
    events = docker_client.events(
        since=since, until=until, filters={"container": str(ctr.id)}, decode=True
    )
    actions = [event.get("Action") for event in events]
    assert "commit" in actions and "pause" not in actions, actions
