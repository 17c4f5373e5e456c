"""Docker's swarm JSON to swarm models, and a `ServiceSpec` to the API's service spec."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine_adapters.docker_engine.convert import parse_time
from engine_adapters.errors import NotFound
from engine_adapters.models import Labels
from engine_adapters.swarm.models import (
    ObjectKind,
    OverlayNetwork,
    PublishedPort,
    SwarmNode,
    SwarmObject,
    SwarmService,
    SwarmTask,
    TaskAddress,
    UpdateStatus,
)
from engine_adapters.swarm.spec import FileGrant, ServiceSpec, UpdatePolicy

NANO = 1_000_000_000
EMPTY_IDS: Mapping[tuple[str, str], str] = {}


def node(raw: dict[str, Any]) -> SwarmNode:
    spec = raw.get("Spec") or {}
    description = raw.get("Description") or {}
    resources = description.get("Resources") or {}
    status = raw.get("Status") or {}
    manager = raw.get("ManagerStatus") or {}
    return SwarmNode(
        id=str(raw["ID"]),
        hostname=str(description.get("Hostname") or ""),
        role=str(spec.get("Role") or "worker"),
        availability=str(spec.get("Availability") or "active"),
        status=str(status.get("State") or "unknown"),
        address=str(status.get("Addr") or ""),
        engine_version=str((description.get("Engine") or {}).get("EngineVersion") or ""),
        labels=Labels(spec.get("Labels") or {}),
        manager_reachability=str(manager.get("Reachability") or ""),
        leader=bool(manager.get("Leader")),
        cpus=int(resources.get("NanoCPUs") or 0) / NANO,
        memory=int(resources.get("MemoryBytes") or 0),
    )


def service(raw: dict[str, Any]) -> SwarmService:
    spec = raw.get("Spec") or {}
    mode = spec.get("Mode") or {}
    task = spec.get("TaskTemplate") or {}
    endpoint = raw.get("Endpoint") or {}
    endpoint_spec = spec.get("EndpointSpec") or {}
    counts = raw.get("ServiceStatus") or {}
    update = raw.get("UpdateStatus")
    if "Global" in mode:
        kind, desired = "global", int(counts.get("DesiredTasks") or 0)
    else:
        kind, desired = "replicated", int((mode.get("Replicated") or {}).get("Replicas") or 0)
    ports = endpoint.get("Ports") or endpoint_spec.get("Ports") or []
    return SwarmService(
        id=str(raw["ID"]),
        name=str(spec.get("Name") or ""),
        mode=kind,
        image=str((task.get("ContainerSpec") or {}).get("Image") or ""),
        running=int(counts.get("RunningTasks") or 0),
        desired=desired,
        ports=tuple(
            PublishedPort(
                target=int(p.get("TargetPort") or 0),
                published=int(p["PublishedPort"]) if p.get("PublishedPort") else None,
                protocol=str(p.get("Protocol") or "tcp"),
                mode=str(p.get("PublishMode") or "ingress"),
            )
            for p in ports
        ),
        constraints=tuple((task.get("Placement") or {}).get("Constraints") or ()),
        endpoint_mode=str(endpoint_spec.get("Mode") or "vip"),
        labels=Labels(spec.get("Labels") or {}),
        update_status=UpdateStatus(
            state=str(update.get("State") or ""),
            message=str(update.get("Message") or ""),
            started=parse_time(update.get("StartedAt")),
            completed=parse_time(update.get("CompletedAt")),
        )
        if update
        else None,
        networks=tuple(str(n.get("Target")) for n in task.get("Networks") or ()),
        version=int((raw.get("Version") or {}).get("Index") or 0),
        created=parse_time(raw.get("CreatedAt")),
        updated=parse_time(raw.get("UpdatedAt")),
    )


def task(raw: dict[str, Any], services: dict[str, str], hostnames: dict[str, str]) -> SwarmTask:
    status = raw.get("Status") or {}
    service_id = str(raw.get("ServiceID") or "")
    node_id = str(raw.get("NodeID") or "")
    slot = raw.get("Slot")
    container = (status.get("ContainerStatus") or {}).get("ContainerID") or ""
    return SwarmTask(
        id=str(raw["ID"]),
        service_id=service_id,
        service_name=services.get(service_id, service_id[:12]),
        slot=int(slot) if slot else None,
        node_id=node_id,
        node_hostname=hostnames.get(node_id, ""),
        state=str(status.get("State") or ""),
        desired_state=str(raw.get("DesiredState") or ""),
        image=str(((raw.get("Spec") or {}).get("ContainerSpec") or {}).get("Image") or ""),
        error=str(status.get("Err") or ""),
        message=str(status.get("Message") or ""),
        container_id=str(container),
        updated=parse_time(raw.get("UpdatedAt")),
        networks=tuple(_task_address(a) for a in raw.get("NetworksAttachments") or ()),
    )


def _task_address(raw: dict[str, Any]) -> TaskAddress:
    network = raw.get("Network") or {}
    addresses = raw.get("Addresses") or [""]
    return TaskAddress(
        network_id=str(network.get("ID") or ""),
        network=str((network.get("Spec") or {}).get("Name") or ""),
        address=str(addresses[0]).split("/", 1)[0],
    )


def swarm_object(raw: dict[str, Any], kind: ObjectKind) -> SwarmObject:
    spec = raw.get("Spec") or {}
    return SwarmObject(
        id=str(raw["ID"]),
        name=str(spec.get("Name") or ""),
        kind=kind,
        labels=Labels(spec.get("Labels") or {}),
        created=parse_time(raw.get("CreatedAt")),
        updated=parse_time(raw.get("UpdatedAt")),
    )


def overlay_network(raw: dict[str, Any], nodes: tuple[str, ...]) -> OverlayNetwork:
    pools = (raw.get("IPAM") or {}).get("Config") or []
    return OverlayNetwork(
        id=str(raw.get("Id") or raw.get("ID") or ""),
        name=str(raw.get("Name") or ""),
        scope=str(raw.get("Scope") or ""),
        attachable=bool(raw.get("Attachable")),
        ingress=bool(raw.get("Ingress")),
        subnet=str(pools[0].get("Subnet") or "") if pools else "",
        labels=Labels(raw.get("Labels") or {}),
        nodes=nodes,
    )


def _nanos(seconds: float) -> int:
    return int(seconds * NANO)


def _policy(policy: UpdatePolicy) -> dict[str, Any]:
    return {
        "Parallelism": policy.parallelism,
        "Delay": _nanos(policy.delay),
        "FailureAction": policy.failure_action,
        "Monitor": _nanos(policy.monitor),
        "MaxFailureRatio": policy.max_failure_ratio,
        "Order": policy.order,
    }


def _grants(kind: str, grants: tuple[FileGrant, ...], ids: Mapping[tuple[str, str], str]) -> Any:
    """A secret or config is referenced by id and name; a name the swarm lacks is refused."""
    found = []
    for grant in grants:
        ref = ids.get((kind, grant.name))
        if ref is None:
            raise NotFound(f'{kind} "{grant.name}" not found')
        file = {"Name": grant.target, "UID": grant.uid, "GID": grant.gid, "Mode": grant.mode}
        title = kind.capitalize()
        found.append({"File": file, f"{title}ID": ref, f"{title}Name": grant.name})
    return found


def service_spec(
    spec: ServiceSpec,
    network_ids: dict[str, str],
    object_ids: Mapping[tuple[str, str], str] = EMPTY_IDS,
) -> dict[str, Any]:
    """The API's ServiceSpec; `network_ids` maps each network name to its id on the engine,
    `object_ids` each (kind, name) of a secret or config the tasks read."""
    container: dict[str, Any] = {
        "Image": spec.image,
        "Labels": dict(spec.container_labels),
        "Env": [f"{k}={v}" for k, v in spec.env.items()],
        "TTY": spec.tty,
        "OpenStdin": spec.open_stdin,
        "Mounts": [
            {"Type": m.type, "Source": m.source, "Target": m.target, "ReadOnly": m.read_only}
            for m in spec.mounts
        ],
    }
    if spec.secrets:
        container["Secrets"] = _grants("secret", spec.secrets, object_ids)
    if spec.configs:
        container["Configs"] = _grants("config", spec.configs, object_ids)
    optional = {
        "Command": list(spec.command) if spec.command is not None else None,
        "Args": list(spec.args) if spec.args is not None else None,
        "Hostname": spec.hostname,
        "Dir": spec.workdir,
        "User": spec.user,
        "StopGracePeriod": _nanos(spec.stop_grace_period)
        if spec.stop_grace_period is not None
        else None,
    }
    container.update({k: v for k, v in optional.items() if v is not None})
    placement: dict[str, Any] = {
        "Constraints": list(spec.constraints),
        "Preferences": [{"Spread": {"SpreadDescriptor": p}} for p in spec.preferences],
    }
    if spec.max_replicas_per_node:
        placement["MaxReplicas"] = spec.max_replicas_per_node
    template: dict[str, Any] = {
        "ContainerSpec": container,
        "Placement": placement,
        "Networks": [
            {"Target": network_ids.get(n.name, n.name), "Aliases": list(n.aliases)}
            for n in spec.networks
        ],
    }
    if spec.resources is not None:
        r = spec.resources
        template["Resources"] = {
            "Limits": {"NanoCPUs": _nanos(r.cpus_limit), "MemoryBytes": r.memory_limit},
            "Reservations": {
                "NanoCPUs": _nanos(r.cpus_reservation),
                "MemoryBytes": r.memory_reservation,
            },
        }
    if spec.restart_policy is not None:
        p = spec.restart_policy
        template["RestartPolicy"] = {
            "Condition": p.condition,
            "Delay": _nanos(p.delay),
            "MaxAttempts": p.max_attempts,
            "Window": _nanos(p.window),
        }
    mode: dict[str, Any] = (
        {"Global": {}} if spec.mode == "global" else {"Replicated": {"Replicas": spec.replicas}}
    )
    body: dict[str, Any] = {
        "Name": spec.name,
        "Labels": dict(spec.labels),
        "TaskTemplate": template,
        "Mode": mode,
        "EndpointSpec": {
            "Mode": spec.endpoint_mode,
            "Ports": [
                {
                    "Protocol": p.protocol,
                    "TargetPort": p.target,
                    "PublishedPort": p.published or 0,
                    "PublishMode": p.mode,
                }
                for p in spec.ports
            ],
        },
    }
    if spec.update_config is not None:
        body["UpdateConfig"] = _policy(spec.update_config)
    if spec.rollback_config is not None:
        body["RollbackConfig"] = _policy(spec.rollback_config)
    return body
