"""The in-pane terminal: a pyte-based emulator and the Textual widget that runs exec sessions."""

from tui.terminal.emulator import TerminalEmulator
from tui.terminal.popout import run_suspended
from tui.terminal.widget import TerminalView

__all__ = ["TerminalEmulator", "TerminalView", "run_suspended"]
