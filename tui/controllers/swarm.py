"""The swarm view's actions: create, scale, update, roll back, remove and read services;
drain, pause, activate, promote, demote and label nodes."""

from __future__ import annotations

from functools import partial

from engine_adapters.swarm.models import SwarmNode, SwarmService
from engine_adapters.swarm.protocol import SwarmEngine
from engine_adapters.swarm.spec import ServiceSpec
from tui.controllers.base import Step, ViewController, cli
from tui.dialogs.prompt import PromptDialog


class SwarmController(ViewController[SwarmService | SwarmNode]):
    VIEW = "swarm"

    @property
    def swarm(self) -> SwarmEngine | None:
        return self.screen.swarm_feed.swarm

    def _services(self, action: str) -> list[SwarmService]:
        allowed = self.table.allowed
        return [s for s in self.selected() if isinstance(s, SwarmService) and allowed(action, s)]

    def _nodes(self, action: str) -> list[SwarmNode]:
        allowed = self.table.allowed
        return [n for n in self.selected() if isinstance(n, SwarmNode) and allowed(action, n)]

    def perform(self, steps: list[Step], done: str = "") -> None:
        super().perform(steps, done)
        self.screen.swarm_feed.tick()

    def toggle_nodes(self) -> None:
        self.screen.swarm_feed.toggle_nodes()

    def logs(self) -> None:
        """The service's logs merged across its tasks, on a screen of their own."""
        from tui.screens.service_logs import ServiceLogsScreen

        services, swarm = self._services("logs"), self.swarm
        if not services or swarm is None:
            return
        config = self.app.config
        self.app.push_screen(
            ServiceLogsScreen(swarm, services[0], config.log_tail, config.copy_lines)
        )

    def scale(self) -> None:
        services, swarm = self._services("scale"), self.swarm
        if not services or swarm is None:
            return
        first = services[0]

        def chosen(text: str | None) -> None:
            if text is None or not text.strip():
                return
            if not text.strip().isdigit():
                self.app.notify(f"Replicas must be a whole number, not {text!r}", severity="error")
                return
            replicas = int(text)
            self.perform(
                [
                    Step(
                        cli("service", "scale", f"{s.name}={replicas}"),
                        partial(swarm.scale, s.id, replicas),
                    )
                    for s in services
                ]
            )

        title = f"Scale {first.name}" if len(services) == 1 else f"Scale {len(services)} services"
        self.app.push_screen(PromptDialog(title, str(first.desired), "replicas"), chosen)

    def update_image(self) -> None:
        services, swarm = self._services("update_image"), self.swarm
        if not services or swarm is None:
            return
        first = services[0]

        def chosen(image: str | None) -> None:
            if image and image.strip():
                ref = image.strip()
                self.perform(
                    [
                        Step(
                            cli("service", "update", "--image", ref, s.name),
                            partial(swarm.update_image, s.id, ref),
                        )
                        for s in services
                    ],
                    f"Rolling update to {ref} started",
                )

        default = first.image.split("@", 1)[0]
        self.app.push_screen(PromptDialog(f"Image of {first.name}", default, "image[:tag]"), chosen)

    def rollback(self) -> None:
        services, swarm = self._services("rollback"), self.swarm
        if swarm is None:
            return
        steps = [
            Step(cli("service", "rollback", s.name), partial(swarm.rollback, s.id))
            for s in services
        ]
        body = "\n".join(f"  {s.name} (now {s.image.split('@', 1)[0]})" for s in services)
        body += "\n\nEach goes back to its previous spec."
        self.confirm(f"Roll back {len(services)} service(s)?", body, steps, yes="Roll back")

    def remove(self) -> None:
        services, swarm = self._services("remove"), self.swarm
        if swarm is None:
            return
        steps = [
            Step(cli("service", "rm", s.name), partial(swarm.remove_service, s.id))
            for s in services
        ]
        body = "\n".join(f"  {s.name} ({s.replicas_text} tasks)" for s in services)
        self.confirm(f"Remove {len(services)} service(s)?", body, steps)

    def _availability(self, nodes: list[SwarmNode], availability: str) -> list[Step]:
        swarm = self.swarm
        if swarm is None:
            return []
        return [
            Step(
                cli("node", "update", "--availability", availability, n.hostname),
                partial(swarm.set_availability, n.id, availability),
            )
            for n in nodes
        ]

    def drain(self) -> None:
        nodes = self._nodes("drain")
        body = "\n".join(f"  {n.hostname} ({n.role})" for n in nodes)
        body += "\n\nTheir tasks move to the other nodes."
        steps = self._availability(nodes, "drain")
        self.confirm(f"Drain {len(nodes)} node(s)?", body, steps, yes="Drain")

    def activate(self) -> None:
        self.perform(self._availability(self._nodes("activate"), "active"))

    def pause_node(self) -> None:
        self.perform(self._availability(self._nodes("pause_node"), "pause"))

    def _roles(self, nodes: list[SwarmNode], role: str) -> list[Step]:
        swarm = self.swarm
        if swarm is None:
            return []
        verb = "promote" if role == "manager" else "demote"
        return [
            Step(cli("node", verb, n.hostname), partial(swarm.set_role, n.id, role)) for n in nodes
        ]

    def promote(self) -> None:
        self.perform(self._roles(self._nodes("promote"), "manager"))

    def demote(self) -> None:
        nodes = self._nodes("demote")
        body = "\n".join(f"  {n.hostname}{' (leader)' if n.leader else ''}" for n in nodes)
        body += "\n\nThe swarm goes on only while most of the remaining managers answer."
        self.confirm(f"Demote {len(nodes)} manager(s)?", body, self._roles(nodes, "worker"),
                     yes="Demote")  # fmt: skip

    def label_node(self) -> None:
        nodes, swarm = self._nodes("label_node"), self.swarm
        if not nodes or swarm is None:
            return
        node = nodes[0]

        def chosen(text: str | None) -> None:
            if text is None:
                return
            try:
                labels = parse_labels(text)
            except ValueError as error:
                self.app.notify(str(error), severity="error")
                return
            changes = [f"--label-add={k}={v}" for k, v in labels.items()
                       if node.labels.get(k) != v]  # fmt: skip
            changes += [f"--label-rm={k}" for k in node.labels if k not in labels]
            if changes:
                line = cli("node", "update", *changes, node.hostname)
                self.perform([Step(line, partial(swarm.set_node_labels, node.id, labels))])

        current = ", ".join(f"{k}={v}" for k, v in sorted(node.labels.items()))
        title = f"Labels of {node.hostname} (all of them; an empty line removes every one)"
        self.app.push_screen(
            PromptDialog(title, current, "zone=eu, disk=ssd", empty_ok=True), chosen
        )

    def create(self) -> None:
        swarm = self.swarm
        if swarm is None:
            return

        def chosen(text: str | None) -> None:
            if text is None or not text.strip():
                return
            words = text.split()
            if len(words) < 2:
                self.app.notify(f"Give NAME IMAGE [REPLICAS] [COMMAND], not {text!r}",
                                severity="error")  # fmt: skip
                return
            name, image, rest = words[0], words[1], words[2:]
            replicas = int(rest.pop(0)) if rest and rest[0].isdigit() else 1
            spec = ServiceSpec(name=name, image=image, replicas=replicas, args=tuple(rest) or None)
            line = cli("service", "create", "--name", name, "--replicas", str(replicas), image,
                       *rest)  # fmt: skip
            self.perform([Step(line, partial(swarm.create_service, spec))], f"Created {name}")

        usage = "NAME IMAGE [REPLICAS] [COMMAND]"
        self.app.push_screen(PromptDialog("New service", "", usage), chosen)

    def prune(self) -> None:
        self.app.notify("Nothing to prune in a swarm: remove services with d", timeout=3)


def parse_labels(text: str) -> dict[str, str]:
    """`zone=eu, disk=ssd` (commas or spaces between them) as a node's whole label set."""
    labels: dict[str, str] = {}
    for part in text.replace(",", " ").split():
        key, sep, value = part.partition("=")
        if not key or not sep:
            raise ValueError(f"A label is key=value, not {part!r}")
        labels[key] = value
    return labels
