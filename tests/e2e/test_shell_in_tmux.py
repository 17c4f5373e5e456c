"""Shell tabs in a real terminal against dockerd: typing, vi, exit codes and the pop-out."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import docker
import pytest

from tests.e2e.tmux import TmuxSession
from tests.fixtures.docker import TEST_IMAGE, Resources

pytestmark = [pytest.mark.docker, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def container(docker_client: docker.DockerClient, res: Resources) -> str:
    name = res.container()
    docker_client.containers.run(TEST_IMAGE, ["sleep", "3600"], name=name, detach=True)
    return name


@pytest.fixture
def shells_in_tmux(container: str, tmp_path: Path) -> Iterator[TmuxSession]:
    command = [
        "env", f"XDG_CONFIG_HOME={tmp_path}", f"PYTHONPATH={ROOT}",
        sys.executable, "-m", "tests.e2e.shells_launcher", container,
    ]  # fmt: skip
    session = TmuxSession(command, width=100, height=30)
    yield session
    session.close()


def prompt_below(marker: str) -> Callable[[str], bool]:
    """The shell's prompt came back after `marker` was printed (the command has finished)."""

    def check(screen: str) -> bool:
        lines = [line.rstrip() for line in screen.splitlines()]
        hits = [i for i, line in enumerate(lines) if line == marker]
        return bool(hits) and any(line.endswith("#") for line in lines[hits[-1] + 1 :])

    return check


def leave_terminal(tmux: TmuxSession) -> None:
    """Ctrl+], then wait for the footer to drop the terminal's key: keys sent sooner may
    already be queued for the terminal (tmux types faster than any person). The key must be
    on show first, or a footer not yet redrawn for the terminal would pass the wait."""
    tmux.wait_for("Leave terminal")
    tmux.send("C-]")
    tmux.wait_for(lambda s: "Leave terminal" not in s)


def enter_terminal(tmux: TmuxSession) -> None:
    tmux.send("i")
    tmux.wait_for("Leave terminal")


def test_type_run_vi_and_exit_in_a_shell_tab(container: str, shells_in_tmux: TmuxSession) -> None:
    tmux = shells_in_tmux
    tmux.wait_for(lambda s: f"{container} sh" in s and "/ #" in s)

    tmux.type("echo hi-$((1+1))")
    tmux.send("Enter")
    tmux.wait_for(prompt_below("hi-2"))

    tmux.type("vi /tmp/e2e.txt")
    tmux.send("Enter")
    tmux.wait_for(lambda s: sum(line.startswith("~") for line in s.splitlines()) > 5)
    tmux.type("ivi-wrote-this")
    tmux.wait_for("vi-wrote-this")
    tmux.send("Escape")
    # An ESC followed at once by ":" reads as Alt+: to any terminal, so wait as a user
    # would until vi shows command mode ("-", was "I" while inserting).
    tmux.wait_for("- /tmp/e2e.txt [Modified]")
    tmux.type(":wq")
    tmux.send("Enter")
    tmux.wait_for(lambda s: "/ # vi /tmp/e2e.txt" in s and "~" not in s)
    tmux.type("cat /tmp/e2e.txt")
    tmux.send("Enter")
    tmux.wait_for(prompt_below("vi-wrote-this"))

    tmux.type("exit 3")
    tmux.send("Enter")
    # The tab's label follows the exit message by a frame.
    screen = tmux.wait_for(lambda s: "[exited with code 3]" in s and f"{container} sh: exit 3" in s)
    assert "Traceback" not in screen


def test_pop_out_gives_the_real_terminal_to_docker_exec_and_comes_back(
    container: str, shells_in_tmux: TmuxSession
) -> None:
    tmux = shells_in_tmux
    tmux.wait_for(lambda s: f"{container} sh" in s and "/ #" in s)
    tmux.type("echo in-pane")
    tmux.send("Enter")
    tmux.wait_for(prompt_below("in-pane"))

    leave_terminal(tmux)
    tmux.send("o")
    # The UI is suspended: the tab strip is gone and `docker exec -it` owns the terminal.
    tmux.wait_for(lambda s: f"{container} sh" not in s and "/ #" in s)
    tmux.type("echo popped-$((2+3))")
    tmux.send("Enter")
    tmux.wait_for(prompt_below("popped-5"))
    tmux.type("exit 7")
    tmux.send("Enter")

    # Back in the same place: the tab, its shell and what it showed are still there.
    screen = tmux.wait_for(lambda s: "exited (7)" in s and f"{container} sh" in s)
    assert "in-pane" in screen
    enter_terminal(tmux)
    tmux.type("echo back-$((1+2))")
    tmux.send("Enter")
    tmux.wait_for(prompt_below("back-3"))


def test_attach_in_a_tab_and_detach_by_closing_it(
    docker_client: docker.DockerClient, res: Resources, tmp_path: Path
) -> None:
    name = res.container()
    docker_client.containers.run(
        TEST_IMAGE, ["sh"], name=name, detach=True, tty=True, stdin_open=True
    )
    command = [
        "env", f"XDG_CONFIG_HOME={tmp_path}", f"PYTHONPATH={ROOT}",
        sys.executable, "-m", "tests.e2e.shells_launcher", name, "--attach",
    ]  # fmt: skip
    tmux = TmuxSession(command, width=100, height=30)
    try:
        tmux.wait_for(f"{name} attach")
        tmux.send("Enter")  # an attached shell has already drawn its prompt: ask for another
        tmux.wait_for("/ #")
        tmux.type("echo attached-$((6*7))")
        tmux.send("Enter")
        tmux.wait_for(prompt_below("attached-42"))
        # Docker's Ctrl+P Ctrl+Q are Textual's palette and quit keys; closing the tab detaches.
        leave_terminal(tmux)
        tmux.send("x")
        tmux.wait_for("No shell sessions")
    finally:
        tmux.close()
    assert docker_client.api.inspect_container(name)["State"]["Running"]
