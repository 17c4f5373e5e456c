"""A started container's command runs at once and its end is reported whole, on both engines.

The native engine lets a created container's process go through runc's exec FIFO
itself (no `runc start`), and starts an exec's command before the hijacked stream's
first byte may be sent; these are the behaviours a user sees of both.
"""

from __future__ import annotations

from pathlib import Path

import docker

from tests.native_cli.conftest import TEST_IMAGE, Cli


def test_a_started_container_runs_its_command_not_runc_init(cli: Cli) -> None:
    name = cli.name("released")
    cli.run("run", "-d", "--name", name, TEST_IMAGE, "sleep", "1000")
    running, pid = cli.out("inspect", "-f", "{{.State.Running}} {{.State.Pid}}", name).split()
    assert running == "true"
    # The host's view of the container's PID 1: the command, not a runc init waiting to go.
    assert Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") == [b"sleep", b"1000", b""]
    assert "sleep 1000" in cli.out("top", name)
    cli.run("pause", name)
    cli.run("unpause", name)
    assert cli.ok(name, "true")


def test_quick_exits_keep_their_code_and_both_streams(cli: Cli) -> None:
    """The command may end before the start is answered; nothing of its end is lost."""
    for _ in range(5):
        done = cli.run(
            "run", "--rm", TEST_IMAGE, "sh", "-c", "echo out; echo err >&2; exit 7", check=False
        )
        assert (done.returncode, done.stdout, done.stderr) == (7, "out\n", "err\n")


def test_a_created_container_starts_again_after_its_exit(cli: Cli) -> None:
    name = cli.name("again")
    cli.run("create", "--name", name, TEST_IMAGE, "sh", "-c", "echo ran; exit 4")
    for _ in range(3):
        done = cli.run("start", "-a", name, check=False)
        assert (done.returncode, done.stdout) == (4, "ran\n")
    assert cli.out("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", name) == "exited 4"


def test_exec_output_written_at_once_arrives_whole(cli: Cli) -> None:
    name = cli.name("exec-now")
    cli.run("run", "-d", "--name", name, TEST_IMAGE, "sleep", "1000")
    for _ in range(3):
        done = cli.run("exec", name, "sh", "-c", "echo now; echo then >&2; exit 5", check=False)
        assert (done.returncode, done.stdout, done.stderr) == (5, "now\n", "then\n")
    assert cli.run("exec", name, "true", check=False).returncode == 0


def test_logs_read_right_behind_start_hold_a_quick_commands_output(cli: Cli) -> None:
    """create, start, logs at once, as docker-py's build tests do: `ls` has printed by then.
    Through the SDK, since the CLI's own start-up between the calls would hide the race."""
    sdk = docker.APIClient(base_url=cli.host, version="1.41")
    try:
        for _ in range(30):
            made = sdk.create_container(TEST_IMAGE, ["ls", "-a", "/"])
            try:
                sdk.start(made)
                listed = sdk.logs(made).split()
                assert b"bin" in listed and b"proc" in listed, listed
            finally:
                sdk.remove_container(made, force=True)
    finally:
        sdk.close()
