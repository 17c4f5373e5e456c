"""The main screen's input lines: `/` filters the view, `:` takes a command."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import events
from textual.widget import Widget
from textual.widgets import Input


class LineInput(Input):
    """A line that gives the focus back to the list when Enter ends it.

    Keys typed right behind Enter (a burst over SSH, a paste) are already queued for the
    line when it lets go; they are sent on to whatever has the focus now, the list, instead
    of being typed into a line nobody sees any more.
    """

    def __init__(self, hand_over: Callable[[], Widget], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._hand_over = hand_over
        self._handed_over = False

    async def action_submit(self) -> None:
        self._handed_over = True
        self.screen.set_focus(self._hand_over())  # at once: Widget.focus() waits a turn
        await super().action_submit()

    async def _on_key(self, event: events.Key) -> None:
        if self.screen.focused is self:
            self._handed_over = False
        if self._handed_over:
            event.stop()
            event.prevent_default()
            self.app.post_message(events.Key(event.key, event.character))
        elif event.key == "enter":
            # Here rather than through the binding, which runs only after the keys queued
            # behind Enter were typed into the line.
            event.stop()
            event.prevent_default()
            await self.action_submit()
        else:
            await super()._on_key(event)


class FilterInput(LineInput):
    """`/` in a view: filters its rows as you type; escape clears it."""


class CommandLine(LineInput):
    """`:` command mode (`:images`, `:ctx NAME`, `:q`)."""
