"""Dockyard native runtime: a Docker Engine API 1.41 daemon of our own, on runc and conmon."""
