"""Dockerfile builds and `docker commit` for the native engine (the classic builder's rules)."""
