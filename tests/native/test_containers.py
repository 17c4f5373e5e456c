"""The container lifecycle through the real docker CLI against the native daemon."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.native.conftest import TEST_IMAGE, NativeDaemon, make_rootfs_tar, wait_for

pytestmark = pytest.mark.native


def _state(native: NativeDaemon, ref: str) -> dict[str, object]:
    state: dict[str, object] = json.loads(native.out("inspect", ref))[0]["State"]
    return state


def test_run_foreground_prints_output_and_returns_exit_code(native: NativeDaemon) -> None:
    result = native.docker(
        "run", "--rm", TEST_IMAGE, "sh", "-c", "echo to-out; echo to-err >&2; exit 7", check=False
    )
    assert result.returncode == 7
    assert result.stdout == b"to-out\n"
    assert result.stderr == b"to-err\n"


def test_run_with_tty_gives_raw_terminal_output(native: NativeDaemon) -> None:
    result = native.docker("run", "--rm", "-t", TEST_IMAGE, "echo", "tty")
    assert result.stdout == b"tty\r\n"


def test_run_rm_removes_the_container(native: NativeDaemon) -> None:
    native.docker("run", "--rm", "--name", "native-rm", TEST_IMAGE, "true")
    assert native.docker("inspect", "native-rm", check=False).returncode != 0


def test_detached_run_logs_and_ps(native: NativeDaemon, cleanup_containers: list[str]) -> None:
    cleanup_containers.append("native-logs")
    native.out(
        "run", "-d", "--name", "native-logs", TEST_IMAGE,
        "sh", "-c", "echo one; echo two >&2; echo three; exit 4",
    )  # fmt: skip
    wait_for(lambda: _state(native, "native-logs")["Status"] == "exited", what="exit")
    logs = native.docker("logs", "native-logs")
    assert logs.stdout == b"one\nthree\n"
    assert logs.stderr == b"two\n"
    stamped = native.out("logs", "-t", "native-logs").splitlines()[0]
    assert stamped.endswith(" one") and stamped[:4].isdigit() and "Z " in stamped
    listed = native.out("ps", "-a", "--filter", "name=native-logs", "--format", "{{.Status}}")
    assert listed.startswith("Exited (4)")
    assert "native-logs" not in native.out("ps", "--format", "{{.Names}}")


def test_follow_logs_end_when_container_exits(
    native: NativeDaemon, cleanup_containers: list[str]
) -> None:
    cleanup_containers.append("native-follow")
    native.out("run", "-d", "--name", "native-follow", TEST_IMAGE,
               "sh", "-c", "for i in 1 2 3; do echo line$i; sleep 0.1; done")  # fmt: skip
    out = native.docker("logs", "-f", "native-follow", timeout=20).stdout
    assert out == b"line1\nline2\nline3\n"
    assert native.docker("logs", "--tail", "2", "native-follow").stdout == b"line2\nline3\n"


def test_stop_kill_start_rm(native: NativeDaemon, cleanup_containers: list[str]) -> None:
    cleanup_containers.append("native-life")
    # trap makes the shell (pid 1) honour SIGTERM, like a real service.
    script = "trap 'exit 0' TERM; while true; do sleep 0.1; done"
    native.out("run", "-d", "--name", "native-life", TEST_IMAGE, "sh", "-c", script)
    assert _state(native, "native-life")["Running"] is True
    native.out("stop", "-t", "5", "native-life")
    state = _state(native, "native-life")
    assert state["Status"] == "exited" and state["ExitCode"] == 0
    native.out("start", "native-life")
    assert _state(native, "native-life")["Running"] is True
    native.out("kill", "native-life")
    wait_for(lambda: _state(native, "native-life")["Status"] == "exited", what="kill")
    assert _state(native, "native-life")["ExitCode"] == 137
    native.out("rm", "native-life")
    assert native.docker("inspect", "native-life", check=False).returncode != 0


def test_stop_escalates_to_sigkill(native: NativeDaemon, cleanup_containers: list[str]) -> None:
    cleanup_containers.append("native-stubborn")
    native.out("run", "-d", "--name", "native-stubborn", TEST_IMAGE, "sleep", "1000")
    native.out("stop", "-t", "1", "native-stubborn")
    assert _state(native, "native-stubborn")["ExitCode"] == 137


def test_rm_running_needs_force(native: NativeDaemon, cleanup_containers: list[str]) -> None:
    cleanup_containers.append("native-busy")
    native.out("run", "-d", "--name", "native-busy", TEST_IMAGE, "sleep", "1000")
    refused = native.docker("rm", "native-busy", check=False)
    assert refused.returncode != 0 and b"cannot remove a running container" in refused.stderr
    native.out("rm", "-f", "native-busy")
    assert native.docker("inspect", "native-busy", check=False).returncode != 0


def test_inspect_shape_and_overrides(native: NativeDaemon, cleanup_containers: list[str]) -> None:
    cleanup_containers.append("native-shape")
    native.out(
        "create", "--name", "native-shape", "-e", "GREETING=hi", "-w", "/tmp", "-u", "65534",
        "-h", "shapehost", "--label", "tier=test", "--entrypoint", "/bin/sh", TEST_IMAGE,
        "-c", "echo $GREETING $(pwd) $(id -u) $(hostname)",
    )  # fmt: skip
    doc = json.loads(native.out("inspect", "native-shape"))[0]
    assert doc["Name"] == "/native-shape"
    assert doc["State"]["Status"] == "created" and doc["State"]["Running"] is False
    assert doc["Config"]["Labels"] == {"tier": "test"}
    assert doc["Path"] == "/bin/sh"
    assert doc["HostConfig"]["NetworkMode"] in ("default", "none")
    assert "Networks" in doc["NetworkSettings"]
    native.out("start", "native-shape")
    wait_for(lambda: _state(native, "native-shape")["Status"] == "exited", what="exit")
    assert native.out("logs", "native-shape") == "hi /tmp 65534 shapehost"
    listed = native.out("ps", "-a", "--filter", "label=tier=test", "--format", "{{.Names}}")
    assert listed == "native-shape"


def test_hardening_defaults(native: NativeDaemon) -> None:
    script = (
        "grep -E '^(CapEff|NoNewPrivs)' /proc/self/status; "
        "wc -c < /proc/keys; "
        "echo x > /proc/sys/kernel/hostname 2>/dev/null && echo writable || echo readonly"
    )
    out = native.out("run", "--rm", TEST_IMAGE, "sh", "-c", script).split()
    # Docker's default capability set, as a mask.
    assert out[out.index("CapEff:") + 1] == "00000000a80425fb"
    assert out[out.index("NoNewPrivs:") + 1] == "1"
    assert out[-2] == "0" and out[-1] == "readonly"


def test_resource_limits_reach_the_cgroup(
    native: NativeDaemon, cleanup_containers: list[str]
) -> None:
    cleanup_containers.append("native-limits")
    cid = native.out(
        "run", "-d", "--name", "native-limits", "--memory", "64m", "--cpus", "0.5",
        "--pids-limit", "50", TEST_IMAGE, "sleep", "1000",
    )  # fmt: skip
    cgroup = Path("/sys/fs/cgroup")
    memory = (cgroup / f"memory/dockyard/{cid}/memory.limit_in_bytes").read_text().strip()
    assert memory == str(64 * 1024 * 1024)
    assert (cgroup / f"cpu/dockyard/{cid}/cpu.cfs_quota_us").read_text().strip() == "50000"
    assert (cgroup / f"pids/dockyard/{cid}/pids.max").read_text().strip() == "50"
    host = json.loads(native.out("inspect", cid))[0]["HostConfig"]
    assert host["Memory"] == 64 * 1024 * 1024 and host["NanoCpus"] == 500_000_000


def test_default_path_when_image_sets_none(native: NativeDaemon, tmp_path: Path) -> None:
    tar = make_rootfs_tar(tmp_path / "rootfs.tar")
    native.out("import", str(tar), "native-test/nopath:1")
    try:
        out = native.out("run", "--rm", "native-test/nopath:1", "/bin/sh", "-c", "echo $PATH")
        assert out == "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    finally:
        native.docker("rmi", "native-test/nopath:1", check=False)


def test_rename_and_name_conflict(native: NativeDaemon, cleanup_containers: list[str]) -> None:
    cleanup_containers.extend(["native-a", "native-b", "native-c"])
    native.out("create", "--name", "native-a", TEST_IMAGE, "true")
    native.out("create", "--name", "native-b", TEST_IMAGE, "true")
    clash = native.docker("rename", "native-a", "native-b", check=False)
    assert clash.returncode != 0 and b"already in use" in clash.stderr
    native.out("rename", "native-a", "native-c")
    assert native.out("inspect", "--format", "{{.Name}}", "native-c") == "/native-c"


def test_unknown_network_is_refused_clearly(native: NativeDaemon) -> None:
    result = native.docker("run", "--rm", "--network", "nosuchnet", TEST_IMAGE, "true", check=False)
    assert result.returncode != 0 and b"nosuchnet" in result.stderr
    assert b"not found" in result.stderr


def test_host_network_shares_the_host_namespace(native: NativeDaemon) -> None:
    host_ns = os.readlink("/proc/self/ns/net")
    out = native.out(
        "run", "--rm", "--network", "host", TEST_IMAGE, "readlink", "/proc/self/ns/net"
    )
    assert out == host_ns
    isolated = native.out("run", "--rm", TEST_IMAGE, "readlink", "/proc/self/ns/net")
    assert isolated != host_ns
    assert native.out("run", "--rm", TEST_IMAGE, "ls", "/sys/class/net").split() == ["eth0", "lo"]
    none = native.out("run", "--rm", "--net", "none", TEST_IMAGE, "ls", "/sys/class/net")
    assert none.split() == ["lo"]


def test_run_interactive_pipes_stdin(native: NativeDaemon) -> None:
    result = native.docker("run", "-i", "--rm", TEST_IMAGE, "wc", "-l", input=b"a\nb\nc\n")
    assert result.stdout.strip() == b"3"


def test_start_attach_and_restart(native: NativeDaemon, cleanup_containers: list[str]) -> None:
    cleanup_containers.append("native-again")
    native.out("create", "--name", "native-again", TEST_IMAGE, "sh", "-c", "echo run; exit 2")
    first = native.docker("start", "-a", "native-again", check=False)
    assert (first.returncode, first.stdout) == (2, b"run\n")
    second = native.docker("start", "-a", "native-again", check=False)
    # Attach shows only the new run's output; the log keeps both runs.
    assert (second.returncode, second.stdout) == (2, b"run\n")
    assert native.docker("logs", "native-again").stdout == b"run\nrun\n"


def test_restart_gives_a_new_pid(native: NativeDaemon, cleanup_containers: list[str]) -> None:
    cleanup_containers.append("native-restart")
    native.out("run", "-d", "--name", "native-restart", TEST_IMAGE, "sleep", "1000")
    before = json.loads(native.out("inspect", "native-restart"))[0]["State"]["Pid"]
    native.out("restart", "-t", "0", "native-restart")
    state = json.loads(native.out("inspect", "native-restart"))[0]["State"]
    assert state["Running"] is True and state["Pid"] != before


def test_container_prune_removes_only_stopped(
    native: NativeDaemon, cleanup_containers: list[str]
) -> None:
    cleanup_containers.extend(["native-prune-up", "native-prune-down"])
    native.out("run", "-d", "--name", "native-prune-up", TEST_IMAGE, "sleep", "1000")
    native.out("create", "--name", "native-prune-down", "--label", "prune=me", TEST_IMAGE, "true")
    native.out("container", "prune", "-f", "--filter", "label=prune=me")
    assert native.docker("inspect", "native-prune-down", check=False).returncode != 0
    assert json.loads(native.out("inspect", "native-prune-up"))[0]["State"]["Running"] is True


def test_cap_add_drop_tmpfs_and_extra_hosts(native: NativeDaemon) -> None:
    script = (
        "grep CapEff /proc/self/status; grep ' /scratch ' /proc/mounts; grep gateway /etc/hosts"
    )
    out = native.out(
        "run", "--rm", "--cap-drop", "ALL", "--cap-add", "NET_ADMIN", "--tmpfs", "/scratch",
        "--add-host", "gateway:10.9.8.7", TEST_IMAGE, "sh", "-c", script,
    )  # fmt: skip
    lines = out.splitlines()
    assert lines[0].split()[1] == f"{1 << 12:016x}"  # CAP_NET_ADMIN is bit 12, nothing else
    assert lines[1].split()[2] == "tmpfs"
    assert lines[2].split() == ["10.9.8.7", "gateway"]


def test_failed_start_reports_cleanly_and_auto_removes(native: NativeDaemon) -> None:
    result = native.docker(
        "run", "--rm", "--name", "native-nocmd", TEST_IMAGE, "/nonexistent", check=False
    )
    assert result.returncode == 127
    assert b'exec: "/nonexistent"' in result.stderr
    assert b'{"message"' not in result.stderr  # decoded by the CLI, not dumped raw
    native.out("create", "--name", "native-nocmd2", TEST_IMAGE, "/nonexistent")
    try:
        assert native.docker("start", "native-nocmd2", check=False).returncode != 0
        state = json.loads(native.out("inspect", "native-nocmd2"))[0]["State"]
        assert (state["Status"], state["ExitCode"]) == ("created", 127)
        assert "/nonexistent" in state["Error"]
    finally:
        native.docker("rm", "native-nocmd2", check=False)
    wait_for(
        lambda: native.docker("inspect", "native-nocmd", check=False).returncode != 0,
        what="auto-removal after the failed start",
    )


def _runc_leftovers(native: NativeDaemon, cid: str) -> list[str]:
    """runc's record and the cgroup folders of a container, where they remain."""
    cgroups = [str(p) for p in Path("/sys/fs/cgroup").glob(f"*/dockyard/{cid}")]
    record = native.data_root / "runc" / cid
    return cgroups + ([str(record)] if record.exists() else [])


@pytest.mark.parametrize("pid_mode", [[], ["--pid", "host"]], ids=["own-pid-ns", "host-pid"])
def test_an_ended_container_leaves_no_runc_record_or_cgroup(
    native: NativeDaemon, pid_mode: list[str]
) -> None:
    """The end of a container drops runc's record and its cgroups (by the daemon itself when
    the container had its own PID namespace, by `runc delete` otherwise), and it starts again."""
    cid = native.out("run", "-d", *pid_mode, TEST_IMAGE, "sh", "-c", "exit 3")
    try:
        wait_for(lambda: _state(native, cid)["Status"] == "exited", what="the exit")
        wait_for(lambda: not _runc_leftovers(native, cid), what="runc's record and cgroups to go")
        assert native.docker("start", "-a", cid, check=False).returncode == 3
        wait_for(lambda: not _runc_leftovers(native, cid), what="the second run's to go")
        sleeper = native.out("run", "-d", *pid_mode, TEST_IMAGE, "sleep", "1000")
        native.out("rm", "-f", sleeper)
        wait_for(lambda: not _runc_leftovers(native, sleeper), what="a removed one's to go")
    finally:
        native.docker("rm", "-f", cid, check=False)
