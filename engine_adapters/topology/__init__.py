"""The network topology: a graph built from any engine, its layout and its exporters."""

from engine_adapters.topology.canvas import Canvas, CanvasOverlap, CellKind
from engine_adapters.topology.exporters import FORMATS, export, render_dot, render_svg, render_text
from engine_adapters.topology.layout import LEGEND, Layout, NodeBox, layout_topology
from engine_adapters.topology.model import (
    Attachment,
    Cluster,
    ContainerNode,
    Link,
    NetworkNode,
    NodeState,
    SharedStack,
    Topology,
    build_topology,
    changes_topology,
    load_topology,
)

__all__ = [
    "FORMATS",
    "LEGEND",
    "Attachment",
    "Canvas",
    "CanvasOverlap",
    "CellKind",
    "Cluster",
    "ContainerNode",
    "Layout",
    "Link",
    "NetworkNode",
    "NodeBox",
    "NodeState",
    "SharedStack",
    "Topology",
    "build_topology",
    "changes_topology",
    "export",
    "layout_topology",
    "load_topology",
    "render_dot",
    "render_svg",
    "render_text",
]
