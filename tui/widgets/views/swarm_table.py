"""The swarm view: its services or nodes table and the selected service's tasks."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from engine_adapters.swarm.models import SwarmNode, SwarmService, SwarmTask
from tui.keymap import action_name, bindings_for
from tui.widgets.views.resource_table import NAV_BINDINGS, ResourceTable, Row, clipped

SERVICE_COLUMNS = (
    ("name", "SERVICE"),
    ("stack", "STACK"),
    ("mode", "MODE"),
    ("replicas", "REPLICAS"),
    ("image", "IMAGE"),
    ("ports", "PORTS"),
    ("update", "UPDATE"),
)
NODE_COLUMNS = (
    ("name", "HOSTNAME"),
    ("stack", "ADDRESS"),
    ("mode", "ROLE"),
    ("replicas", "AVAILABILITY"),
    ("image", "STATUS"),
    ("ports", "LEADER"),
    ("update", "ENGINE"),
)
# A node's verbs and a service's verbs share the table; each applies to its own kind.
NODE_ACTIONS = ("drain", "activate", "pause_node", "promote", "demote", "label_node")


class SwarmTable(ResourceTable):
    """Services, or the swarm's nodes after `n`; the headers say which."""

    OWNER = "swarm"
    BINDINGS = [*NAV_BINDINGS, *bindings_for("swarm")]
    COLUMNS = SERVICE_COLUMNS
    FIT = ((("image", 20), ("ports", 12)), (("name", 14),))

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.showing = "services"

    def show_kind(self, showing: str) -> None:
        """Swap the headers; the rows follow with the next fetch of that kind."""
        self.showing = showing
        headers = NODE_COLUMNS if showing == "nodes" else SERVICE_COLUMNS
        self.items = {}
        self.marked.clear()
        self.refresh_rows()
        for (_key, label), column in zip(headers, self.columns.values(), strict=True):
            column.label = Text(label)
            column.content_width = max(column.content_width, len(label))
        # The header row is cached by the table's update count, as rows are (see _set_order).
        self._update_count += 1
        self._require_update_dimensions = True
        self.refresh(layout=True)

    def search_text(self, item: Any) -> str:
        if isinstance(item, SwarmNode):
            return f"{item.hostname} {item.role} {item.availability}"
        service: SwarmService = item
        return f"{service.name} {service.image} {service.stack or ''}"

    def build_rows(self) -> list[Row]:
        items = [i for i in self.items.values() if self.matches(i)]
        nodes = sorted((i for i in items if isinstance(i, SwarmNode)), key=lambda n: n.hostname)
        # A stack's services together, under the stack's name (docker stack's namespace label).
        services = sorted(
            (i for i in items if isinstance(i, SwarmService)), key=lambda s: (s.stack or "", s.name)
        )
        return [(n.id, node_cells(n)) for n in nodes] + [(s.id, service_cells(s)) for s in services]

    def allowed(self, action: str, item: Any) -> bool:
        if isinstance(item, SwarmNode):
            if action == "drain":
                return item.availability != "drain"
            if action == "activate":
                return item.availability != "active"
            if action == "pause_node":
                return item.availability == "active"
            if action == "promote":
                return not item.is_manager
            if action == "demote":
                return item.is_manager
            return action in ("toggle_nodes", "label_node")
        service: SwarmService = item
        if action == "scale":
            return service.mode == "replicated"
        return action not in NODE_ACTIONS

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Neither needs a row: a swarm without services still has nodes, and room for one.
        if action_name(action, parameters) in ("toggle_nodes", "create"):
            return True
        return super().check_action(action, parameters)


def service_cells(service: SwarmService) -> tuple[Text, ...]:
    status = service.update_status
    replicas_style = "" if service.running >= service.desired else "yellow"
    return (
        clipped(service.name),
        clipped(service.stack or "", "dim" if not service.stack else ""),
        clipped(service.mode),
        clipped(service.replicas_text, replicas_style),
        clipped(service.image.split("@", 1)[0]),
        clipped(", ".join(str(p) for p in service.ports)),
        clipped(status.state if status else ""),
    )


def node_cells(node: SwarmNode) -> tuple[Text, ...]:
    return (
        clipped(node.hostname),
        clipped(node.address),
        clipped(node.role),
        clipped(node.availability, "" if node.availability == "active" else "yellow"),
        clipped(node.status, "" if node.status == "ready" else "red"),
        clipped("leader" if node.leader else node.manager_reachability),
        clipped(node.engine_version),
    )


class TasksTable(DataTable[str | Text]):
    """The selected service's tasks by slot (or node), the running one first; filled by the poll."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="none", zebra_stripes=False)
        self.tasks: list[SwarmTask] = []

    def on_mount(self) -> None:
        self.add_columns("TASK", "NODE", "STATE", "DESIRED", "ERROR")

    def show_tasks(self, tasks: list[SwarmTask]) -> None:
        if tasks == self.tasks:
            return
        self.tasks = tasks
        self.clear()
        ordered = sorted(
            tasks,
            key=lambda t: (t.slot or 0, t.node_hostname, t.desired_state != "running", t.id),
        )
        for task in ordered:
            self.add_row(
                task.name,
                task.node_hostname or task.node_id[:12],
                Text(task.state, style="green" if task.state == "running" else ""),
                task.desired_state,
                Text(task.error or "", style="red"),
                key=task.id,
            )
