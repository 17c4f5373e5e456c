"""The floor for ui_bench's launch figure: Textual alone, a 50-row table, then the docker SDK.

No engine is asked anything: this is what the language, Textual and the SDK cost before any
of Dockyard's own work, on this machine, in the same pty as the real app.
"""

from __future__ import annotations

import sys

from textual.app import App, ComposeResult
from textual.widgets import DataTable


class BareTable(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable()

    def on_mount(self) -> None:
        table: DataTable[str] = self.query_one(DataTable)
        table.add_columns("NAME", "STATE", "IMAGE")
        for n in range(int(sys.argv[1]) if len(sys.argv) > 1 else 50):
            table.add_row(f"bench-ui-{n}", "running", "dockyard-test/busybox:latest")

    def key_q(self) -> None:
        self.exit()


if __name__ == "__main__":
    if "--with-sdk" in sys.argv:
        import docker  # noqa: F401  (the import is what is measured)
    BareTable().run()
