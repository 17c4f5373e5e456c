"""Dockyard native runtime: a Docker-API engine of our own (filled by later work)."""
