"""KeyBar: the key hints on the bottom line, drawn by one widget."""

from __future__ import annotations

from contextlib import nullcontext
from typing import NamedTuple

from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

from tui.widgets.views.resource_table import ResourceTable

# Between the hints and the palette's hint on the right, as Textual's footer draws it.
PALETTE_EDGE = "▏"
# Laid-out lines kept for reuse (a theme change or a resize makes new ones).
LINES_KEPT = 16


class Hint(NamedTuple):
    key: str
    label: str  # how the key is shown: "^t", "enter"
    description: str
    enabled: bool


# Where a drawn hint sits on the line, for clicks: (first cell, end cell, hint).
Span = tuple[int, int, Hint]


class KeyBar(Widget, can_focus=False):
    """The screen's active bindings on one line, only those the selection allows now (the
    owners' `check_action`, which holds the state guards); a click presses the key.

    Textual's Footer mounts a widget per key and recomposes them all whenever the bindings
    change (each focus move, each guard refresh): at start-up that was about a third of the
    time to the first list on screen, and a widget per key costs memory. Here a change of
    bindings recomputes a tuple of hints and repaints one line only when that tuple changed.
    """

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.hints: tuple[Hint, ...] = ()
        self.palette: Hint | None = None
        self._spans: list[Span] = []
        self._drawn: dict[tuple[object, ...], tuple[Text, list[Span]]] = {}

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if screen is not self.screen:
            return
        hints, palette = self._collect(screen)
        if (hints, palette) != (self.hints, self.palette):
            self.hints, self.palette = hints, palette
            self.refresh()

    def _collect(self, screen: Screen[object]) -> tuple[tuple[Hint, ...], Hint | None]:
        """One hint per allowed action (its first key), in binding order; the palette key apart.

        A greyed action (`check_action` None: the state guard, read-only) is left out, so the
        line shows what can be done to the selected item: no Start on a running container.
        """
        app = self.app
        hints: dict[str, Hint] = {}
        palette = None
        focused = screen.focused
        held = focused.targets_held() if isinstance(focused, ResourceTable) else nullcontext()
        with held:
            bindings = screen.active_bindings
        for key, active in bindings.items():
            binding = active.binding
            hint = Hint(key, app.get_key_display(binding), binding.description, active.enabled)
            if key == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
                palette = hint
            elif binding.show and active.enabled and binding.action not in hints:
                hints[binding.action] = hint
        return tuple(hints.values()), palette

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key")
        text_style = self.get_component_rich_style("key-bar--description")
        # The Fleet view's cursor going to and from an engine's status row swaps the line
        # between two sets of hints on every key: each line is laid out once.
        look = (self.hints, self.palette, self.size.width, key_style, text_style)
        drawn = self._drawn.get(look)
        if drawn is None:
            drawn = self._lay_out(key_style, text_style)
            if len(self._drawn) >= LINES_KEPT:
                self._drawn.clear()
            self._drawn[look] = drawn
        line, self._spans = drawn
        return line

    def _lay_out(self, key_style: Style, text_style: Style) -> tuple[Text, list[Span]]:
        """The line and where each hint sits on it."""
        dim = Style(dim=True)
        width = self.size.width
        tail = self._piece(self.palette, key_style, text_style, dim) if self.palette else None
        room = width - (tail.cell_len + 1 if tail else 0)
        line = Text(no_wrap=True, overflow="crop")
        spans: list[Span] = []
        for hint in self.hints:
            piece = self._piece(hint, key_style, text_style, dim)
            if line.cell_len + piece.cell_len > room:
                break  # whole hints only: a cut-off key would mislead
            spans.append((line.cell_len, line.cell_len + piece.cell_len, hint))
            line.append_text(piece)
        if tail is not None and self.palette is not None:
            line.append(" " * (width - line.cell_len - tail.cell_len - 1))
            line.append(PALETTE_EDGE, Style(dim=True))
            spans.append((width - tail.cell_len, width, self.palette))
            line.append_text(tail)
        return line, spans

    @staticmethod
    def _piece(hint: Hint, key_style: Style, text_style: Style, dim: Style) -> Text:
        piece = Text.assemble((f" {hint.label} ", key_style), (f"{hint.description} ", text_style))
        if not hint.enabled:
            piece.stylize(dim)
        return piece

    def on_click(self, event: events.Click) -> None:
        for start, end, hint in self._spans:
            if start <= event.x < end:
                if hint.enabled:
                    self.app.simulate_key(hint.key)
                else:
                    self.app.bell()
                return
