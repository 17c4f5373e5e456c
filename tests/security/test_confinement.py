"""Confinement seen from inside a container, side by side on dockerd and the native engine."""

from __future__ import annotations

from collections.abc import Iterator

import docker
import pytest

from tests.conftest import require
from tests.fixtures.docker import DOCKER_SOCKET, TEST_IMAGE, open_client

MASKED = ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
          "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware"]  # fmt: skip
READ_ONLY = ["/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
             "/proc/sysrq-trigger", "/sys/fs/cgroup"]  # fmt: skip

# Each line of output is one fact; the engines must report the same facts.
REPORT = r"""
grep -E '^(CapPrm|CapEff|CapBnd|CapInh|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status
for p in {masked}; do
  if [ ! -e "$p" ]; then echo "$p absent"
  elif [ -d "$p" ]; then echo "$p entries=$(ls -A "$p" | wc -l)"
  else echo "$p bytes=$(head -c 64 "$p" 2>/dev/null | wc -c)"; fi
done
for p in {read_only}; do
  opts=$(awk -v p="$p" '$5 == p {{ split($6, o, ","); print o[1] }}' /proc/self/mountinfo | tail -1)
  echo "$p mount=${{opts:-none}}"
done
echo "cgroup controllers: $(cut -d: -f2 /proc/self/cgroup | sort | tr '\n' ' ')"
echo "apparmor: $(cat /proc/self/attr/current 2>/dev/null || echo none)"
unshare -U true 2>/dev/null && echo "unshare user ns: allowed" || echo "unshare user ns: refused"
mount -t tmpfs none /mnt 2>/dev/null && echo "mount: allowed" || echo "mount: refused"
""".format(masked=" ".join(MASKED), read_only=" ".join(READ_ONLY))


def _report(client: docker.DockerClient) -> list[str]:
    out = client.containers.run(TEST_IMAGE, ["sh", "-c", REPORT], remove=True)
    return [line for line in out.decode().splitlines() if line]


@pytest.fixture
def both(native_daemon_url: str) -> Iterator[tuple[docker.DockerClient, docker.DockerClient]]:
    from engine_adapters.discovery import socket_answers

    require(socket_answers(DOCKER_SOCKET), f"no dockerd answers on {DOCKER_SOCKET}")
    dockerd, native = open_client(f"unix://{DOCKER_SOCKET}"), open_client(native_daemon_url)
    yield dockerd, native
    dockerd.close()
    native.close()


def test_a_container_is_confined_as_dockerd_confines_it(
    both: tuple[docker.DockerClient, docker.DockerClient],
) -> None:
    dockerd, native = both
    expected, found = _report(dockerd), _report(native)
    assert "Seccomp:\t2" in expected  # the comparison means something only if dockerd filters
    # Stricter than dockerd by design: no_new_privs is always set (dockerd: on request).
    expected = ["NoNewPrivs:\t1" if line == "NoNewPrivs:\t0" else line for line in expected]
    assert found == expected
