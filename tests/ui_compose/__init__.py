"""Compose project actions in the UI, against the real dockerd."""
