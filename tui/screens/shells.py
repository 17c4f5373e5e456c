"""The shells screen: exec and attach sessions as tabs, each beside its container's logs and stats.

The screen is installed once in the app under the name `shells`, so popping it
(going back to the main screen) keeps every tab, terminal and stream alive.

Hooks for the main screen (each returns the Worker that opens the tab)::

    open_shell_for(app, container)             # first of bash, sh, ash
    open_shell_for(app, container, ["top"])    # a command instead of a shell
    prompt_command_for(app, container)         # asks for the command (and user) first
    open_attach_for(app, container)            # the main process of a `-it` container
    show_shells_for(app)                       # just switch to the screen

`container` is a `Container` or an id/name; `app.engine` is used unless `engine=` is given.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Sequence
from typing import Any, ClassVar, Protocol, cast

from textual.app import App, ComposeResult, SuspendNotSupported
from textual.binding import BindingType
from textual.widgets import Static, TabbedContent, Tabs
from textual.worker import Worker

from engine_adapters.errors import EngineError
from engine_adapters.models import Container
from engine_adapters.protocol import Engine, ExecSession
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.shell_command import ShellCommand, ShellCommandDialog
from tui.keymap import action_name, bindings_for, run_spec
from tui.screens.covering import CoveringScreen
from tui.terminal import TerminalView, run_suspended
from tui.terminal.popout import docker_cli_argv, run_argv
from tui.widgets.bars.key_bar import KeyBar
from tui.widgets.shell_tabs import SessionSpec, ShellPane
from tui.widgets.worker_errors import ReportsWorkerErrors, report_error

SCREEN_NAME = "shells"
WIDE_AT = 120
"""From this many columns the logs sit beside the terminal instead of under it."""

NO_SESSIONS = (
    "No shell sessions. On the main screen select a running container and press e (shell), "
    "X (a command) or a (attach). Esc goes back."
)

TAB_ACTIONS = frozenset(
    {"close_tab", "next_tab", "prev_tab", "focus_terminal", "new_shell", "popout", "zoom"}
)


class ShellsScreen(ReportsWorkerErrors, CoveringScreen):
    """Tabs of sessions; screen keys act once Ctrl+] has taken focus out of the terminal."""

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("shells")

    DEFAULT_CSS = """
    ShellsScreen #shells-empty { padding: 1 2; color: $text-muted; }
    ShellsScreen TabbedContent { height: 1fr; }
    ShellsScreen TabbedContent > ContentSwitcher { height: 1fr; }
    ShellsScreen.-wide ShellPane > .shell-body { layout: horizontal; }
    ShellsScreen.-wide ShellPane .shell-side {
        height: 1fr; width: 40%; border-left: vkey $panel-lighten-2;
    }
    ShellsScreen.-wide ShellPane .shell-side LogPanel #log-status { display: block; }
    ShellsScreen.-zoomed ShellPane .shell-side { display: none; }
    """

    def __init__(self) -> None:
        super().__init__(name=SCREEN_NAME)
        self._serial = 0

    def compose(self) -> ComposeResult:
        yield Static(NO_SESSIONS, id="shells-empty")
        yield TabbedContent(id="shell-tabs")
        yield KeyBar()

    def on_mount(self) -> None:
        self._show_empty()

    def on_resize(self) -> None:
        self.set_class(self.size.width >= WIDE_AT, "-wide")

    # sessions -----------------------------------------------------------------------
    @property
    def tabs(self) -> TabbedContent:
        return self.query_one(TabbedContent)

    @property
    def panes(self) -> list[ShellPane]:
        return list(self.query(ShellPane))

    @property
    def active_pane(self) -> ShellPane | None:
        pane = self.tabs.active_pane
        return pane if isinstance(pane, ShellPane) else None

    async def add_session(
        self, spec: SessionSpec, session: ExecSession, engine: Engine
    ) -> ShellPane:
        """A new tab running `session`, made active with its terminal focused."""
        self._serial += 1
        pane = ShellPane(spec, session, engine, id=f"shell-{self._serial}")
        await self.tabs.add_pane(pane)
        self.tabs.active = pane.id or ""
        self._show_empty()
        pane.terminal.focus()
        return pane

    async def close_pane(self, pane: ShellPane) -> None:
        """Removing the pane closes its session: an exec ends, an attach detaches."""
        await self.tabs.remove_pane(pane.id or "")
        self._show_empty()
        self._focus_tab_strip()

    def _show_empty(self) -> None:
        empty = not self.panes
        self.query_one("#shells-empty").display = empty
        self.tabs.display = not empty
        self.refresh_bindings()

    def _focus_tab_strip(self) -> None:
        if self.panes:
            self.tabs.query_one(Tabs).focus()

    def label_of(self, pane: ShellPane) -> str:
        return self.tabs.get_tab(pane).label_text

    # messages up from the terminals ------------------------------------------------------
    def on_terminal_view_exited(self, message: TerminalView.Exited) -> None:
        pane = _pane_of(message.terminal)
        if pane is not None:
            self.tabs.get_tab(pane).label = pane.spec.label(True, message.exit_code)
            self.refresh_bindings()

    def on_terminal_view_focus_released(self, message: TerminalView.FocusReleased) -> None:
        # The tab strip, not the logs: its left/right switch tabs and our keys work from there.
        self.call_after_refresh(self._focus_tab_strip)

    # actions ------------------------------------------------------------------------
    async def action_act(self, spec_id: str) -> None:
        await run_spec(self, spec_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        action = action_name(action, parameters)
        if action in TAB_ACTIONS and self.active_pane is None:
            return None
        # The terminal gets these keys until Ctrl+]; hiding them leaves the footer
        # showing the one key that matters there.
        return not (isinstance(self.focused, TerminalView) and action in TAB_ACTIONS | {"back"})

    def action_close_tab(self) -> None:
        pane = self.active_pane
        if pane is None:
            return
        if pane.spec.kind == "attach" or pane.finished:
            self.run_worker(self.close_pane(pane), group="close-tab")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_worker(self.close_pane(pane), group="close-tab")

        body = (
            f"{pane.spec.program} in {pane.spec.container.name} is still running; closing ends it."
        )
        self.app.push_screen(ConfirmDialog("Close this shell?", body, yes="Close"), answered)

    def action_next_tab(self) -> None:
        self.tabs.query_one(Tabs).action_next_tab()
        self._focus_tab_strip()

    def action_prev_tab(self) -> None:
        self.tabs.query_one(Tabs).action_previous_tab()
        self._focus_tab_strip()

    def action_focus_terminal(self) -> None:
        pane = self.active_pane
        if pane is not None:
            pane.terminal.focus()

    def action_new_shell(self) -> None:
        pane = self.active_pane
        if pane is not None:
            open_shell_for(self.app, pane.spec.container, engine=pane.engine)

    def action_zoom(self) -> None:
        self.toggle_class("-zoomed")

    def action_back(self) -> None:
        if self.is_current and len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def action_popout(self) -> None:
        """The same program on the real terminal through `docker exec -it` (or `docker attach`)."""
        pane = self.active_pane
        if pane is None:
            return
        if shutil.which("docker") is None:
            self.notify(
                "Pop-out runs the docker CLI, and no `docker` is on PATH. "
                "Install the docker CLI, or use the in-pane terminal.",
                title="Cannot pop out",
                severity="error",
                timeout=8,
            )
            return
        spec = pane.spec
        argv = docker_cli_argv(pane.engine.endpoint, *spec.cli_args(os.environ.get("TERM")))
        try:
            code = run_suspended(self.app, run_argv(argv))
        except SuspendNotSupported:
            self.notify("Pop-out needs a real terminal", severity="warning")
            return
        except OSError as error:
            self.notify(f"Cannot run docker: {error.strerror}", severity="error")
            return
        what = "Detached from" if spec.kind == "attach" else f"{spec.program} exited ({code}) in"
        self.notify(f"{what} {spec.container.name}; back in Dockyard", timeout=4)


def _pane_of(terminal: TerminalView) -> ShellPane | None:
    for node in terminal.ancestors:
        if isinstance(node, ShellPane):
            return node
    return None


# choosing what to run ------------------------------------------------------------------------
TERM_NAME = "xterm-256color"
PROBE_TIMEOUT = 10.0
# One round trip answers three questions: which shell exists, whether the engine set
# HOME (it does not for a user without a passwd entry on every engine), and, by its
# error text, whether the container's user can be resolved at all.
PROBE = (
    'for s in bash sh ash; do command -v "$s" >/dev/null 2>&1 && { echo "shell=$s"; break; }; '
    'done; echo "home=${HOME:-}"'
)
SHELLS = ("bash", "sh", "ash")
NO_USER_MARKERS = ("unable to find user", "no matching entries in passwd")


class NoShell(EngineError):
    """The container has none of the shells we try (or does not answer)."""


async def resolve(engine: Engine, container: Container | str) -> Container:
    if isinstance(container, Container):
        return container
    details = await engine.inspect_container(container)
    return details.container


async def _run_quiet(
    engine: Engine, ref: str, argv: Sequence[str], user: str | None
) -> tuple[int | None, str]:
    """Runs a short command without a tty; its exit code and merged output."""
    session = await engine.exec(ref, list(argv), tty=False, user=user)
    try:
        chunks = []
        while data := await session.read():
            chunks.append(data)
        code = await session.wait()
    finally:
        await session.close()
    return code, b"".join(chunks).decode(errors="replace")


async def _probe(
    engine: Engine, ref: str, argv: Sequence[str], user: str | None
) -> tuple[int | None, str]:
    try:
        return await asyncio.wait_for(_run_quiet(engine, ref, argv, user), PROBE_TIMEOUT)
    except TimeoutError as error:
        raise NoShell(f"the container did not answer within {PROBE_TIMEOUT:.0f}s") from error


async def plan_exec(
    engine: Engine,
    container: Container,
    command: Sequence[str] | None = None,
    user: str | None = None,
) -> tuple[SessionSpec, str | None]:
    """The argv, user and env a tab runs, and a note for the user when we had to run as root."""
    note = None
    code, output = await _probe(engine, container.id, ["sh", "-c", PROBE], user)
    if user is None and code != 0:
        # sh did not start: either there is none, or the engine refuses the container's
        # user (a named user without a passwd entry; dockerd may even lose that message).
        # If root can run it, the user was the problem.
        root_code, root_output = await _probe(engine, container.id, ["sh", "-c", PROBE], "0")
        if root_code == 0:
            why = (
                "its user has no passwd entry"
                if any(marker in output for marker in NO_USER_MARKERS)
                else f"sh would not start as its user (exit {code})"
            )
            note = f"{container.name}: {why}, so this runs as root (uid 0)"
            user, code, output = "0", root_code, root_output
    answers = dict(
        line.split("=", 1) for line in output.splitlines() if line.startswith(("shell=", "home="))
    )
    env = {"TERM": TERM_NAME}
    if code == 0 and not answers.get("home"):
        env["HOME"] = "/"
    if command:
        argv = tuple(command)
    elif answers.get("shell"):
        argv = (answers["shell"],)
    else:
        argv = (await _first_runnable(engine, container, user),)
    return SessionSpec(container, "exec", argv, user, tuple(env.items())), note


async def _first_runnable(engine: Engine, container: Container, user: str | None) -> str:
    """Without `sh` the probe cannot run: try each shell by itself."""
    for shell in SHELLS:
        code, _ = await _probe(engine, container.id, [shell, "-c", "exit 0"], user)
        if code == 0:
            return shell
    raise NoShell(f"{container.name} has no shell ({', '.join(SHELLS)}); run a command instead")


# opening sessions ---------------------------------------------------------------------------
def shells_screen(app: App[Any]) -> ShellsScreen:
    """The app's one shells screen, installed on first use so it outlives being popped."""
    if not app.is_screen_installed(SCREEN_NAME):
        app.install_screen(ShellsScreen(), SCREEN_NAME)
    return cast(ShellsScreen, app.get_screen(SCREEN_NAME))


async def show_shells(app: App[Any]) -> ShellsScreen:
    screen = shells_screen(app)
    if app.screen is screen:
        return screen
    if screen in app.screen_stack:
        while app.screen is not screen:
            await app.pop_screen()
    else:
        await app.push_screen(screen)
    return screen


class EngineHost(Protocol):
    engine: Engine


def engine_of(app: App[Any]) -> Engine:
    """The engine of the app hosting the shells (DockyardApp, or a test's host app)."""
    return cast("EngineHost", app).engine


def _pane_size(app: App[Any]) -> tuple[int, int]:
    """A first guess at the pane's rows and columns; the widget sends the real size on mount."""
    return max(5, app.size.height - 11), max(20, app.size.width)


async def open_shell(
    app: App[Any],
    engine: Engine,
    container: Container | str,
    command: Sequence[str] | None = None,
    user: str | None = None,
) -> ShellPane | None:
    """A tab running the first shell that exists (or `command`); None, with a notice, if not."""
    name = container if isinstance(container, str) else container.name
    try:
        target = await resolve(engine, container)
        spec, note = await plan_exec(engine, target, command, user)
        session = await engine.exec(
            target.id,
            list(spec.argv),
            tty=True,
            user=spec.user,
            env=dict(spec.env),
            size=_pane_size(app),
        )
    except EngineError as error:
        report_error(app, error, title=f"Cannot open a shell in {name}")
        return None
    if note:
        app.notify(note, severity="warning", timeout=6)
    screen = await show_shells(app)
    return await screen.add_session(spec, session, engine)


async def open_attach(
    app: App[Any], engine: Engine, container: Container | str
) -> ShellPane | None:
    """A tab attached to the container's main process; closing the tab detaches."""
    name = container if isinstance(container, str) else container.name
    try:
        target = await resolve(engine, container)
        session = await engine.attach(target.id)
    except EngineError as error:
        report_error(app, error, title=f"Cannot attach to {name}")
        return None
    if session.tty:
        app.notify(
            f"Attached to {target.name}: Enter shows its prompt. Closing the tab "
            "(Ctrl+] then x) detaches and leaves it running",
            timeout=6,
        )
    else:
        app.notify(
            f"{target.name} has no terminal (not started with -t): output and typed lines only",
            severity="warning",
            timeout=6,
        )
    screen = await show_shells(app)
    return await screen.add_session(SessionSpec(target, "attach"), session, engine)


def open_shell_for(
    app: App[Any],
    container: Container | str,
    command: Sequence[str] | None = None,
    user: str | None = None,
    engine: Engine | None = None,
) -> Worker[ShellPane | None]:
    """Key `e` (shell) and `X` (command) on the main screen call this."""
    work = open_shell(app, engine or engine_of(app), container, command, user)
    return app.run_worker(work, group="shells", exit_on_error=False)


def open_attach_for(
    app: App[Any], container: Container | str, engine: Engine | None = None
) -> Worker[ShellPane | None]:
    """Key `a` on the main screen calls this."""
    work = open_attach(app, engine or engine_of(app), container)
    return app.run_worker(work, group="shells", exit_on_error=False)


def prompt_command_for(app: App[Any], container: Container, engine: Engine | None = None) -> None:
    """Asks for a command (and user), then opens it in a tab."""

    def chosen(command: ShellCommand | None) -> None:
        if command is not None:
            open_shell_for(app, container, command.argv, command.user, engine)

    app.push_screen(ShellCommandDialog(container.name), chosen)


def show_shells_for(app: App[Any]) -> Worker[ShellsScreen]:
    """`:shells` or an app key: the screen as it was left."""
    return app.run_worker(show_shells(app), group="shells", exit_on_error=False)
