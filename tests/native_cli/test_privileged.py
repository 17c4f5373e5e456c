"""`--privileged` on both engines: every capability, no seccomp, host devices, rw sysfs."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from tests.native_cli.conftest import TEST_IMAGE, Cli

STATUS = "grep -E '^(Cap[A-Za-z]+|Seccomp|NoNewPrivs):' /proc/self/status"
# Docker's default set (CapEff of an ordinary root container) and two bits it lacks.
DEFAULT_CAPS = 0xA80425FB
CAP_NET_ADMIN, CAP_SYS_ADMIN = 1 << 12, 1 << 21


def _host_bounding_set() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("CapBnd:"):
            return int(line.split()[1], 16)
    raise AssertionError("no CapBnd in /proc/self/status")


def run_privileged(cli: Cli, *args: str) -> subprocess.CompletedProcess[str]:
    """`docker run --rm --privileged ...`, skipped where dockerd itself cannot do it.

    Docker 20.10 asks runc for every capability the kernel knows, even those its own
    bounding set lacks; on a host that dropped one (CAP_SYS_RESOURCE here) its
    privileged containers fail with "unable to apply caps". Newer dockerd, and the
    native engine, keep to the daemon's bounding set.
    """
    done = cli.run("run", "--rm", "--privileged", *args, check=False)
    if cli.engine == "docker" and "unable to apply caps" in done.stderr:
        pytest.skip("this dockerd cannot run --privileged as root on this host")
    assert done.returncode == 0, f"[{cli.engine}] {done.stderr}"
    return done


def _as_user(cli: Cli, *command: str) -> str:
    """Privileged as uid 1000: what needs no capability, run by every dockerd too."""
    return cli.out("run", "--rm", "--privileged", "--user", "1000", TEST_IMAGE, *command)


def _fields(text: str) -> dict[str, str]:
    pairs = (line.split(":", 1) for line in text.splitlines() if ":" in line)
    return {key: value.strip() for key, value in pairs}


def test_every_capability_no_seccomp_no_no_new_privs(cli: Cli) -> None:
    seen = _fields(run_privileged(cli, TEST_IMAGE, "sh", "-c", STATUS).stdout)
    effective = int(seen["CapEff"], 16)
    assert seen["CapPrm"] == seen["CapBnd"] == seen["CapEff"]
    assert int(seen["CapInh"], 16) == 0
    assert effective & DEFAULT_CAPS == DEFAULT_CAPS
    assert effective & (CAP_NET_ADMIN | CAP_SYS_ADMIN) == CAP_NET_ADMIN | CAP_SYS_ADMIN
    if cli.engine == "native":
        assert effective == _host_bounding_set()
    assert (seen["Seccomp"], seen["NoNewPrivs"]) == ("0", "0")


def test_as_a_user_only_the_bounding_set_is_full(cli: Cli) -> None:
    """This one runs on this host's dockerd too: a user gets no capabilities after exec."""
    done = cli.run("run", "--rm", "--privileged", "--user", "1000", TEST_IMAGE, "sh", "-c", STATUS)
    seen = _fields(done.stdout)
    assert (seen["CapEff"], seen["CapPrm"]) == ("0" * 16, "0" * 16)
    assert int(seen["CapBnd"], 16) & DEFAULT_CAPS == DEFAULT_CAPS
    assert (seen["Seccomp"], seen["NoNewPrivs"]) == ("0", "0")


def test_mount_and_a_new_link_work_only_when_privileged(cli: Cli) -> None:
    link = f"dy{os.urandom(3).hex()}"
    # This kernel has no dummy links (CONFIG_DUMMY is off); a bridge needs the same
    # CAP_NET_ADMIN and stays in the container's namespace just the same.
    script = (
        f"mkdir -p /mnt && mount -t tmpfs none /mnt && touch /mnt/ok && ls /mnt && "
        f"ip link add {link} type bridge && ip -o link show {link}"
    )
    out = run_privileged(cli, TEST_IMAGE, "sh", "-c", script).stdout
    assert out.splitlines()[0] == "ok"
    assert f": {link}: " in out
    host_links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True, check=True)
    assert f": {link}:" not in host_links.stdout  # made in, and gone with, the container's netns
    plain = cli.run("run", "--rm", TEST_IMAGE, "sh", "-c", script, check=False)
    assert plain.returncode != 0


def _host_device_names() -> set[str]:
    names = set()
    for entry in os.scandir("/dev"):
        mode = entry.stat(follow_symlinks=False).st_mode
        if (stat.S_ISCHR(mode) or stat.S_ISBLK(mode)) and entry.name != "console":
            names.add(entry.name)
    return names


def test_host_devices_are_there_and_allowed(cli: Cli) -> None:
    script = "ls /dev; cat /sys/fs/cgroup/devices/devices.list 2>/dev/null || true"
    before = _host_device_names()
    lines = _as_user(cli, "sh", "-c", script).splitlines()
    stable = before & _host_device_names()  # a loop device may come or go meanwhile
    missing = stable - set(lines)
    assert not missing, f"[{cli.engine}] host devices absent: {sorted(missing)}"
    if Path("/sys/fs/cgroup/devices").is_dir():  # cgroup v1: the whitelist is readable
        assert "a *:* rwm" in lines
    plain = set(cli.run("run", "--rm", TEST_IMAGE, "ls", "/dev").stdout.split())
    assert stable - plain, "an ordinary container already had every host device"


def test_no_masked_paths_and_writable_sysfs(cli: Cli) -> None:
    script = "cat /proc/self/mountinfo"
    info = _as_user(cli, "sh", "-c", script).splitlines()
    targets = {line.split()[4]: line for line in info}
    for path in ("/proc/kcore", "/proc/keys", "/proc/sys", "/proc/sysrq-trigger"):
        assert path not in targets, f"[{cli.engine}] {path} is still masked or read-only"
    assert targets["/sys"].split()[5].startswith("rw")
    cgroups = [line for target, line in targets.items() if target.startswith("/sys/fs/cgroup")]
    assert cgroups and all(line.split()[5].startswith("rw") for line in cgroups)
    plain = cli.run("run", "--rm", TEST_IMAGE, "cat", "/proc/self/mountinfo").stdout
    plain_targets = {line.split()[4]: line for line in plain.splitlines()}
    assert {"/proc/keys", "/proc/sys"} <= set(plain_targets)
    assert plain_targets["/sys"].split()[5].startswith("ro")


def test_exec_in_a_privileged_container_keeps_its_capabilities(cli: Cli) -> None:
    name = cli.name("priv-exec")
    done = cli.run("run", "-d", "--privileged", "--name", name, TEST_IMAGE, "sleep", "1000",
                   check=False)  # fmt: skip
    if cli.engine == "docker" and "unable to apply caps" in done.stderr:
        pytest.skip("this dockerd cannot run --privileged as root on this host")
    assert done.returncode == 0, done.stderr
    seen = _fields(cli.out("exec", name, "sh", "-c", STATUS))
    assert seen["CapEff"] == seen["CapBnd"] and seen["Seccomp"] == "0"
    assert int(seen["CapEff"], 16) & CAP_SYS_ADMIN


def test_exec_privileged_in_an_ordinary_container(cli: Cli) -> None:
    name = cli.name("exec-priv")
    cli.run("run", "-d", "--name", name, TEST_IMAGE, "sleep", "1000")
    done = cli.run("exec", "--privileged", name, "sh", "-c", STATUS, check=False)
    if cli.engine == "docker" and "unable to apply caps" in done.stdout + done.stderr:
        pytest.skip("this dockerd cannot grant every capability on this host")
    assert done.returncode == 0, done.stderr
    assert int(_fields(done.stdout)["CapEff"], 16) & CAP_SYS_ADMIN
    assert not int(_fields(cli.out("exec", name, "sh", "-c", STATUS))["CapEff"], 16) & CAP_SYS_ADMIN
