"""A fleet named on the command line or in config.toml: entries, names, and one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from engine_adapters.errors import UnknownEngine
from engine_adapters.fleet import fleet_members
from tui.commands.ui import fleet_specs
from tui.config import Config

ENV = {"HOME": "/nonexistent", "DOCKYARD_SOCKET": "/run/dy-test/n.sock"}


def test_entries_become_named_members_and_an_engine_named_twice_is_listed_once() -> None:
    members = fleet_members(
        [
            "docker",
            "native",
            "lab=ssh://me@lab.example:2222",
            "unix:///tmp/rig/podman.sock",
            "unix:///var/run/docker.sock",  # dockerd again, by its URL
        ],
        ENV,
    )
    assert [m.label for m in members] == ["docker", "native", "lab", "podman"]
    assert [m.target.url for m in members][1:3] == [
        "unix:///run/dy-test/n.sock",
        "ssh://me@lab.example:2222",
    ]
    assert members[2].cli_flags == ("--host", "ssh://me@lab.example:2222")


def test_a_docker_context_is_reached_by_its_name(tmp_path: Path) -> None:
    meta = tmp_path / ".docker" / "contexts" / "meta" / "abc"
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(
        '{"Name": "edge", "Endpoints": {"docker": {"Host": "ssh://ops@edge"}}}'
    )
    (member,) = fleet_members(["edge"], {"HOME": str(tmp_path)})
    assert (member.label, member.cli_flags) == ("edge", ("--context", "edge"))


@pytest.mark.parametrize(
    ("entry", "said"),
    [
        ("nosuch", "fleet entry 'nosuch': unknown engine 'nosuch'"),
        ("gopher://x", "fleet entry 'gopher://x': unsupported engine URL scheme gopher://"),
        ("lab=", "fleet entry 'lab=' names no engine"),
    ],
)
def test_a_bad_entry_is_named_in_one_line(entry: str, said: str) -> None:
    with pytest.raises(UnknownEngine) as raised:
        fleet_members(["docker", entry], ENV)
    assert str(raised.value).startswith(said)
    assert "\n" not in str(raised.value)


def test_one_engine_is_not_a_fleet_and_the_config_fleet_applies_without_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "dockyard").mkdir()
    (tmp_path / "dockyard" / "config.toml").write_text('[fleet]\nengines = ["docker", "podman"]\n')
    assert fleet_specs(["native"]) is None
    assert fleet_specs(["docker", "native"]) == ["docker", "native"]
    assert fleet_specs([]) == ["docker", "podman"]
    assert Config.load(tmp_path / "dockyard" / "config.toml").fleet == ["docker", "podman"]


def run_dockyard(*args: str, config_home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"XDG_CONFIG_HOME": str(config_home), "HOME": str(config_home), "PATH": "/usr/bin"},
    )


def test_the_command_line_exits_2_with_one_line_for_a_bad_entry(tmp_path: Path) -> None:
    done = run_dockyard("--engine", "docker", "--engine", "nosuch", config_home=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("dockyard: fleet entry 'nosuch': unknown engine")
    assert done.stderr.count("\n") == 1


def test_a_config_fleet_that_is_not_a_list_exits_2_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "dockyard").mkdir()
    (tmp_path / "dockyard" / "config.toml").write_text('[fleet]\nengines = "docker"\n')
    done = run_dockyard(config_home=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().endswith("[fleet] engines must be a list of engine names or URLs")
    assert done.stderr.count("\n") == 1


def test_a_command_takes_one_engine_and_refuses_two_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nosuch\n")
    compose = ("compose", "-f", str(tmp_path / "compose.yaml"), "config")
    one = run_dockyard("--engine", "docker", *compose, config_home=tmp_path)
    assert one.returncode == 0, one.stderr
    assert "nosuch" in one.stdout
    two = run_dockyard("--engine", "docker", "--engine", "native", *compose, config_home=tmp_path)
    assert two.returncode == 2
    assert two.stderr == "dockyard: compose works on one --engine, not 2\n"
