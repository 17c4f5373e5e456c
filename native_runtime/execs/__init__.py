"""Exec sessions: extra processes inside a running container, with or without a pty."""
