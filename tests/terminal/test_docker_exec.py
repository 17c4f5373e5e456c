"""The widget on real dockerd exec and attach sessions: typing, vi, resize, exit code, detach."""

from __future__ import annotations

import docker
import pytest

from engine_adapters.docker_engine import DockerEngine
from engine_adapters.models import RunSpec
from tests.fixtures.docker import TEST_IMAGE, Resources
from tests.terminal.conftest import TerminalApp, at_prompt, screen_rows, type_line, wait_for
from tui.terminal import TerminalView

pytestmark = pytest.mark.docker


async def test_exec_shell_in_the_widget(engine: DockerEngine, res: Resources) -> None:
    name = res.container()
    await engine.run(RunSpec(TEST_IMAGE, name=name, command=("sleep", "3600")))
    session = await engine.exec(name, ["sh"], tty=True, env={"PS1": "$ "}, size=(23, 80))
    app = TerminalApp(session)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            term = app.query_one(TerminalView)
            await wait_for(pilot, lambda: at_prompt(term), what="the container's prompt")
            await type_line(pilot, "echo in-con''tainer")
            await wait_for(pilot, lambda: "in-container" in screen_rows(term), what="echo")

            await type_line(pilot, "vi /tmp/notes")
            await wait_for(pilot, lambda: term.emulator.in_alt_screen, what="vi to start")
            await type_line(pilot, ":q!")
            await wait_for(pilot, lambda: not term.emulator.in_alt_screen, what="vi to end")
            assert "in-container" in screen_rows(term)

            await pilot.resize_terminal(100, 30)
            await wait_for(pilot, lambda: term.emulator.columns == 100, what="the resize")
            await type_line(pilot, "stty size")
            await wait_for(pilot, lambda: "29 100" in screen_rows(term), what="the new size")

            await type_line(pilot, "exit 3")
            await wait_for(pilot, lambda: app.exits == [3], what="the exit code", timeout=20)
            assert "[exited with code 3]" in screen_rows(term)
    finally:
        await session.close()


async def test_attach_then_detach_leaves_the_container_running(
    engine: DockerEngine, res: Resources, docker_client: docker.DockerClient
) -> None:
    name = res.container()
    spec = RunSpec(TEST_IMAGE, name=name, command=("sh",), tty=True, stdin_open=True)
    await engine.run(spec)
    session = await engine.attach(name)
    app = TerminalApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        term = app.query_one(TerminalView)
        await type_line(pilot, "echo attached-$((40+2))")
        await wait_for(pilot, lambda: "attached-42" in screen_rows(term), what="the echo")
        # Detach: the pane goes away and closes its session; the process lives on.
        await term.remove()
    assert docker_client.api.inspect_container(name)["State"]["Running"]
