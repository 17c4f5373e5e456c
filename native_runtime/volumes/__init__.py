"""Volumes: named and anonymous (local driver), bind mounts and --volumes-from."""
