"""The per-container lock lives in the verbs: internal callers queue behind API calls."""

from __future__ import annotations

import json
import secrets

import pytest

from tests.native.conftest import TEST_IMAGE, NativeDaemon
from tests.waiting import eventually

pytestmark = pytest.mark.native


def _state(native: NativeDaemon, ref: str) -> dict[str, object]:
    state: dict[str, object] = json.loads(native.out("inspect", ref))[0]["State"]
    return state


async def test_stop_wins_over_a_restart_policy(
    native: NativeDaemon, cleanup_containers: list[str]
) -> None:
    """A crash-looping container stopped by the user stays stopped (no restart slips in)."""
    name = f"lock-{secrets.token_hex(3)}"
    cleanup_containers.append(name)
    native.docker("run", "-d", "--restart", "always", "--name", name, TEST_IMAGE, "sh", "-c",
                  "sleep 0.2; exit 3")  # fmt: skip
    await eventually(lambda: json.loads(native.out("inspect", name))[0]["RestartCount"] >= 1)
    native.docker("stop", "-t", "1", name)
    # A restart queued behind the stop finds it stopped by the user and gives up.
    assert _state(native, name)["Status"] == "exited"
    native.docker("start", name)
    native.docker("stop", "-t", "0", name)
    assert _state(native, name)["Status"] == "exited"


async def test_rm_racing_auto_remove_is_never_a_server_error(native: NativeDaemon) -> None:
    for _ in range(5):
        name = f"lock-rm-{secrets.token_hex(3)}"
        native.docker("run", "-d", "--rm", "--name", name, TEST_IMAGE, "sleep", "0.1")
        removed = native.docker("rm", "-f", name, check=False)
        gone = b"No such container" in removed.stderr
        assert removed.returncode == 0 or gone, removed.stderr.decode()
        await eventually(lambda n=name: native.docker("inspect", n, check=False).returncode)
