"""Dockyard terminal UI."""
