"""Compose for every engine: load and check compose files, orchestrate over the Engine protocol."""

from engine_adapters.compose.discovered import group_by_project, project_from_labels
from engine_adapters.compose.errors import ComposeError, ComposeFileError, Problem
from engine_adapters.compose.loader import find_compose_file, load_project, normalize_project_name
from engine_adapters.compose.logs import merged_logs
from engine_adapters.compose.model import Project, Service
from engine_adapters.compose.orchestrator import Orchestrator
from engine_adapters.compose.render import render_project

__all__ = [
    "ComposeError",
    "ComposeFileError",
    "Orchestrator",
    "Problem",
    "Project",
    "Service",
    "find_compose_file",
    "group_by_project",
    "load_project",
    "merged_logs",
    "normalize_project_name",
    "project_from_labels",
    "render_project",
]
