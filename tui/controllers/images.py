"""The images view's actions: run a container, pull, remove, sort."""

from __future__ import annotations

from functools import partial

from engine_adapters.models import Image, RunSpec
from tui.controllers.base import PrunePlan, Step, ViewController, cli
from tui.dialogs.prompt import PromptDialog
from tui.widgets.format import human_size


class ImagesController(ViewController[Image]):
    VIEW = "images"

    def run(self) -> None:
        items = self.selected()
        if not items:
            return
        # The run form and the pull dialog are imported when first used: not on the first frame.
        from tui.dialogs.run_form import RunDialog, run_cli

        networks = sorted(n.name for n in self.screen.controllers.networks.items().values())
        engine = self.engine

        def run(spec: RunSpec | None) -> None:
            if spec is not None:
                self.perform(
                    [Step(run_cli(spec), partial(engine.run, spec))],
                    f"Started {spec.name or spec.image}",
                )

        self.app.push_screen(RunDialog(items[0].display_name, networks), run)

    def pull(self) -> None:
        from tui.dialogs.pull import PullDialog

        items = self.selected()
        default = items[0].display_name if items and not items[0].dangling else ""

        def pull(ref: str | None) -> None:
            if ref:
                self.app.log_command(cli("pull", ref), ok=True)
                self.app.push_screen(PullDialog(self.engine, ref))

        self.app.push_screen(PromptDialog("Pull image", default, "name[:tag]"), pull)

    def remove(self) -> None:
        items = self.selected()
        body = "\n".join(f"  {i.display_name} {i.short_id} ({human_size(i.size)})" for i in items)
        if any(i.used_by for i in items):
            body += "\n\nImages used by containers are removed with force."
        steps = [
            Step(
                cli("rmi", *(["-f"] if i.used_by else []), i.tags[0] if i.tags else i.short_id),
                partial(self.engine.remove_image, i.id, force=bool(i.used_by)),
            )
            for i in items
        ]
        self.confirm(f"Remove {len(items)} image(s)?", body, steps)

    def sort(self) -> None:
        sort_by = self.screen.images_table.next_sort()
        self.app.notify(f"Images sorted by {sort_by}", timeout=2)

    def prune_plan(self) -> PrunePlan:
        gone = [f"{i.short_id} ({human_size(i.size)})" for i in self.items().values() if i.dangling]
        return PrunePlan(
            "dangling images",
            gone,
            Step(cli("image", "prune", "-f"), partial(self.engine.prune_images, True)),
        )
