"""KeptFiles: a stats pass's files opened once, read again from the start, closed when unread."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine_adapters.docker_engine import cgroup_files
from engine_adapters.docker_engine.cgroup_files import KEEP_PASSES, KeptFiles


@pytest.fixture(autouse=True)
def budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(KeptFiles, "budget", 8)


@pytest.fixture
def opens(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths opened from now on."""
    opened: list[str] = []
    real_open = os.open

    def counting(path: str, flags: int, *args: int) -> int:
        opened.append(path)
        return real_open(path, flags, *args)

    monkeypatch.setattr(cgroup_files.os, "open", counting)
    return opened


def test_a_kept_file_is_opened_once_and_read_afresh_each_time(
    tmp_path: Path, opens: list[str]
) -> None:
    counter = tmp_path / "cpuacct.usage"
    counter.write_text("100\n")
    files = KeptFiles()
    assert files.read(str(counter)) == "100\n"
    with counter.open("r+") as f:  # the same file, new content, as a cgroup file changes
        f.write("205\n")
    files.end_pass()
    assert files.read(str(counter)) == "205\n"
    assert opens == [str(counter)]
    files.close()


def test_past_the_budget_of_all_engines_files_are_opened_each_time(
    tmp_path: Path, opens: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(KeptFiles, "budget", 3)
    paths = [tmp_path / f"f{n}" for n in range(4)]
    for path in paths:
        path.write_text("1")
    docker, native = KeptFiles(), KeptFiles()
    for _ in range(2):
        for path in paths[:2]:
            assert docker.read(str(path)) == "1"
        for path in paths[2:]:
            assert native.read(str(path)) == "1"
        docker.end_pass()
        native.end_pass()
    assert len(docker) + len(native) == 3
    assert opens.count(str(paths[3])) == 2 and opens.count(str(paths[0])) == 1
    docker.close()
    native.close()


def test_files_no_pass_reads_are_closed_and_a_failed_read_drops_its_file(
    tmp_path: Path,
) -> None:
    stopped, running = tmp_path / "stopped", tmp_path / "running"
    stopped.write_text("1")
    running.write_text("2")
    files = KeptFiles()
    files.read(str(stopped))
    for _ in range(KEEP_PASSES + 1):
        files.read(str(running))
        files.end_pass()
    assert len(files) == 1

    # A directory can be opened but not read: as a removed cgroup's file, the read fails.
    with pytest.raises(OSError):
        files.read(str(tmp_path))
    assert len(files) == 1
    files.close()
    assert len(files) == 0
    assert files.read(str(running)) == "2"  # after close, by path
