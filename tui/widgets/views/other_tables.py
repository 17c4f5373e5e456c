"""The images, volumes and networks views."""

from __future__ import annotations

from typing import Any

from engine_adapters.models import Image, Network, Volume
from tui.keymap import bindings_for
from tui.widgets.format import age, human_size
from tui.widgets.views.resource_table import NAV_BINDINGS, ResourceTable, Row, clipped

IMAGE_SORTS = ("size", "created", "name")


class ImagesTable(ResourceTable):
    OWNER = "images"
    BINDINGS = [*NAV_BINDINGS, *bindings_for("images")]
    COLUMNS = (
        ("mark", " "),
        ("tag", "REPOSITORY:TAG"),
        ("id", "IMAGE ID"),
        ("size", "SIZE"),
        ("age", "CREATED"),
        ("used", "IN USE"),
    )
    FIT = ((("tag", 16),),)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.sort_by = "size"

    def search_text(self, item: Any) -> str:
        image: Image = item
        return f"{' '.join(image.tags)} {image.short_id}"

    def build_rows(self) -> list[Row]:
        images: list[Image] = [i for i in self.items.values() if self.matches(i)]
        if self.sort_by == "size":
            images.sort(key=lambda i: (-i.size, i.display_name))
        elif self.sort_by == "created":
            images.sort(key=lambda i: (i.created, i.display_name), reverse=True)
        else:
            images.sort(key=lambda i: i.display_name)
        return [
            (
                i.id,
                (
                    self.mark_cell(i.id),
                    i.display_name,
                    i.short_id,
                    human_size(i.size),
                    age(i.created, self.now),
                    f"{len(i.used_by)} ctr" if i.used_by else "",
                ),
            )
            for i in images
        ]

    def next_sort(self) -> str:
        """Sorts by the next of size, date and name; returns which."""
        self.sort_by = IMAGE_SORTS[(IMAGE_SORTS.index(self.sort_by) + 1) % len(IMAGE_SORTS)]
        self.refresh_rows()
        return self.sort_by


class VolumesTable(ResourceTable):
    OWNER = "volumes"
    BINDINGS = [*NAV_BINDINGS, *bindings_for("volumes")]
    COLUMNS = (
        ("mark", " "),
        ("name", "NAME"),
        ("driver", "DRIVER"),
        ("size", "SIZE"),
        ("project", "PROJECT"),
        ("used", "USED BY"),
    )
    FIT = ((("used", 12), ("name", 16)), (("used", 0),), (("name", 10), ("project", 8)))

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.id_names: dict[str, str] = {}  # container id -> name, kept by the screen

    def key_of(self, item: Any) -> str:
        volume: Volume = item
        return volume.name

    def search_text(self, item: Any) -> str:
        v: Volume = item
        return f"{v.name} {v.driver} {v.compose_project or ''}"

    def build_rows(self) -> list[Row]:
        vols: list[Volume] = sorted(
            (v for v in self.items.values() if self.matches(v)), key=lambda v: v.name
        )
        return [
            (
                v.name,
                (
                    self.mark_cell(v.name),
                    clipped(v.name),
                    v.driver,
                    human_size(v.size),
                    clipped(v.compose_project or ""),
                    clipped(self.names(v.used_by)),
                ),
            )
            for v in vols
        ]

    def names(self, ids: tuple[str, ...]) -> str:
        """Container names as the screen last listed them (`id_names`), ids if unknown."""
        return ", ".join(self.id_names.get(i, i[:12]) for i in ids)


class NetworksTable(ResourceTable):
    OWNER = "networks"
    BINDINGS = [*NAV_BINDINGS, *bindings_for("networks")]
    COLUMNS = (
        ("mark", " "),
        ("name", "NAME"),
        ("driver", "DRIVER"),
        ("subnet", "SUBNET"),
        ("containers", "CONTAINERS"),
    )
    FIT = ((("containers", 12), ("name", 14)), (("containers", 0),), (("name", 10),))

    def search_text(self, item: Any) -> str:
        n: Network = item
        return f"{n.name} {n.driver} {' '.join(s.subnet for s in n.subnets)}"

    def build_rows(self) -> list[Row]:
        nets: list[Network] = sorted(
            (n for n in self.items.values() if self.matches(n)), key=lambda n: n.name
        )
        return [
            (
                n.id,
                (
                    self.mark_cell(n.id),
                    clipped(n.name),
                    n.driver,
                    ", ".join(s.subnet for s in n.subnets),
                    clipped(", ".join(m.name for m in n.containers)),
                ),
            )
            for n in nets
        ]

    def allowed(self, action: str, item: Any) -> bool:
        network: Network = item
        return not (action == "remove" and network.builtin)
