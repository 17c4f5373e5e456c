"""Compose projects found on an engine by their labels, for views that start from containers."""

from __future__ import annotations

import os
from collections.abc import Iterable

from engine_adapters.compose import conventions
from engine_adapters.compose.errors import ComposeFileError
from engine_adapters.compose.loader import load_project
from engine_adapters.compose.model import Project
from engine_adapters.models import Container


def group_by_project(containers: Iterable[Container]) -> dict[str, list[Container]]:
    """Containers of each compose project (one-off `run` containers left out), by project name."""
    groups: dict[str, list[Container]] = {}
    for container in containers:
        project = container.compose_project
        if project and container.labels.get(conventions.ONEOFF, "False") == "False":
            groups.setdefault(project, []).append(container)
    return groups


def project_from_labels(name: str, containers: Iterable[Container]) -> Project:
    """The project as its compose file says, when the labelled file is still there and valid;
    otherwise a project with no services, which still supports down, stop, restart and logs
    (they work from labels), but not up."""
    members = list(containers)
    working_dir = next((c.labels.get(conventions.WORKING_DIR, "") for c in members), "")
    files = next((c.labels.get(conventions.CONFIG_FILES, "") for c in members), "")
    config_files = tuple(f for f in files.split(",") if f)
    paths = [f if os.path.isabs(f) else os.path.join(working_dir, f) for f in config_files]
    if paths and all(os.path.isfile(p) for p in paths):
        try:
            return load_project(paths, name)
        except ComposeFileError:
            pass
    return Project(name=name, working_dir=working_dir, config_files=config_files, services=())
