"""The shells screen on the real dockerd: typing, tabs, exit codes, users, attach, going away."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Callable
from pathlib import Path

import docker
import pytest
from textual.pilot import Pilot

from engine_adapters.docker_engine import DockerEngine
from tests.fixtures.docker import TEST_IMAGE, Resources
from tests.ui_shells.conftest import (
    BOOT_MARKER,
    ready_pane,
    screen_rows,
    type_line,
    wait_for,
)
from tests.ui_shells.host_app import HomeScreen, ShellsHostApp
from tui.dialogs.shell_command import ShellCommandDialog
from tui.screens.shells import (
    ShellsScreen,
    open_attach_for,
    open_shell_for,
    prompt_command_for,
    show_shells_for,
)
from tui.widgets.detail.log_panel import LogPanel
from tui.widgets.shell_tabs import StatsLine

pytestmark = pytest.mark.docker


async def test_a_shell_runs_typed_commands_beside_logs_and_stats(
    engine: DockerEngine, start_container: Callable[..., str]
) -> None:
    name = start_container()
    app = ShellsHostApp(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await ready_pane(pilot, await open_shell_for(app, name).wait())
        screen = app.screen
        assert isinstance(screen, ShellsScreen)
        assert screen.label_of(pane) == f"{name} sh"
        assert app.screen.focused is pane.terminal

        await type_line(pilot, "echo $((6*7))")
        await wait_for(pilot, lambda: "42" in screen_rows(pane.terminal), "the echo")

        logs = pane.query_one(LogPanel)
        await wait_for(pilot, lambda: BOOT_MARKER in logs.visible_text(), "the container's logs")
        stats = pane.query_one(StatsLine)
        await wait_for(pilot, lambda: "PIDS" in str(stats.content), "a stats sample")

        # 80x24: the logs sit under the terminal, which keeps the full width.
        assert pane.terminal.size.width == 80
        assert pane.terminal.region.bottom <= logs.region.y
        await pilot.resize_terminal(160, 40)
        await wait_for(pilot, lambda: pane.terminal.size.width < 160, "the side-by-side layout")
        assert logs.region.x >= pane.terminal.region.right


async def test_two_sessions_as_tabs_and_an_exit_code_in_the_tab(
    engine: DockerEngine, start_container: Callable[..., str]
) -> None:
    name = start_container()
    app = ShellsHostApp(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        first = await ready_pane(pilot, await open_shell_for(app, name).wait())
        await type_line(pilot, "echo first-$((1+1))")
        second = await ready_pane(pilot, await open_shell_for(app, name).wait())
        screen = app.screen
        assert isinstance(screen, ShellsScreen)
        assert screen.panes == [first, second]
        assert screen.active_pane is second and app.screen.focused is second.terminal

        # With the terminal focused the screen's keys are the shell's: x, ] and [ are typed.
        await type_line(pilot, "echo x[y]")
        await wait_for(pilot, lambda: "x[y]" in screen_rows(second.terminal), "the typed keys")
        assert screen.active_pane is second and len(screen.panes) == 2

        await pilot.press("ctrl+right_square_bracket")
        await wait_for(pilot, lambda: app.screen.focused is not second.terminal, "focus to leave")
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: screen.active_pane is first, "the previous tab")
        assert "first-2" in screen_rows(first.terminal)
        await pilot.press("i")
        await wait_for(
            pilot, lambda: app.screen.focused is first.terminal, "focus back in the terminal"
        )
        await type_line(pilot, "exit 3")
        await wait_for(pilot, lambda: screen.label_of(first).endswith("sh: exit 3"), "the code")
        assert "[exited with code 3]" in screen_rows(first.terminal)

        # The ended tab stays until closed, and the other session still runs.
        await pilot.press("ctrl+right_square_bracket", "right_square_bracket", "i")
        await wait_for(pilot, lambda: app.screen.focused is second.terminal, "the second terminal")
        await type_line(pilot, "echo still-$((2+2))")
        await wait_for(pilot, lambda: "still-4" in screen_rows(second.terminal), "the second")
        assert screen.panes == [first, second]

        # Closing an ended tab needs no confirmation; a running shell asks first.
        await pilot.press("ctrl+right_square_bracket", "left_square_bracket", "x")
        await wait_for(pilot, lambda: screen.panes == [second], "the ended tab to close")
        await pilot.press("x")
        await wait_for(pilot, lambda: app.screen is not screen, "the confirmation")
        await pilot.press("y")
        await wait_for(pilot, lambda: not screen.panes, "the running tab to close")
        assert screen.query_one("#shells-empty").display


async def test_a_user_without_a_passwd_entry_still_gets_a_shell(
    engine: DockerEngine, start_container: Callable[..., str]
) -> None:
    name = start_container(user="12345")
    app = ShellsHostApp(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await ready_pane(pilot, await open_shell_for(app, name).wait())
        await type_line(pilot, 'echo "u=$(id -u) home=$HOME term=$TERM"')
        expected = "u=12345 home=/ term=xterm-256color"
        await wait_for(pilot, lambda: expected in screen_rows(pane.terminal), "id -u")


async def test_a_user_deleted_from_passwd_falls_back_to_root_with_a_notice(
    engine: DockerEngine, docker_client: docker.DockerClient, res: Resources
) -> None:
    # Docker resolves a named user on every exec: once its passwd line is gone, an exec
    # without -u fails ("unable to find user ghost"), so the shell has to run as uid 0.
    name = res.container()
    container = docker_client.containers.create(
        TEST_IMAGE, ["sleep", "3600"], name=name, user="ghost"
    )
    container.put_archive("/etc", _tar("passwd", PASSWD_WITH_GHOST))
    container.start()
    assert container.exec_run(["sed", "-i", "/ghost/d", "/etc/passwd"], user="0").exit_code == 0
    app = ShellsHostApp(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await ready_pane(pilot, await open_shell_for(app, name).wait())
        assert pane.spec.user == "0"
        assert any("as root (uid 0)" in n.message for n in app._notifications)
        await type_line(pilot, 'echo "u=$(id -u)"')
        await wait_for(pilot, lambda: "u=0" in screen_rows(pane.terminal), "id -u")


PASSWD_WITH_GHOST = "root:x:0:0:root:/root:/bin/sh\nghost:x:2000:2000::/:/bin/sh\n"


def _tar(name: str, text: str) -> bytes:
    data = text.encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mode = 0o644
        archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


async def test_attach_then_detach_leaves_the_container_running(
    engine: DockerEngine, docker_client: docker.DockerClient, start_container: Callable[..., str]
) -> None:
    name = start_container(["sh"], tty=True, stdin_open=True)
    app = ShellsHostApp(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_attach_for(app, name).wait()
        assert pane is not None
        screen = app.screen
        assert isinstance(screen, ShellsScreen)
        assert screen.label_of(pane) == f"{name} attach"
        await type_line(pilot, "echo attached-$((40+2))")
        await wait_for(pilot, lambda: "attached-42" in screen_rows(pane.terminal), "the echo")
        # Closing an attach tab detaches without asking: nothing is lost.
        await pilot.press("ctrl+right_square_bracket", "x")
        await wait_for(pilot, lambda: not screen.panes, "the tab to close")
    assert docker_client.api.inspect_container(name)["State"]["Running"]


async def test_the_session_survives_switching_away_and_back(
    engine: DockerEngine, docker_client: docker.DockerClient, start_container: Callable[..., str]
) -> None:
    name = start_container()
    app = ShellsHostApp(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await ready_pane(pilot, await open_shell_for(app, name).wait())
        screen = app.screen
        assert isinstance(screen, ShellsScreen)
        wait_for_go = "until [ -e /tmp/go ]; do sleep 0.1; done"
        await type_line(pilot, f"X=kept-$((1+1)); {wait_for_go}; echo later-$((3+4))")
        await pilot.press("ctrl+right_square_bracket", "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")
        # Away from the screen, the shell keeps running and its output keeps arriving.
        assert "later-7" not in screen_rows(pane.terminal)
        docker_client.containers.get(name).exec_run(["touch", "/tmp/go"])
        await wait_for(pilot, lambda: "later-7" in screen_rows(pane.terminal), "output while away")
        assert pane.is_attached and not pane.terminal.finished

        assert await show_shells_for(app).wait() is screen
        assert screen.active_pane is pane
        assert app.screen is screen
        await pilot.press("i")
        await type_line(pilot, "echo $X")
        await wait_for(pilot, lambda: "kept-2" in screen_rows(pane.terminal), "the same shell")


async def test_a_typed_command_runs_instead_of_a_shell(
    engine: DockerEngine, start_container: Callable[..., str]
) -> None:
    name = start_container()
    app = ShellsHostApp(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        container = (await engine.inspect_container(name)).container
        prompt_command_for(app, container)
        await wait_for(pilot, lambda: isinstance(app.screen, ShellCommandDialog), "the dialog")
        await pilot.press(*"sh -c 'echo ran-$((5*5)); exit 4'", "tab", "1", "2", "3", "enter")
        screen = await _shells_screen(pilot)
        await wait_for(pilot, lambda: len(screen.panes) == 1, "the command's tab")
        pane = screen.panes[0]
        assert pane.spec.argv == ("sh", "-c", "echo ran-$((5*5)); exit 4")
        assert pane.spec.user == "123"
        await wait_for(pilot, lambda: screen.label_of(pane).endswith("sh: exit 4"), "the code")
        assert "ran-25" in screen_rows(pane.terminal)


async def test_failures_and_pop_out_limits_are_notified(
    engine: DockerEngine,
    start_container: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    name = start_container()
    app = ShellsHostApp(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        assert await open_shell_for(app, f"{name}-missing").wait() is None
        assert isinstance(app.screen, HomeScreen)
        assert _notified(app, "No such container") or _notified(app, "not found")

        await ready_pane(pilot, await open_shell_for(app, name).wait())
        await pilot.press("ctrl+right_square_bracket", "o")
        # Pilot has no real terminal to hand over: the pop-out says so instead of breaking.
        await wait_for(pilot, lambda: _notified(app, "needs a real terminal"), "the notice")

        monkeypatch.setenv("PATH", str(tmp_path))
        await pilot.press("o")
        await wait_for(pilot, lambda: _notified(app, "no `docker` is on PATH"), "the CLI notice")


async def _shells_screen(pilot: Pilot[None]) -> ShellsScreen:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ShellsScreen), "the shells screen")
    screen = pilot.app.screen
    assert isinstance(screen, ShellsScreen)
    return screen


def _notified(app: ShellsHostApp, text: str) -> bool:
    return any(text.lower() in str(n.message).lower() for n in app._notifications)


async def test_a_quiet_shell_outlives_the_engine_call_timeout(
    docker_url: str, start_container: Callable[..., str]
) -> None:
    engine = DockerEngine(docker_url, timeout=2)  # the same bug as the default 15 s, sooner
    app = ShellsHostApp(engine)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            pane = await ready_pane(pilot, await open_shell_for(app, start_container()).wait())
            await type_line(pilot, "sleep 3; echo woke-$((2*3))")
            await wait_for(
                pilot, lambda: "woke-6" in screen_rows(pane.terminal), "the echo", timeout=8
            )
            assert not pane.terminal.finished
    finally:
        await engine.close()
