"""A kill that reaches a container between its exit and its bookkeeping signals nothing.

pid 0 means "no process": os.kill(0, ...) would signal the caller's whole process group,
which for the daemon is the daemon itself.
"""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import signal
from native_runtime.containers.kill import send
from native_runtime.containers.model import Container
ctr = Container(id="0" * 64, name="gone", image_id="", image="", created="", config={},
                host_config={})
send(ctr, signal.SIGTERM)
print("still here")
"""


def test_a_container_without_a_pid_is_not_signalled() -> None:
    # its own session: if the signal went to the group, only this child would die
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60,
        start_new_session=True, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stdout.strip()) == (0, "still here"), done.stderr
