"""`extends` in services: the spec's merge rules, chains across files, paths, and clear problems."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from engine_adapters.compose import ComposeFileError, load_project
from engine_adapters.compose.model import Build, Dependency, Mount, PortMapping
from tests.compose.helpers import dockyard
from tests.conftest import require

Write = Callable[..., Path]


def problems(*files: Path, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ComposeFileError) as caught:
        load_project([str(f) for f in files], "p", env=env or {})
    return [str(p) for p in caught.value.problems]


def test_same_file_extends_merges_by_the_spec_rules(write: Write, tmp_path: Path) -> None:
    file = write(
        "compose.yaml",
        """
        services:
          base:
            image: base-image
            command: sleep 1
            entrypoint: ["/bin/sh", "-c"]
            environment: [A=1, B=2]
            labels: {team: core}
            ports: ["8080:80", "9000"]
            volumes: ["./data:/data", "cache:/cache"]
            depends_on: [db]
          web:
            extends:
              service: base
            image: web-image
            command: ["sleep", "2"]
            environment: {B: "3", C: "4"}
            labels: [tier=front]
            ports: ["8080:80", "9001"]
            volumes: ["./mine:/data", "/logs"]
            depends_on: [cache]
          db:
            image: db
          cache:
            image: cache
        volumes:
          cache:
        """,
    )
    web = load_project(str(file), "p", env={}).service("web")
    assert web.image == "web-image"
    assert web.command == ("sleep", "2")
    assert web.entrypoint == ("/bin/sh", "-c")
    assert dict(web.environment) == {"A": "1", "B": "3", "C": "4"}
    assert dict(web.labels) == {"team": "core", "tier": "front"}
    # A repeated port is kept once; a volume with the same target is replaced in place.
    assert web.ports == (PortMapping(80, 8080), PortMapping(9000), PortMapping(9001))
    assert web.volumes == (
        Mount("bind", "/data", str(tmp_path / "mine")),
        Mount("volume", "/cache", "cache"),
        Mount("volume", "/logs"),
    )
    assert web.depends_on == (Dependency("db"), Dependency("cache"))


def test_the_base_stays_a_service_of_its_own_and_the_short_form_works(write: Write) -> None:
    file = write(
        "compose.yaml",
        """
        services:
          base: {image: base-image, environment: {A: "1"}}
          web:
            extends: base
            environment: {B: "2"}
        """,
    )
    project = load_project(str(file), "p", env={})
    assert [s.name for s in project.services] == ["base", "web"]
    assert dict(project.service("base").environment) == {"A": "1"}
    assert dict(project.service("web").environment) == {"A": "1", "B": "2"}
    assert project.service("web").image == "base-image"


def test_another_files_paths_resolve_in_its_own_folder(write: Write, tmp_path: Path) -> None:
    common = tmp_path / "common"
    write("vars.env", "FROM_FILE=yes\n", folder=common)
    write(
        "common.yaml",
        """
        services:
          app:
            build: ./ctx
            env_file: vars.env
            volumes: ["./shared:/shared"]
        """,
        folder=common,
    )
    file = write(
        "compose.yaml",
        """
        services:
          web:
            extends: {file: ../common/common.yaml, service: app}
            volumes: ["./own:/own"]
        """,
        folder=tmp_path / "app",
    )
    web = load_project(str(file), "p", env={}).service("web")
    assert web.build == Build(str(common / "ctx"))
    assert dict(web.environment) == {"FROM_FILE": "yes"}
    assert web.volumes == (
        Mount("bind", "/shared", str(common / "shared")),
        Mount("bind", "/own", str(tmp_path / "app" / "own")),
    )


def test_a_chain_of_extends_across_three_files(write: Write, tmp_path: Path) -> None:
    write(
        "root.yaml",
        """
        services:
          root:
            image: root-image
            environment: {LEVEL: root, ROOT: "1"}
            volumes: ["./root-data:/root-data"]
        """,
        folder=tmp_path / "deep" / "er",
    )
    write(
        "mid.yaml",
        """
        services:
          top:
            extends: middle
            environment: {LEVEL: top}
          middle:
            extends: {file: er/root.yaml, service: root}
            environment: {LEVEL: middle, MIDDLE: "1"}
            command: echo middle
        """,
        folder=tmp_path / "deep",
    )
    file = write(
        "compose.yaml",
        """
        services:
          web:
            extends: {file: deep/mid.yaml, service: top}
            environment: {WEB: "1"}
        """,
    )
    project = load_project(str(file), "p", env={})
    assert [s.name for s in project.services] == ["web"]  # the other files' services stay out
    web = project.service("web")
    assert dict(web.environment) == {"LEVEL": "top", "ROOT": "1", "MIDDLE": "1", "WEB": "1"}
    assert (web.image, web.command) == ("root-image", ("echo", "middle"))
    assert web.volumes == (Mount("bind", "/root-data", str(tmp_path / "deep/er/root-data")),)


def test_reset_in_the_extending_service_drops_what_the_base_said(write: Write) -> None:
    file = write(
        "compose.yaml",
        """
        services:
          base: {image: x, ports: ["80"], command: sleep 1}
          web:
            extends: base
            ports: !reset []
            command: !reset null
        """,
    )
    web = load_project(str(file), "p", env={}).service("web")
    assert (web.ports, web.command) == ((), None)


def test_the_other_file_is_interpolated_with_the_projects_variables(write: Write) -> None:
    write("common.yaml", "services:\n  app:\n    image: ${IMAGE:-none}\n")
    file = write(
        "compose.yaml", "services:\n  web:\n    extends: {file: common.yaml, service: app}\n"
    )
    project = load_project(str(file), "p", env={"IMAGE": "from-env"})
    assert project.service("web").image == "from-env"


def test_an_override_file_merges_over_the_extended_service(write: Write) -> None:
    base = write(
        "compose.yaml",
        """
        services:
          base: {image: x, environment: {A: "1"}}
          web:
            extends: base
            environment: {B: "2"}
        """,
    )
    override = write("compose.override.yaml", "services:\n  web:\n    environment: {C: '3'}\n")
    web = load_project([str(base), str(override)], "p", env={}).service("web")
    assert dict(web.environment) == {"A": "1", "B": "2", "C": "3"}


def test_a_problem_in_a_copied_value_names_the_base_files_line(write: Write) -> None:
    common = write("common.yaml", "services:\n  app:\n    image: x\n    ports: [abc]\n")
    file = write(
        "compose.yaml", "services:\n  web:\n    extends: {file: common.yaml, service: app}\n"
    )
    assert problems(file) == [f'{common}:4: services.web.ports[0]: invalid port "abc"']


def test_a_cycle_is_one_problem_at_the_extends_key(write: Write) -> None:
    file = write(
        "compose.yaml",
        """
        services:
          a:
            extends: b
          b:
            extends: {service: a}
          c:
            image: x
            depends_on: [a]
        """,
    )
    assert problems(file) == [f"{file}:3: services.a.extends: extends cycle: a -> b -> a"]


def test_a_cycle_through_another_file_names_it(write: Write, tmp_path: Path) -> None:
    file = write(
        "compose.yaml",
        "services:\n  web:\n    extends: {file: other.yaml, service: app}\n",
    )
    write("other.yaml", "services:\n  app:\n    extends: {file: compose.yaml, service: web}\n")
    assert problems(file) == [
        f"{file}:3: services.web.extends: extends cycle: web -> app ({tmp_path}/other.yaml) -> web"
    ]


def test_a_service_that_extends_itself(write: Write) -> None:
    file = write("compose.yaml", "services:\n  web:\n    image: x\n    extends: web\n")
    assert problems(file) == [f"{file}:4: services.web.extends: extends cycle: web -> web"]


def test_a_missing_service_or_file_is_one_problem_naming_the_key(
    write: Write, tmp_path: Path
) -> None:
    write("common.yaml", "services:\n  app: {image: x}\n")
    file = write(
        "compose.yaml",
        """
        services:
          a:
            extends: {service: nope}
          b:
            extends: {file: missing.yaml, service: app}
          c:
            extends: {file: common.yaml, service: nope}
          d:
            extends: {file: missing.yaml, service: app}
          e:
            extends: {servce: app}
        """,
    )
    assert problems(file) == [
        f'{file}:3: services.a.extends.service: service "nope" not found',
        f'{file}:5: services.b.extends.file: cannot read "missing.yaml": No such file or directory',
        f'{file}:7: services.c.extends.service: service "nope" not found in {tmp_path}/common.yaml',
        f'{file}:9: services.d.extends.file: cannot read "missing.yaml": No such file or directory',
        f'{file}:11: services.e.extends.servce: unknown key (did you mean "service"?)',
        f"{file}:11: services.e.extends: must name a service, not null",
    ]


def test_a_base_file_that_is_not_yaml_names_its_own_line(write: Write) -> None:
    common = write("common.yaml", "services:\n  app:\n    image: [x\n")
    file = write(
        "compose.yaml", "services:\n  web:\n    extends: {file: common.yaml, service: app}\n"
    )
    found = problems(file)
    assert len(found) == 1 and found[0].startswith(f"{common}:4: invalid YAML")


def test_config_shows_the_resolved_service(
    write: Write, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write("common.yaml", "services:\n  app:\n    image: x\n    volumes: ['./d:/d']\n")
    file = write(
        "compose.yaml",
        "services:\n  web:\n    extends: {file: ../common.yaml, service: app}\n    tty: true\n",
        folder=tmp_path / "app",
    )
    assert dockyard("-f", str(file), "-p", "ext", "config") == 0
    out = capsys.readouterr().out
    assert "extends" not in out
    assert f"source: {tmp_path}/d\n" in out and "tty: true" in out


def test_the_same_services_as_docker_compose_resolves(write: Write, tmp_path: Path) -> None:
    """Debian's docker-compose 1.29 `config` as the reference for the merge and the paths."""
    found = shutil.which("docker-compose")
    require(found is not None, "docker-compose 1.29 (Debian's) is not installed")
    write("vars.env", "FROM_FILE=common\nSHARED=common\n", folder=tmp_path / "lib")
    (tmp_path / "lib" / "ctx").mkdir()  # docker-compose 1.29 checks that a build folder exists
    write(
        "root.yaml",
        """
        services:
          root:
            image: root-image
            command: sleep 1
            environment: [LEVEL=root, ROOT=1]
            labels: {team: core}
            ports: ["8080:80", "9000"]
            volumes: ["./root-data:/data", "./logs:/logs"]
        """,
        folder=tmp_path / "lib" / "deep",
    )
    write(
        "common.yaml",
        """
        services:
          mid:
            extends: {file: deep/root.yaml, service: root}
            build: ./ctx
            env_file: vars.env
            environment: {LEVEL: mid}
            ports: ["9000", "9100:91"]
        """,
        folder=tmp_path / "lib",
    )
    file = write(
        "docker-compose.yml",
        """
        version: "3.9"
        services:
          base:
            image: base-image
            entrypoint: ["/bin/sh", "-c"]
            labels: [tier=base]
          web:
            extends: base
            image: web-image
            environment: {WEB: "1"}
          app:
            extends: {file: ../lib/common.yaml, service: mid}
            command: ["echo", "app"]
            environment: {SHARED: app}
            labels: [tier=app]
            volumes: ["./own:/data"]
        """,
        folder=tmp_path / "proj",
    )
    run = subprocess.run(
        [str(found), "-f", str(file), "-p", "parity", "config"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={"PATH": os.environ.get("PATH", "")},
    )
    theirs = yaml.safe_load(run.stdout)["services"]
    ours = load_project(str(file), "parity", env={}).services
    assert {s.name for s in ours} == set(theirs) == {"base", "web", "app"}
    for service in ours:
        their = theirs[service.name]
        command = their.get("command")
        entrypoint = their.get("entrypoint")
        assert service.image == their.get("image"), service.name
        assert service.command == (
            tuple(shlex.split(command) if isinstance(command, str) else command)
            if command is not None
            else None
        ), service.name
        assert service.entrypoint == (tuple(entrypoint) if entrypoint else None), service.name
        assert dict(service.environment) == their.get("environment", {}), service.name
        assert dict(service.labels) == their.get("labels", {}), service.name
        assert {(p.target, p.published) for p in service.ports} == {
            (p["target"], p.get("published")) for p in their.get("ports", [])
        }, service.name
        assert {(m.source, m.target) for m in service.volumes} == {
            tuple(v.split(":")[:2]) for v in their.get("volumes", [])
        }, service.name
        context = service.build.context if service.build else None
        assert context == their.get("build", {}).get("context"), service.name
