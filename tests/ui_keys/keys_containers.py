"""The key walk's checks for the containers view and the shells screen it opens."""

from __future__ import annotations

import docker

from tests.ui_keys.walk import Walk, effect
from tui.dialogs.compose import ComposeDownDialog
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.prompt import PromptDialog
from tui.dialogs.shell_command import ShellCommandDialog
from tui.screens.shells import ShellsScreen
from tui.terminal import TerminalView


# the containers view -----------------------------------------------------------------------
async def container_id(w: Walk) -> str:
    return str(w.client.containers.get(w.container).id)


@effect("containers.mark")
async def _mark_container(w: Walk) -> None:
    cid = await container_id(w)
    table = w.main.containers_table
    await w.press("containers.mark")
    await w.until(lambda: cid in table.marked)
    await w.select("containers", w.container, cid)
    await w.press("containers.mark")
    await w.until(lambda: cid not in table.marked)


@effect("containers.stop", "containers.start")
async def _stop_start(w: Walk) -> None:
    await w.press("containers.stop")
    await w.until(lambda: w.is_("exited"))
    await w.press("containers.start")
    await w.until(lambda: w.is_("running"))


@effect("containers.restart")
async def _restart(w: Walk) -> None:
    started = w.attrs()["State"]["StartedAt"]  # type: ignore[index]
    await w.press("containers.restart")
    await w.until(
        lambda: w.state() == "running" and w.attrs()["State"]["StartedAt"] != started  # type: ignore[index]
    )


@effect("containers.pause")
async def _pause(w: Walk) -> None:
    await w.press("containers.pause")
    await w.until(lambda: w.is_("paused"))
    await w.press("containers.pause")
    await w.until(lambda: w.is_("running"))


@effect("containers.kill")
async def _kill(w: Walk) -> None:
    await w.press("containers.kill")
    await w.until(lambda: w.is_("exited"))
    await w.press("containers.start")
    await w.until(lambda: w.is_("running"))


@effect("containers.connect", "containers.disconnect")
async def _connect(w: Walk) -> None:
    def networks() -> dict[str, object]:
        return dict(w.attrs()["NetworkSettings"]["Networks"])  # type: ignore[index]

    await w.press("containers.connect")
    await w.on_screen(PromptDialog)
    await w.type(w.network)
    await w.pilot.press("enter")
    await w.until(lambda: w.network in networks() or w.notified("error"))
    assert w.network in networks(), w.describe()
    await w.press("containers.disconnect")
    await w.on_screen(PromptDialog)
    await w.type(w.network)
    await w.pilot.press("enter")
    await w.until(lambda: w.network not in networks())


@effect("containers.exec_command")
async def _exec_command(w: Walk) -> None:
    await w.press("containers.exec_command")
    await w.on_screen(ShellCommandDialog)
    await w.back_to_main()


@effect("containers.attach")
async def _attach(w: Walk) -> None:
    await w.press("containers.attach")
    await w.on_screen(ShellsScreen)
    screen = w.app.screen
    assert isinstance(screen, ShellsScreen)
    await w.until(lambda: any(p.spec.kind == "attach" for p in screen.panes))
    await w.pilot.press("ctrl+right_square_bracket")
    await w.until(lambda: not isinstance(screen.focused, TerminalView))
    await w.press("shells.close_tab")  # closing an attach detaches at once
    await w.until(lambda: not any(p.spec.kind == "attach" for p in screen.panes))
    await w.press("shells.back")
    await w.until(lambda: w.app.screen is w.main)


@effect(
    "containers.exec",
    "shells.focus_terminal",
    "shells.close_tab",
    "shells.next_tab",
    "shells.prev_tab",
    "shells.popout",
    "shells.back",
    "shells.new_shell",
    "shells.zoom",
)
async def _shells(w: Walk) -> None:
    await w.press("containers.exec")
    await w.on_screen(ShellsScreen)
    screen = w.app.screen
    assert isinstance(screen, ShellsScreen)
    await w.until(lambda: len(screen.panes) == 1 and screen.active_pane is not None)
    await w.pilot.press("ctrl+right_square_bracket")
    await w.until(lambda: not isinstance(screen.focused, TerminalView))
    await w.press("shells.zoom")
    await w.until(lambda: screen.has_class("-zoomed"))
    await w.press("shells.zoom")
    await w.until(lambda: not screen.has_class("-zoomed"))
    await w.press("shells.new_shell")
    await w.until(lambda: len(screen.panes) == 2)
    await w.pilot.press("ctrl+right_square_bracket")
    second = screen.active_pane
    await w.press("shells.prev_tab")
    await w.until(lambda: screen.active_pane is not second)
    await w.press("shells.next_tab")
    await w.until(lambda: screen.active_pane is second)
    await w.press("shells.focus_terminal")
    await w.until(lambda: isinstance(screen.focused, TerminalView))
    await w.pilot.press("ctrl+right_square_bracket")
    await w.press("shells.popout")  # no terminal to hand over under Pilot: it says so
    await w.until(lambda: w.notified("pop"))
    await w.press("shells.close_tab")
    await w.on_screen(ConfirmDialog)  # the shell still runs: asked first
    await w.pilot.press("y")
    await w.until(lambda: len(screen.panes) == 1)
    await w.press("shells.back")
    await w.until(lambda: w.app.screen is w.main)


@effect("containers.project_logs")
async def _project_logs(w: Walk) -> None:
    await w.press("containers.project_logs")
    await w.until(lambda: w.main.detail.logs.title == f"{w.project} (merged)")


@effect("containers.compose_up")
async def _compose_up(w: Walk) -> None:
    await w.press("containers.compose_up")  # labels only, no file: it says what it cannot do
    await w.until(lambda: w.notified("cannot bring up"))


@effect("containers.compose_down")
async def _compose_down(w: Walk) -> None:
    await w.press("containers.compose_down")
    await w.on_screen(ComposeDownDialog)
    await w.back_to_main()


@effect("containers.compose_restart")
async def _compose_restart(w: Walk) -> None:
    started = w.attrs()["State"]["StartedAt"]  # type: ignore[index]
    await w.press("containers.compose_restart")
    await w.until(lambda: w.notified(w.project, "restarted"))
    assert w.state() == "running"
    assert w.attrs()["State"]["StartedAt"] != started  # type: ignore[index]


@effect("containers.compose_pull")
async def _compose_pull(w: Walk) -> None:
    await w.press("containers.compose_pull")
    await w.until(lambda: w.notified("cannot pull"))


@effect("containers.remove")
async def _remove(w: Walk) -> None:
    await w.press("containers.remove")
    await w.on_screen(ConfirmDialog)
    await w.back_to_main()
    assert w.state() == "running"
    await w.press("containers.remove")
    await w.on_screen(ConfirmDialog)
    await w.pilot.press("y")

    def gone() -> bool:
        try:
            w.client.containers.get(w.container)
        except docker.errors.NotFound:
            return True
        return False

    await w.until(gone)
