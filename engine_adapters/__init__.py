"""Dockyard engine layer: the one door from the UI to any container engine."""
