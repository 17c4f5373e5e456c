"""Every key of the UI pressed on real containers, on dockerd and on a throwaway native daemon."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.both_engines import docker_client, docker_url, engine

__all__ = ["docker_client", "docker_url", "engine"]


@pytest.fixture(autouse=True)
def isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads or writes the user's real config or themes; saved logs go to tmp_path."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    return tmp_path / "xdg" / "dockyard" / "config.toml"
