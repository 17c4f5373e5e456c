"""Drives the real app in a real terminal: a private tmux server, keys in, screen text out."""

from __future__ import annotations

import os
import shlex
import subprocess
import time
import uuid
from collections.abc import Callable, Sequence


class TmuxSession:
    """One tmux server of our own (its own socket), so we end only what we started."""

    def __init__(self, command: Sequence[str], width: int = 100, height: int = 30) -> None:
        self.socket = f"dockyard-e2e-{uuid.uuid4().hex[:8]}"
        self.name = "app"
        env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": ""}
        subprocess.run(
            [
                "tmux",
                "-L",
                self.socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                str(width),
                "-y",
                str(height),
                shlex.join(command),
            ],
            check=True,
            env=env,
            timeout=20,
        )
        self._tmux("set-option", "-t", self.name, "remain-on-exit", "on")

    def _tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=20
        )
        return result.stdout

    def screen(self, history: bool = False) -> str:
        """The pane's text; with `history`, the lines scrolled off above it too (what an app
        printed as it ended, pushed up by tmux's "Pane is dead" line)."""
        return self._tmux("capture-pane", "-p", *(("-S", "-") if history else ()), "-t", self.name)

    def send(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", self.name, *keys)

    def type(self, text: str) -> None:
        self._tmux("send-keys", "-t", self.name, "-l", text)

    def wait_for(
        self, predicate: Callable[[str], bool] | str, timeout: float = 20.0, history: bool = False
    ) -> str:
        """The screen once `predicate` holds (a string: it appears on screen)."""
        check = (lambda s: predicate in s) if isinstance(predicate, str) else predicate
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen(history)
            if check(screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"screen never matched in {timeout}s; it shows:\n{screen}")

    def wait_for_exit(self, timeout: float = 20.0) -> int:
        """The app's exit status once it has ended (the pane stays, dead, to be read)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self._tmux(
                "display-message", "-p", "-t", self.name, "#{pane_dead} #{pane_dead_status}"
            ).split()
            if shown[:1] == ["1"]:
                return int(shown[1]) if len(shown) > 1 else 0
            time.sleep(0.1)
        raise AssertionError(f"the app still runs after {timeout}s; it shows:\n{self.screen()}")

    def close(self) -> None:
        self._tmux("kill-server")
