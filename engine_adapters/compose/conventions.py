"""Docker Compose's naming and labels, so its projects and Dockyard's look alike to both."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from engine_adapters.compose.model import NetworkConfig, Project, Service, VolumeConfig
from engine_adapters.models import COMPOSE_PROJECT_LABEL, COMPOSE_SERVICE_LABEL

PREFIX = "com.docker.compose"
PROJECT = COMPOSE_PROJECT_LABEL
SERVICE = COMPOSE_SERVICE_LABEL
NUMBER = f"{PREFIX}.container-number"
ONEOFF = f"{PREFIX}.oneoff"
WORKING_DIR = f"{PREFIX}.project.working_dir"
CONFIG_FILES = f"{PREFIX}.project.config_files"
CONFIG_HASH = f"{PREFIX}.config-hash"
VERSION = f"{PREFIX}.version"
NETWORK = f"{PREFIX}.network"
VOLUME = f"{PREFIX}.volume"
# Compose has no label for this (it leaves the choice within a host port range to dockerd);
# ours records each replica's port of a range, so a recreated or stopped replica keeps it.
HOST_PORTS = "dockyard.compose.host-ports"


def tool_version() -> str:
    try:
        return f"dockyard-{version('dockyard')}"
    except PackageNotFoundError:
        return "dockyard"


def container_name(project: Project, service: Service, number: int = 1) -> str:
    return service.container_name or f"{project.name}-{service.name}-{number}"


def built_image_name(project: Project, service: Service) -> str:
    """The tag of an image built for a service that names none (Compose v2's form)."""
    return f"{project.name}-{service.name}"


def image_of(project: Project, service: Service) -> str:
    return service.image or built_image_name(project, service)


def config_hash(service: Service, extra: dict[str, Any]) -> str:
    """A digest of everything that shapes the container, so `up` recreates only what changed.

    `extra` holds what the file alone does not say: the image id, the resolved
    `container:<id>` of a `service:x` network mode, the engine names of networks.
    """

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        if hasattr(value, "items"):  # Labels
            return {str(k): plain(v) for k, v in value.items()}
        return value

    document = {"service": plain(_service_dict(service)), "extra": plain(extra)}
    encoded = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _service_dict(service: Service) -> dict[str, Any]:
    raw = asdict(service)
    # Neither shapes a container: scaling must not recreate the running ones, and hashes
    # stay those of containers made before these fields existed.
    del raw["profiles"], raw["scale"]
    for port in raw["ports"]:
        # Where a port was written is not its config; a port without a range hashes as before
        del port["origin"]
        if port["published_end"] is None:
            del port["published_end"]
    # asdict keeps Labels objects as they are; make them plain dicts
    for key in ("environment", "labels"):
        raw[key] = dict(getattr(service, key))
    if service.build is not None:
        raw["build"]["args"] = dict(service.build.args)
    return raw


def container_labels(
    project: Project, service: Service, digest: str, number: int = 1
) -> dict[str, str]:
    labels = dict(service.labels)
    labels.update(
        {
            PROJECT: project.name,
            SERVICE: service.name,
            NUMBER: str(number),
            ONEOFF: "False",
            WORKING_DIR: project.working_dir,
            CONFIG_FILES: ",".join(project.config_files),
            CONFIG_HASH: digest,
            VERSION: tool_version(),
        }
    )
    return labels


def network_labels(project: Project, network: NetworkConfig) -> dict[str, str]:
    labels = dict(network.labels)
    labels.update({PROJECT: project.name, NETWORK: network.key, VERSION: tool_version()})
    return labels


def volume_labels(project: Project, volume: VolumeConfig) -> dict[str, str]:
    labels = dict(volume.labels)
    labels.update({PROJECT: project.name, VOLUME: volume.key, VERSION: tool_version()})
    return labels
