"""Pure pieces of the shells screen: tab labels, pop-out arguments, the command parser."""

from __future__ import annotations

from datetime import UTC, datetime

from engine_adapters.models import Container, ContainerState
from tui.dialogs.shell_command import parse_command
from tui.widgets.shell_tabs import SessionSpec


def container(name: str = "web") -> Container:
    return Container(
        id="c0ffee" * 4,
        name=name,
        image="busybox",
        image_id="sha256:1",
        command="sh",
        state=ContainerState.RUNNING,
        status="Up",
        created=datetime(2026, 1, 1, tzinfo=UTC),
    )


def test_labels_name_the_program_and_how_it_ended() -> None:
    shell = SessionSpec(container(), "exec", ("/bin/bash",))
    assert shell.label() == "web bash"
    assert shell.label(finished=True, exit_code=3) == "web bash: exit 3"
    attach = SessionSpec(container(), "attach")
    assert attach.label(finished=True, exit_code=None) == "web attach: detached"
    long = SessionSpec(container("a-very-long-container-name"), "exec", ("sh",))
    assert long.label() == "a-very-long-con… sh"


def test_pop_out_runs_the_same_thing_with_the_real_terminal_type() -> None:
    spec = SessionSpec(
        container(), "exec", ("sh",), user="0", env=(("TERM", "xterm-256color"), ("HOME", "/"))
    )
    cid = container().id
    assert spec.cli_args("screen-256color") == [
        "exec", "-it", "-u", "0", "-e", "TERM=screen-256color", "-e", "HOME=/", cid, "sh",
    ]  # fmt: skip
    assert SessionSpec(container(), "attach").cli_args("xterm") == ["attach", cid]


def test_commands_split_like_a_shell_and_reject_open_quotes() -> None:
    assert parse_command("sh -c 'echo a b'") == ("sh", "-c", "echo a b")
    assert parse_command("echo 'open") is None
    assert parse_command("   ") is None
