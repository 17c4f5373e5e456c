"""The resolved project as Compose-style YAML, for `dockyard compose config`."""

from __future__ import annotations

from typing import Any

import yaml

from engine_adapters.compose.model import Project, Service


def project_document(project: Project) -> dict[str, Any]:
    return {
        "name": project.name,
        "services": {s.name: _service(s) for s in project.services},
        "networks": {
            n.key: _drop_empty(
                {
                    "name": n.name,
                    "driver": n.driver,
                    "external": n.external or None,
                    "internal": n.internal or None,
                    "ipam": {"config": [_drop_empty({"subnet": n.subnet, "gateway": n.gateway})]}
                    if n.subnet or n.gateway
                    else None,
                    "labels": dict(n.labels) or None,
                }
            )
            for n in project.networks
            if n.key != "default"
            or any(m.name == "default" for s in project.services for m in s.networks)
        },
        "volumes": {
            v.key: _drop_empty(
                {
                    "name": v.name,
                    "driver": v.driver,
                    "external": v.external or None,
                    "labels": dict(v.labels) or None,
                }
            )
            for v in project.volumes
        },
    }


def render_project(project: Project) -> str:
    document = project_document(project)
    for key in ("networks", "volumes"):
        if not document[key]:
            del document[key]
    return yaml.safe_dump(document, sort_keys=False, default_flow_style=False)


def _service(service: Service) -> dict[str, Any]:
    health = service.healthcheck
    return _drop_empty(
        {
            "image": service.image,
            "build": _drop_empty(
                {
                    "context": service.build.context,
                    "dockerfile": service.build.dockerfile,
                    "args": dict(service.build.args) or None,
                }
            )
            if service.build
            else None,
            "container_name": service.container_name,
            "entrypoint": list(service.entrypoint) if service.entrypoint is not None else None,
            "command": list(service.command) if service.command is not None else None,
            "environment": dict(service.environment) or None,
            "ports": [
                _drop_empty(
                    {
                        "target": p.target,
                        # a range stays the text it was written as, as Compose prints it
                        "published": p.published if p.published_end is None else p.published_text,
                        "protocol": p.protocol,
                        "host_ip": p.host_ip or None,
                    }
                )
                for p in service.ports
            ]
            or None,
            "volumes": [
                _drop_empty(
                    {
                        "type": m.type,
                        "source": m.source or None,
                        "target": m.target,
                        "read_only": m.read_only or None,
                    }
                )
                for m in service.volumes
            ]
            or None,
            "network_mode": service.network_mode,
            "networks": {
                n.name: _drop_empty(
                    {"aliases": list(n.aliases) or None, "ipv4_address": n.ipv4_address}
                )
                or None
                for n in service.networks
            }
            or None,
            "links": list(service.links) or None,
            "depends_on": {d.service: {"condition": d.condition} for d in service.depends_on}
            or None,
            "healthcheck": _drop_empty(
                {
                    "test": list(health.test),
                    "interval": health.interval,
                    "timeout": health.timeout,
                    "retries": health.retries,
                    "start_period": health.start_period,
                }
            )
            if health
            else None,
            "restart": service.restart if service.restart != "no" else None,
            "labels": dict(service.labels) or None,
            "hostname": service.hostname,
            "working_dir": service.working_dir,
            "user": service.user,
            "tty": service.tty or None,
            "stdin_open": service.stdin_open or None,
            "stop_grace_period": service.stop_grace_period,
            "profiles": list(service.profiles) or None,
            "deploy": {"replicas": service.scale} if service.scale is not None else None,
        }
    )


def _drop_empty(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}
