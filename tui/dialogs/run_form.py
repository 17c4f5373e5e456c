"""The `docker run -d` form: name, command, env, ports, volumes, network, restart -> RunSpec."""

from __future__ import annotations

import os
import shlex

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

from engine_adapters.compose.fields import short_port, short_volume
from engine_adapters.models import PortSpec, RunSpec, VolumeSpec

RESTART_POLICIES = ("no", "on-failure", "always", "unless-stopped")


def parse_env(text: str) -> dict[str, str]:
    """`A=1 B="two words"`; a bare name passes through as empty, like `-e NAME` would not."""
    env: dict[str, str] = {}
    for item in shlex.split(text.replace(",", " ")):
        key, _, value = item.partition("=")
        if key:
            env[key] = value
    return env


def parse_ports(text: str) -> list[PortSpec]:
    """`[ip:]host:container[/proto]`, with ranges and `[ipv6]` addresses, as Compose reads a
    port (engine_adapters.compose.fields); a host range needs as many container ports."""
    mappings = short_port(text.strip())
    if mappings is None or any(m.published_end is not None for m in mappings):
        raise ValueError(f"bad port {text!r}: use [ip:]host:container[/proto]")
    return [PortSpec(m.target, m.published, m.protocol, m.host_ip) for m in mappings]


def parse_port(text: str) -> PortSpec:
    """One port mapping; a range is refused."""
    ports = parse_ports(text)
    if len(ports) != 1:
        raise ValueError(f"bad port {text!r}: one port, not a range")
    return ports[0]


def parse_volume(text: str) -> VolumeSpec:
    """`[source:]target[:ro|rw,...]` as Compose reads it; a relative bind source is made
    absolute, as the engine needs it."""
    mount = short_volume(text.strip())
    if mount is None:
        raise ValueError(f"bad volume {text!r}: use [name or path:]/target[:ro]")
    source = mount.source
    if mount.type == "bind":
        source = os.path.abspath(os.path.expanduser(source))
    return VolumeSpec(mount.target, source, mount.read_only)


def _items(text: str) -> list[str]:
    return [part for part in text.replace(",", " ").split() if part]


def build_spec(
    image: str,
    name: str,
    command: str,
    env: str,
    ports: str,
    volumes: str,
    network: str | None,
    restart: str,
) -> RunSpec:
    """Raises ValueError with a message for the form when a field does not parse."""
    if not image.strip():
        raise ValueError("an image is required")
    return RunSpec(
        image=image.strip(),
        name=name.strip() or None,
        command=tuple(shlex.split(command)) or None,
        env=parse_env(env),
        ports=tuple(port for item in _items(ports) for port in parse_ports(item)),
        volumes=tuple(parse_volume(v) for v in _items(volumes)),
        network=network or None,
        restart_policy=restart,
    )


def run_cli(spec: RunSpec) -> str:
    """The docker CLI line that does the same, for the command log."""
    args = ["docker", "run", "-d"]
    if spec.name:
        args += ["--name", spec.name]
    for key, value in spec.env.items():
        args += ["-e", f"{key}={value}"]
    for p in spec.ports:
        host = f"{p.host_ip + ':' if p.host_ip else ''}{p.host_port}:" if p.host_port else ""
        args += ["-p", f"{host}{p.container_port}/{p.protocol}".removesuffix("/tcp")]
    for v in spec.volumes:
        args += ["-v", ":".join(x for x in (v.source, v.target, "ro" if v.read_only else "") if x)]
    if spec.network:
        args += ["--network", spec.network]
    if spec.restart_policy != "no":
        args += ["--restart", spec.restart_policy]
    args.append(spec.image)
    args += list(spec.command or ())
    return shlex.join(args)


class RunDialog(ModalScreen[RunSpec | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="run.cancel")]

    def __init__(self, image: str, networks: list[str]) -> None:
        super().__init__()
        self.image = image
        self.networks = networks

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog form"):
            yield Label(f"Run a container from {self.image}", classes="dialog-title")
            for key, label, placeholder in (
                ("image", "Image", ""),
                ("name", "Name", "optional"),
                ("command", "Command", "default from the image"),
                ("env", "Env", "KEY=value KEY2=value"),
                ("ports", "Ports", "8080:80 53:53/udp"),
                ("volumes", "Volumes", "data:/data /srv:/srv:ro"),
            ):
                yield Label(label)
                yield Input(
                    self.image if key == "image" else "", placeholder=placeholder, id=f"run-{key}"
                )
            yield Label("Network")
            yield Select([(n, n) for n in self.networks], prompt="default", id="run-network")
            yield Label("Restart policy")
            yield Select(
                [(p, p) for p in RESTART_POLICIES], value="no", allow_blank=False, id="run-restart"
            )
            yield Label("", id="run-error", classes="form-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Run", variant="primary", id="run-ok")
                yield Button("Cancel", id="run-cancel")

    def on_mount(self) -> None:
        self.query_one("#run-name", Input).focus()

    def _value(self, key: str) -> str:
        return self.query_one(f"#run-{key}", Input).value

    def submit(self) -> None:
        network = self.query_one("#run-network", Select).value
        restart = self.query_one("#run-restart", Select).value
        try:
            spec = build_spec(
                self._value("image"),
                self._value("name"),
                self._value("command"),
                self._value("env"),
                self._value("ports"),
                self._value("volumes"),
                network if isinstance(network, str) else None,
                restart if isinstance(restart, str) else "no",
            )
        except ValueError as error:
            self.query_one("#run-error", Label).update(str(error))
            return
        self.dismiss(spec)

    def on_input_submitted(self) -> None:
        self.submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "run-ok":
            self.submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
