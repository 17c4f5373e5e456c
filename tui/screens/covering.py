"""CoveringScreen: a full screen pushed over the main one, deaf to the main screen's repaints."""

from __future__ import annotations

from typing import Self

from textual.geometry import Region
from textual.screen import Screen


class CoveringScreen(Screen[None]):
    """The dashboard, topology, shells and command log: opaque, the main screen lives below."""

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        """Drop the dirty regions Textual forwards from the covered main screen.

        Textual (8.2, `Screen._compositor_refresh`) counts the screen below as visible and,
        each time that screen wakes (every stats sample, every reconcile), passes its dirty
        regions up here as `refresh(*regions)`, which repaints this whole screen: 6 to 15 KiB
        per stats tick. Those regions only matter when this screen lets the one below show.
        """
        if regions and not layout and not recompose and self.styles.background.a == 1:
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
