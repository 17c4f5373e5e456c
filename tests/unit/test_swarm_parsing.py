"""Pure logic of the swarm layer: log line details, memory sizes, deploy keys, swarm_of."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine_adapters.compose import ComposeFileError
from engine_adapters.docker_engine import DockerEngine
from engine_adapters.docker_engine.swarm_logs import split_details
from engine_adapters.swarm.deploy_keys import memory_bytes
from engine_adapters.swarm.reach import swarm_of
from engine_adapters.swarm.stack_file import load_stack
from tests.ui.fake_engine import FakeEngine


def test_details_before_a_log_message_are_split_off() -> None:
    details, text = split_details(
        "com.docker.swarm.node.id=n1,com.docker.swarm.service.id=s1,"
        "com.docker.swarm.task.id=t1 hello world"
    )
    assert details["com.docker.swarm.node.id"] == "n1"
    assert details["com.docker.swarm.task.id"] == "t1" and text == "hello world"
    assert split_details("no details here") == ({}, "no details here")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(512, 512), ("64M", 64 << 20), ("1g", 1 << 30), ("1.5GiB", 3 << 29), ("100kb", 102400)],
)
def test_memory_sizes(value: object, expected: int) -> None:
    assert memory_bytes(value) == expected


@pytest.mark.parametrize("value", ["lots", "-1M", True, "12 parsecs"])
def test_bad_memory_sizes(value: object) -> None:
    assert memory_bytes(value) is None


def test_a_global_service_with_placement_and_policies(tmp_path: Path) -> None:
    file = tmp_path / "stack.yml"
    file.write_text(
        """services:
  agent:
    image: x
    command: ["run", "--fast"]
    entrypoint: /bin/agent
    ports:
      - {target: 9100, published: 9100, mode: host}
      - "80:8080"
    deploy:
      mode: global
      labels: [tier=ops]
      placement:
        constraints: [node.role == worker, node.labels.zone != b]
        preferences: [{spread: node.labels.rack}]
      restart_policy: {condition: on-failure, delay: 2s, max_attempts: 3, window: 1m}
      rollback_config: {parallelism: 0, failure_action: continue}
"""
    )
    agent = load_stack([str(file)], "ops").services[0]
    assert agent.name == "ops_agent" and agent.mode == "global"
    assert agent.command == ("/bin/agent",) and agent.args == ("run", "--fast")
    assert [(p.target, p.published, p.mode) for p in agent.ports] == [
        (9100, 9100, "host"),
        (8080, 80, "ingress"),
    ]
    assert agent.constraints == ("node.role == worker", "node.labels.zone != b")
    assert agent.preferences == ("node.labels.rack",)
    assert agent.labels["tier"] == "ops"
    assert agent.restart_policy is not None
    assert (agent.restart_policy.condition, agent.restart_policy.window) == ("on-failure", 60.0)
    assert agent.rollback_config is not None and agent.rollback_config.parallelism == 0


def test_a_global_service_takes_no_replicas(tmp_path: Path) -> None:
    file = tmp_path / "stack.yml"
    file.write_text("services:\n  a:\n    image: x\n    deploy: {mode: global, replicas: 2}\n")
    problem = r"stack.yml:4: services.a.deploy.replicas: a global"
    with pytest.raises(ComposeFileError, match=problem):
        load_stack([str(file)], "g")


def test_only_docker_api_engines_have_swarm_calls() -> None:
    engine = DockerEngine("unix:///nowhere.sock")
    assert swarm_of(engine) is engine.swarm
    assert swarm_of(FakeEngine()) is None
