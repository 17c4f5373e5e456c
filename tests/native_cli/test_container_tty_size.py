"""A tty container's window size: the last of quick resizes wins, and it starts at the CLI's size.

conmon 2.1 parses only the first line of each read of its control FIFOs, so two
sizes written before it reads applied the first one twice and lost the second:
about one round in twenty-five of three back-to-back resizes ended at an older
size on the native engine (one in ten when two raced each other).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator

import docker
import pytest

from tests.native.pty_driver import PtySession
from tests.native_cli.conftest import TEST_IMAGE, Cli

ROUNDS = 10
SETTLE = 3.0  # how long a size that never arrives is waited for
# The container's own console: the pty its first process was started on.
CONSOLE_SIZE = ["sh", "-c", "stty size < /proc/1/fd/0"]


@pytest.fixture
def api(cli: Cli) -> Iterator[docker.APIClient]:
    client = docker.APIClient(base_url=cli.host)
    yield client
    client.close()


@pytest.fixture
def console(cli: Cli) -> str:
    """A detached tty container running a shell, as `docker run -dit ... sh`."""
    name = cli.name("tty-console")
    cli.run("run", "-dit", "--name", name, TEST_IMAGE, "sh")
    return name


def console_size(api: docker.APIClient, container: str) -> str:
    exec_id = api.exec_create(container, CONSOLE_SIZE)["Id"]
    output: bytes = api.exec_start(exec_id)
    return output.decode().strip()


def settled_size(api: docker.APIClient, container: str, want: str) -> str:
    """The console's size once it is `want`, else the size it kept."""
    deadline = time.monotonic() + SETTLE
    while (seen := console_size(api, container)) != want and time.monotonic() < deadline:
        time.sleep(0.05)
    return seen


def round_sizes(n: int) -> list[tuple[int, int]]:
    """Three sizes, all different from each other and from the previous round's."""
    return [(24 + n, 80 + n), (33 + n, 111 + n), (41 + n, 123 + n)]


def as_stty(size: tuple[int, int]) -> str:
    return f"{size[0]} {size[1]}"


def lost_rounds(
    api: docker.APIClient, container: str, send: Callable[[list[tuple[int, int]]], None]
) -> list[tuple[str, str]]:
    """(wanted, seen) for each of ROUNDS rounds whose last size did not stick."""
    lost = []
    for n in range(ROUNDS):
        sizes = round_sizes(n)
        send(sizes)
        want = as_stty(sizes[-1])
        seen = settled_size(api, container, want)
        if seen != want:
            lost.append((want, seen))
    return lost


def test_three_quick_resizes_leave_the_last_size(
    cli: Cli, api: docker.APIClient, console: str
) -> None:
    def back_to_back(sizes: list[tuple[int, int]]) -> None:
        for height, width in sizes:
            api.resize(console, height, width)

    assert lost_rounds(api, console, back_to_back) == [], cli.engine


def test_racing_resizes_then_one_more_leave_the_last_size(
    cli: Cli, api: docker.APIClient, console: str
) -> None:
    """Two resizes at once (a TUI's burst), then a third once both were answered."""

    def racing(sizes: list[tuple[int, int]]) -> None:
        racers = [threading.Thread(target=api.resize, args=(console, *size)) for size in sizes[:-1]]
        for racer in racers:
            racer.start()
        for racer in racers:
            racer.join()
        api.resize(console, *sizes[-1])

    assert lost_rounds(api, console, racing) == [], cli.engine


def test_size_sent_right_after_start_is_the_size(cli: Cli, api: docker.APIClient) -> None:
    """What `docker run -t` does through the API: create with a tty, start, resize at once."""
    for n in range(3):
        name = cli.name(f"tty-initial-{n}")
        api.create_container(TEST_IMAGE, "sh", tty=True, stdin_open=True, name=name)
        api.start(name)
        api.resize(name, 37 + n, 101 + n)
        want = as_stty((37 + n, 101 + n))
        assert settled_size(api, name, want) == want, cli.engine


def test_resize_of_a_container_that_is_not_running_conflicts(
    cli: Cli, api: docker.APIClient
) -> None:
    name = cli.name("tty-created")
    api.create_container(TEST_IMAGE, "sh", tty=True, stdin_open=True, name=name)
    with pytest.raises(docker.errors.APIError) as raised:
        api.resize(name, 30, 100)
    assert raised.value.response is not None
    assert raised.value.response.status_code == 409, cli.engine


def _cli_env(cli: Cli) -> dict[str, str]:
    env = dict(os.environ, DOCKER_HOST=cli.host)
    env.pop("DOCKER_CONTEXT", None)
    return env


def test_docker_run_it_starts_at_the_terminal_size(cli: Cli) -> None:
    name = cli.name("tty-run-it")
    session = PtySession(
        ["docker", "run", "-it", "--name", name, TEST_IMAGE, "sh"], _cli_env(cli), rows=37, cols=101
    )
    session.expect(b"# ")
    session.send(b"stty size\n")
    session.expect(b"37 101")
    session.send(b"exit\n")
    assert session.wait() == 0


def test_docker_attach_brings_the_terminal_size(cli: Cli, console: str) -> None:
    session = PtySession(["docker", "attach", console], _cli_env(cli), rows=29, cols=97)
    session.send(b"stty size\n")
    session.expect(b"29 97")
    session.send(b"\x10\x11")  # ctrl-p ctrl-q: detach, the shell runs on
    # The CLI reports "read escape sequence" and exits 1 on both engines.
    assert session.wait() == 1
