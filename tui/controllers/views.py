"""The main screen's view controllers, one per view, by the view's name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tui.controllers.base import ViewController
from tui.controllers.containers import ContainersController
from tui.controllers.fleet import FleetController
from tui.controllers.images import ImagesController
from tui.controllers.networks import NetworksController
from tui.controllers.swarm import SwarmController
from tui.controllers.volumes import VolumesController

if TYPE_CHECKING:
    from tui.screens.main import MainScreen


class ViewControllers:
    """A view added to the screen adds its controller here and its name to VIEWS."""

    def __init__(self, screen: MainScreen) -> None:
        self.containers = ContainersController(screen)
        self.images = ImagesController(screen)
        self.volumes = VolumesController(screen)
        self.networks = NetworksController(screen)
        self.swarm = SwarmController(screen)
        self.fleet = FleetController(screen)

    def __getitem__(self, view: str) -> ViewController[Any]:
        controllers: dict[str, ViewController[Any]] = {
            "containers": self.containers,
            "images": self.images,
            "volumes": self.volumes,
            "networks": self.networks,
            "swarm": self.swarm,
            "fleet": self.fleet,
        }
        return controllers[view]
