"""Starts the shells screen on one container against dockerd, for the tmux tests.

Usage: python -m tests.e2e.shells_launcher CONTAINER [--attach]

Stands in for the main screen's `e`/`a` keys until they are wired.
"""

from __future__ import annotations

import sys
from typing import Any

from engine_adapters.docker_engine import DockerEngine
from tests.ui_shells.host_app import ShellsHostApp
from tui.screens.shells import open_attach_for, open_shell_for

DOCKER_URL = "unix:///var/run/docker.sock"


class LauncherApp(ShellsHostApp):
    def __init__(self, engine: Any, container: str, attach: bool) -> None:
        super().__init__(engine)
        self.container = container
        self.attach = attach

    def on_mount(self) -> None:
        super().on_mount()
        if self.attach:
            open_attach_for(self, self.container)
        else:
            open_shell_for(self, self.container)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    LauncherApp(DockerEngine(DOCKER_URL), argv[0], "--attach" in argv[1:]).run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
