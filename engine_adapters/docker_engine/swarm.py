"""DockerSwarm: the SwarmEngine protocol over the Docker API of a swarm manager."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from engine_adapters.docker_engine import swarm_wire as wire
from engine_adapters.docker_engine.errors import translated
from engine_adapters.docker_engine.streams import Closer, ThreadedStream, response_closer
from engine_adapters.docker_engine.swarm_logs import iter_service_logs
from engine_adapters.docker_engine.swarm_state import read_state
from engine_adapters.errors import InvalidRequest
from engine_adapters.protocol import Stream
from engine_adapters.swarm.models import (
    STACK_LABEL,
    ObjectKind,
    OverlayNetwork,
    RollingProgress,
    ServiceLogLine,
    SwarmNode,
    SwarmObject,
    SwarmService,
    SwarmTask,
)
from engine_adapters.swarm.spec import ServiceSpec
from engine_adapters.swarm.state import SwarmState

if TYPE_CHECKING:
    from engine_adapters.docker_engine.engine import DockerEngine

AVAILABILITIES = ("active", "pause", "drain")
ROLES = ("manager", "worker")
SpecChange = Callable[[dict[str, Any]], None]  # edits a spec read from the engine in place


class DockerSwarm:
    """Reached as `DockerEngine.swarm`; every call goes through the engine's `call`."""

    def __init__(self, engine: DockerEngine) -> None:
        self._engine = engine

    @property
    def endpoint(self) -> str:
        return self._engine.endpoint

    def _get(self, path: str, *args: str, **params: Any) -> Any:
        api = self._engine.api
        response = api._get(api._url(path, *args), params=params or None)  # type: ignore[attr-defined]
        return api._result(response, json=True)  # type: ignore[attr-defined]

    def _post(self, path: str, *args: str, body: Any = None, **params: Any) -> Any:
        api = self._engine.api
        url = api._url(path, *args)  # type: ignore[attr-defined]
        response = api._post_json(url, data=body, params=params or None)  # type: ignore[attr-defined]
        return api._result(response, json=bool(response.content))  # type: ignore[attr-defined]

    async def state(self) -> SwarmState:
        return await read_state(self._engine)

    # reading
    async def nodes(self) -> list[SwarmNode]:
        raw = await self._engine.call(self._get, "/nodes")
        return sorted((wire.node(n) for n in raw), key=lambda n: n.hostname)

    async def services(self, stack: str | None = None) -> list[SwarmService]:
        def fetch() -> Any:
            filters = {"label": [f"{STACK_LABEL}={stack}"]} if stack else {}
            return self._get("/services", status="true", filters=json.dumps(filters))

        raw = await self._engine.call(fetch)
        return sorted((wire.service(s) for s in raw), key=lambda s: s.name)

    async def inspect_service(self, ref: str) -> SwarmService:
        # The list carries running/desired counts (ServiceStatus); inspect does not.
        raw = await self._engine.call(self._get, "/services/{0}", ref)
        counted = await self._engine.call(
            self._get, "/services", status="true", filters=json.dumps({"id": [raw["ID"]]})
        )
        return wire.service(counted[0] if counted else raw)

    async def tasks(
        self, service: str | None = None, stack: str | None = None, node: str | None = None
    ) -> list[SwarmTask]:
        def fetch() -> tuple[Any, Any, Any]:
            filters: dict[str, list[str]] = {}
            if service:
                filters["service"] = [service]
            if stack:
                filters["label"] = [f"{STACK_LABEL}={stack}"]
            if node:
                filters["node"] = [node]
            tasks = self._get("/tasks", filters=json.dumps(filters))
            return tasks, self._get("/services"), self._get("/nodes")

        raw, services, nodes = await self._engine.call(fetch)
        names = {s["ID"]: s["Spec"]["Name"] for s in services}
        hostnames = {n["ID"]: n["Description"]["Hostname"] for n in nodes}
        found = [wire.task(t, names, hostnames) for t in raw]
        return sorted(found, key=lambda t: (t.service_name, t.slot or 0, t.node_hostname, t.id))

    async def secrets(self) -> list[SwarmObject]:
        raw = await self._engine.call(self._get, "/secrets")
        return sorted((wire.swarm_object(s, "secret") for s in raw), key=lambda s: s.name)

    async def configs(self) -> list[SwarmObject]:
        raw = await self._engine.call(self._get, "/configs")
        return sorted((wire.swarm_object(c, "config") for c in raw), key=lambda c: c.name)

    async def overlay_networks(self) -> list[OverlayNetwork]:
        def fetch() -> tuple[Any, Any, Any]:
            networks = self._get("/networks", filters=json.dumps({"driver": ["overlay"]}))
            running = self._get("/tasks", filters=json.dumps({"desired-state": ["running"]}))
            return networks, running, self._get("/nodes")

        networks, running, nodes = await self._engine.call(fetch)
        hostnames = {n["ID"]: n["Description"]["Hostname"] for n in nodes}
        spans: dict[str, set[str]] = {}
        for t in running:
            for attachment in t.get("NetworksAttachments") or ():
                network_id = (attachment.get("Network") or {}).get("ID", "")
                spans.setdefault(network_id, set()).add(hostnames.get(t.get("NodeID", ""), ""))
        found = [
            wire.overlay_network(n, tuple(sorted(spans.get(n.get("Id", ""), set()) - {""})))
            for n in networks
        ]
        return sorted(found, key=lambda n: n.name)

    # services
    def _object_ids(self, spec: ServiceSpec) -> dict[tuple[str, str], str]:
        """(kind, name) -> id of the secrets and configs the spec grants its tasks."""
        found: dict[tuple[str, str], str] = {}
        for kind, grants in (("secret", spec.secrets), ("config", spec.configs)):
            if grants:
                listed = self._get(
                    f"/{kind}s", filters=json.dumps({"name": [g.name for g in grants]})
                )
                found.update({(kind, o["Spec"]["Name"]): o["ID"] for o in listed})
        return found

    def _network_ids(self, spec: ServiceSpec) -> dict[str, str]:
        if not spec.networks:
            return {}
        found = self._get("/networks", filters=json.dumps({"driver": ["overlay"]}))
        return {n["Name"]: n["Id"] for n in found}

    async def create_service(self, spec: ServiceSpec) -> SwarmService:
        def create() -> str:
            body = wire.service_spec(spec, self._network_ids(spec), self._object_ids(spec))
            return str(self._post("/services/create", body=body)["ID"])

        return await self.inspect_service(await self._engine.call(create))

    async def replace_service(self, ref: str, spec: ServiceSpec) -> SwarmService:
        def replace() -> None:
            current = self._get("/services/{0}", ref)
            body = wire.service_spec(spec, self._network_ids(spec), self._object_ids(spec))
            version = current["Version"]["Index"]
            self._post("/services/{0}/update", current["ID"], body=body, version=version)

        await self._engine.call(replace)
        return await self.inspect_service(ref)

    async def _edit(self, ref: str, change: SpecChange, **params: Any) -> None:
        """Reads the service's spec, changes it and posts it back at the version read."""

        def edit() -> None:
            current = self._get("/services/{0}", ref)
            spec = current["Spec"]
            change(spec)
            version = current["Version"]["Index"]
            self._post("/services/{0}/update", current["ID"], body=spec, version=version, **params)

        await self._engine.call(edit)

    async def scale(self, ref: str, replicas: int) -> None:
        if replicas < 0:
            raise InvalidRequest(f"replicas must be 0 or more, not {replicas}")

        def change(spec: dict[str, Any]) -> None:
            if "Replicated" not in (spec.get("Mode") or {}):
                raise InvalidRequest(f"{ref} is a global service: it runs one task per node")
            spec["Mode"]["Replicated"]["Replicas"] = replicas

        await self._edit(ref, change)

    async def update_image(self, ref: str, image: str) -> None:
        if not image.strip():
            raise InvalidRequest("an image is needed")

        def change(spec: dict[str, Any]) -> None:
            spec["TaskTemplate"]["ContainerSpec"]["Image"] = image

        await self._edit(ref, change)

    async def rolling_progress(self, ref: str) -> RollingProgress:
        service = await self.inspect_service(ref)
        tasks = await self.tasks(service=service.id)
        updated = sum(
            1
            for t in tasks
            if t.desired_state == "running" and t.state == "running" and t.image == service.image
        )
        return RollingProgress(service.name, updated, service.desired, service.update_status)

    async def rollback(self, ref: str) -> None:
        def rollback() -> None:
            current = self._get("/services/{0}", ref)
            if not current.get("PreviousSpec"):
                raise InvalidRequest(f"{ref} has no previous spec to roll back to")
            # The engine takes the previous spec itself; the body is the current one.
            version = current["Version"]["Index"]
            self._post(
                "/services/{0}/update",
                current["ID"],
                body=current["Spec"],
                version=version,
                rollback="previous",
            )

        await self._engine.call(rollback)

    async def remove_service(self, ref: str) -> None:
        def remove() -> None:
            api = self._engine.api
            api._raise_for_status(api._delete(api._url("/services/{0}", ref)))  # type: ignore[attr-defined]

        await self._engine.call(remove)

    def service_logs(
        self, ref: str, tail: int | None = 200, follow: bool = False, timestamps: bool = False
    ) -> Stream[ServiceLogLine]:
        engine = self._engine

        def opener() -> tuple[Iterator[ServiceLogLine], Closer]:
            service = self._get("/services/{0}", ref)
            tty = bool(service["Spec"]["TaskTemplate"]["ContainerSpec"].get("TTY"))
            params = {
                "stdout": 1,
                "stderr": 1,
                "details": 1,  # each line names its node, service and task
                "timestamps": 1,
                "follow": int(follow),
                "tail": "all" if tail is None else str(tail),
            }
            api = engine.api
            url = api._url("/services/{0}/logs", service["ID"])  # type: ignore[attr-defined]
            response = api._get(  # type: ignore[attr-defined]
                url, params=params, stream=True, timeout=None if follow else engine.timeout
            )
            api._raise_for_status(response)  # type: ignore[attr-defined]
            lines = iter_service_logs(response, tty, timestamps, self._task_names)
            return lines, response_closer(response)

        return ThreadedStream(opener, engine.endpoint, name="dockyard-service-logs")

    def _task_names(self, task_ids: set[str]) -> dict[str, tuple[str, str]]:
        """Task id -> (task name, node hostname), for the tasks a log stream met."""
        with translated(self.endpoint):
            names = {s["ID"]: s["Spec"]["Name"] for s in self._get("/services")}
            hostnames = {n["ID"]: n["Description"]["Hostname"] for n in self._get("/nodes")}
            raw = self._get("/tasks", filters=json.dumps({"id": sorted(task_ids)}))
        found = {}
        for entry in raw:
            t = wire.task(entry, names, hostnames)
            found[t.id] = (t.name, t.node_hostname)
        return found

    # nodes
    async def _edit_node(self, ref: str, change: SpecChange) -> None:
        def edit() -> None:
            current = self._get("/nodes/{0}", ref)
            spec = current["Spec"]
            change(spec)
            self._post(
                "/nodes/{0}/update", current["ID"], body=spec, version=current["Version"]["Index"]
            )

        await self._engine.call(edit)

    async def set_availability(self, node: str, availability: str) -> None:
        if availability not in AVAILABILITIES:
            allowed = ", ".join(AVAILABILITIES)
            raise InvalidRequest(f'availability must be one of {allowed}, not "{availability}"')
        await self._edit_node(node, lambda spec: spec.__setitem__("Availability", availability))

    async def set_role(self, node: str, role: str) -> None:
        if role not in ROLES:
            raise InvalidRequest(f'role must be manager or worker, not "{role}"')
        await self._edit_node(node, lambda spec: spec.__setitem__("Role", role))

    async def set_node_labels(self, node: str, labels: Mapping[str, str]) -> None:
        await self._edit_node(node, lambda spec: spec.__setitem__("Labels", dict(labels)))

    # networks
    async def create_overlay_network(
        self, name: str, labels: Mapping[str, str], attachable: bool = False
    ) -> str:
        def create() -> str:
            api = self._engine.api
            made = api.create_network(
                name, driver="overlay", labels=dict(labels), attachable=attachable
            )
            return str(made["Id"])

        return await self._engine.call(create)

    async def remove_network(self, ref: str) -> None:
        await self._engine.call(self._engine.api.remove_network, ref)

    # secrets and configs
    async def create_swarm_object(
        self, kind: ObjectKind, name: str, data: bytes, labels: Mapping[str, str]
    ) -> str:
        body = {"Name": name, "Labels": dict(labels), "Data": base64.b64encode(data).decode()}
        created = await self._engine.call(self._post, f"/{kind}s/create", body=body)
        return str(created["ID"])

    async def remove_swarm_object(self, kind: ObjectKind, ref: str) -> None:
        def remove() -> None:
            api = self._engine.api
            url = api._url(f"/{kind}s/{{0}}", ref)  # type: ignore[attr-defined]
            api._raise_for_status(api._delete(url))  # type: ignore[attr-defined]

        await self._engine.call(remove)
