"""The main screen's view controllers, one per view, by the view's name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tui.controllers.base import ViewController
from tui.controllers.containers import ContainersController
from tui.controllers.images import ImagesController
from tui.controllers.networks import NetworksController
from tui.controllers.volumes import VolumesController

if TYPE_CHECKING:
    from tui.screens.main import MainScreen


class ViewControllers:
    """A view added to the screen adds its controller here and its name to VIEWS.

    The Swarm and Fleet controllers (and the swarm's models) are made at their view's first
    key: most engines manage no swarm and most sessions have one engine.
    """

    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen
        self.containers = ContainersController(screen)
        self.images = ImagesController(screen)
        self.volumes = VolumesController(screen)
        self.networks = NetworksController(screen)
        self._controllers: dict[str, ViewController[Any]] = {
            "containers": self.containers,
            "images": self.images,
            "volumes": self.volumes,
            "networks": self.networks,
        }

    def __getitem__(self, view: str) -> ViewController[Any]:
        controller = self._controllers.get(view)
        if controller is None:
            controller = self._controllers[view] = self._made_on_demand(view)
        return controller

    def _made_on_demand(self, view: str) -> ViewController[Any]:
        if view == "swarm":
            from tui.controllers.swarm import SwarmController

            return SwarmController(self.screen)
        if view == "fleet":
            from tui.controllers.fleet import FleetController

            return FleetController(self.screen)
        raise KeyError(view)
