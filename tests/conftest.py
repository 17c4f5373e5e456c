"""Shared test configuration: in CI a test that needs an engine fails instead of skipping."""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: bool, reason: str) -> None:
    """Skip on a developer's machine, fail in CI: CI never silently skips engine tests."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


pytest_plugins = ["tests.fixtures.docker"]
