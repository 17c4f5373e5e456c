"""Stack secrets and configs: made from files with the stack's label, read by the tasks,
removed by `stack rm`, their data never printed; bad entries named by file and line."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from engine_adapters.docker_engine.swarm import DockerSwarm
from engine_adapters.swarm.models import STACK_LABEL
from tests.swarm.conftest import SwarmRig, unique
from tests.swarm.test_stack_cli import dockyard, dockyard_async
from tests.waiting import eventually

STACK = """services:
  app:
    image: dockyard-test/busybox:latest
    command:
      - sh
      - -c
      - >-
        cat /run/secrets/db_password; echo; cat /run/secrets/pw_copy; echo;
        stat -c 'mode %a' /run/secrets/pw_copy; cat /etc/app.conf;
        trap 'exit 0' TERM; while true; do sleep 1; done
    secrets:
      - db_password
      - source: db_password
        target: pw_copy
        mode: 0400
    configs:
      - source: app_conf
        target: /etc/app.conf
    deploy:
      endpoint_mode: dnsrr
secrets:
  db_password:
    file: ./db_password.txt
    labels: {purpose: test}
configs:
  app_conf:
    file: ./conf/app.conf
"""


@pytest.mark.swarm
@pytest.mark.timeout(300)
async def test_secrets_and_configs_are_made_read_by_tasks_and_removed_with_the_stack(
    swarm_rig: SwarmRig,
    swarm: DockerSwarm,
    names: list[str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    name = unique("sec")
    names.append(name)
    password = f"pw-{uuid.uuid4().hex}"
    (tmp_path / "db_password.txt").write_text(password)
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "app.conf").write_text("greeting=hello\n")
    file = tmp_path / "stack.yml"
    file.write_text(STACK)
    engine = ("stack", "--engine", swarm_rig.manager)

    code, out, err = await dockyard_async(capsys, *engine, "deploy", "-c", str(file), name)
    assert code == 0, err
    assert err == ""  # a stack applies secrets and configs: no "not supported" warning
    assert f"Creating secret {name}_db_password" in out.splitlines()
    assert f"Creating config {name}_app_conf" in out.splitlines()
    assert password not in out

    secrets = [s for s in await swarm.secrets() if s.name == f"{name}_db_password"]
    configs = [c for c in await swarm.configs() if c.name == f"{name}_app_conf"]
    assert len(secrets) == 1 and len(configs) == 1
    assert secrets[0].labels == {"purpose": "test", STACK_LABEL: name}
    assert configs[0].labels[STACK_LABEL] == name
    assert password not in repr(secrets[0])

    # The task reads both files: the secret twice (its two targets), the second one 0400.
    async def read() -> list[str]:
        stream = swarm.service_logs(f"{name}_app", tail=None)
        try:
            lines = [line.text async for line in stream]
        finally:
            await stream.aclose()
        return lines if "greeting=hello" in lines else []

    lines = await eventually(read, timeout=90)
    assert lines.count(password) == 2 and "mode 400" in lines

    # A second deploy keeps them (a swarm cannot change a secret's data in place).
    code, out, err = await dockyard_async(capsys, *engine, "deploy", "-c", str(file), name)
    assert code == 0, err
    assert "secret" not in out and "config" not in out

    code, out, err = await dockyard_async(capsys, *engine, "rm", name)
    assert code == 0, err
    assert f"secret {name}_db_password" in out and f"config {name}_app_conf" in out
    assert f"{name}_db_password" not in {s.name for s in await swarm.secrets()}
    assert f"{name}_app_conf" not in {c.name for c in await swarm.configs()}


def test_bad_secrets_and_configs_are_named_by_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "stack.yml"
    file.write_text(
        """services:
  web:
    image: x
    secrets:
      - missing
      - source: token
        mode: rw
    configs: [conf]
secrets:
  token:
    file: ./absent.txt
  inline:
    environment: TOKEN
configs:
  conf:
    external: true
"""
    )
    code, out, err = dockyard(capsys, "stack", "deploy", "-c", str(file), "bad")
    assert code == 1 and out == ""
    assert err.splitlines() == [
        f"{file}:5: services.web.secrets[0]: "
        'secret "missing" is not declared under top-level secrets:',
        f"{file}:7: services.web.secrets[1].mode: must be a file mode such as 0440",
        f"{file}:11: secrets.token.file: cannot read {tmp_path}/absent.txt: "
        "No such file or directory",
        f"{file}:13: secrets.inline.environment: dockyard stack takes a secret from a file: "
        "use file:",
    ]
