"""`--init` on both engines: docker-init is PID 1, forwards signals and reaps orphans."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from native_runtime.containers import init_process
from tests.conftest import require
from tests.native.conftest import NativeDaemon, load_test_image, new_daemon, wait_for
from tests.native_cli.conftest import TEST_IMAGE, Cli, native_ready

# A subshell starts a sleep and exits at once: the sleep is orphaned to PID 1.
ORPHAN = "(sleep 0.2 &); exec sleep 1000"
PROCESSES = "for f in /proc/[0-9]*/stat; do cat $f 2>/dev/null && echo; done"


def _sleeps(cli: Cli, name: str) -> list[tuple[int, str]]:
    """(pid, state) of every `sleep` in the container, from /proc/<pid>/stat."""
    found = []
    for line in cli.out("exec", name, "sh", "-c", PROCESSES).splitlines():
        head, _, rest = line.rpartition(")")
        pid, _, comm = head.partition(" (")
        if comm == "sleep":
            found.append((int(pid), rest.split()[0]))
    return found


def test_docker_init_is_pid_1_in_front_of_the_command(cli: Cli) -> None:
    name = cli.name("init-pid1")
    cli.run("run", "-d", "--init", "--name", name, TEST_IMAGE, "sleep", "1000")
    cmdline = cli.out("exec", name, "cat", "/proc/1/cmdline")
    assert cmdline.split("\0") == ["/sbin/docker-init", "--", "sleep", "1000", ""]
    # Inspect still shows the command itself, as on dockerd.
    assert cli.out("inspect", "-f", "{{.Path}} {{.Args}} {{.HostConfig.Init}}", name) == (
        "sleep [1000] true"
    )


def test_stop_reaches_the_command_through_init(cli: Cli) -> None:
    """sleep as PID 1 ignores SIGTERM and is killed at the timeout (137); under init it
    gets the SIGTERM and init exits with 128 + 15."""
    with_init, without = cli.name("init-stop"), cli.name("no-init-stop")
    cli.run("run", "-d", "--init", "--name", with_init, TEST_IMAGE, "sleep", "1000")
    cli.run("run", "-d", "--name", without, TEST_IMAGE, "sleep", "1000")
    cli.run("stop", "-t", "20", with_init)
    cli.run("stop", "-t", "1", without)
    codes = [cli.out("inspect", "-f", "{{.State.ExitCode}}", n) for n in (with_init, without)]
    assert codes == ["143", "137"]


def test_exit_code_and_output_pass_through_init(cli: Cli) -> None:
    done = cli.run("run", "--rm", "--init", TEST_IMAGE, "sh", "-c", "echo hi; exit 3", check=False)
    assert (done.returncode, done.stdout) == (3, "hi\n")


def test_orphans_are_reaped_only_under_init(cli: Cli) -> None:
    with_init, without = cli.name("init-reap"), cli.name("no-init-reap")
    cli.run("run", "-d", "--init", "--name", with_init, TEST_IMAGE, "sh", "-c", ORPHAN)
    cli.run("run", "-d", "--name", without, TEST_IMAGE, "sh", "-c", ORPHAN)
    # Without init the orphan stays a zombie of `sleep 1000`, which never waits.
    wait_for(lambda: "Z" in [s for _, s in _sleeps(cli, without)], what="the control's zombie")
    # With init only `sleep 1000` is left: the orphan ended and was reaped.
    wait_for(lambda: len(_sleeps(cli, with_init)) == 1, what="the orphan to be reaped")
    assert [s for _, s in _sleeps(cli, with_init)] != ["Z"]


@pytest.fixture
def tini_missing(monkeypatch: pytest.MonkeyPatch) -> Iterator[NativeDaemon]:
    """A native daemon of its own whose init binary does not exist."""
    missing = native_ready()
    require(missing is None, missing or "")
    monkeypatch.setenv(init_process.BINARY_ENV, "/nonexistent/tini-static")
    daemon = new_daemon()
    try:
        daemon.start()
        load_test_image(daemon)
        yield daemon
    finally:
        daemon.destroy()


def test_init_without_tini_fails_at_create_naming_the_file(tini_missing: NativeDaemon) -> None:
    done = tini_missing.docker("create", "--init", TEST_IMAGE, "true", check=False)
    assert done.returncode != 0
    error = done.stderr.decode().strip()
    assert "/nonexistent/tini-static" in error and "\n" not in error
    assert tini_missing.out("ps", "-aq") == ""  # nothing was stored
