"""`--engine` resolution, docker contexts, and the command line's errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from engine_adapters.discovery import discover, resolve
from engine_adapters.errors import UnknownEngine


def make_context(home: Path, name: str, host: str) -> None:
    meta = home / ".docker" / "contexts" / "meta" / name
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(
        json.dumps({"Name": name, "Metadata": {}, "Endpoints": {"docker": {"Host": host}}})
    )


def test_resolve_names_urls_and_contexts(tmp_path: Path) -> None:
    make_context(tmp_path, "prod", "ssh://admin@prod.example")
    env = {"HOME": str(tmp_path)}
    assert resolve("prod", env).url == "ssh://admin@prod.example"
    assert resolve("native", env).kind == "native"
    assert resolve("native", {**env, "DOCKYARD_SOCKET": "/tmp/x.sock"}).url == "unix:///tmp/x.sock"
    assert resolve("tcp://127.0.0.1:2375", env).url == "tcp://127.0.0.1:2375"
    assert resolve("docker", {**env, "DOCKER_HOST": "tcp://h:1"}).url == "tcp://h:1"
    with pytest.raises(UnknownEngine):
        resolve("nonsense", env)
    with pytest.raises(UnknownEngine):
        resolve("ftp://x", env)


def test_default_order_docker_host_then_current_context(tmp_path: Path) -> None:
    make_context(tmp_path, "remote", "tcp://10.0.0.1:2375")
    (tmp_path / ".docker" / "config.json").write_text(json.dumps({"currentContext": "remote"}))
    env = {"HOME": str(tmp_path)}
    assert resolve(None, {**env, "DOCKER_HOST": "unix:///a.sock"}).url == "unix:///a.sock"
    assert resolve(None, env).url == "tcp://10.0.0.1:2375"
    names = [t.name for t in discover(env, ssh_hosts=["ssh://me@box"])]
    assert names[0] == "remote" and "me@box" in names and names[-1] == "native"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args], capture_output=True, text=True, timeout=60
    )


def test_version_and_one_line_errors(tmp_path: Path) -> None:
    assert run_cli("--version").stdout.startswith("dockyard ")
    unknown = run_cli("--engine", "nonsense")
    assert unknown.returncode == 2
    assert unknown.stderr.count("\n") == 1 and "unknown engine" in unknown.stderr
    unreachable = run_cli("--engine", f"unix://{tmp_path}/none.sock")
    assert unreachable.returncode == 2
    assert unreachable.stderr.count("\n") == 1 and "Traceback" not in unreachable.stderr


def test_ssh_hosts_from_the_config_join_the_switcher(tmp_path: Path) -> None:
    from tui.config import Config

    config = tmp_path / "config.toml"
    config.write_text('[engines]\nssh = ["admin@prod.example", "ssh://me@box"]\n')
    hosts = Config.load(config).ssh_hosts
    assert hosts == ["ssh://admin@prod.example", "ssh://me@box"]
    names = [t.name for t in discover({"HOME": str(tmp_path)}, ssh_hosts=hosts)]
    assert "admin@prod.example" in names and "me@box" in names
