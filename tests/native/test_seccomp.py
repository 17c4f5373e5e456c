"""Seccomp: the default filter, `seccomp=unconfined` and custom profiles, beside dockerd."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from native_runtime.containers import seccomp, security
from native_runtime.errors import BadParameter
from tests.conftest import require
from tests.native.conftest import TEST_IMAGE, NativeDaemon

pytestmark = pytest.mark.native

DOCKERD = "unix:///var/run/docker.sock"
Docker = Callable[..., subprocess.CompletedProcess[bytes]]
STATUS = ["grep", "-E", "^(Seccomp|NoNewPrivs):", "/proc/self/status"]
# A profile that allows everything but mkdir, which fails with EACCES instead of EPERM.
NO_MKDIR = {
    "defaultAction": "SCMP_ACT_ALLOW",
    "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
    "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}],
}


def _runner(host: str) -> Docker:
    def run(*args: str) -> subprocess.CompletedProcess[bytes]:
        env = dict(os.environ, DOCKER_HOST=host)
        env.pop("DOCKER_CONTEXT", None)
        return subprocess.run(["docker", *args], capture_output=True, env=env, timeout=60,
                              check=False)  # fmt: skip

    return run


@pytest.fixture
def engines(native: NativeDaemon) -> Iterator[dict[str, Docker]]:
    dockerd = _runner(DOCKERD)
    require(dockerd("version").returncode == 0, "the real dockerd is not answering")
    runners = {"native": _runner(native.docker_host), "dockerd": dockerd}
    yield runners
    for run in runners.values():
        run("rm", "-f", "seccomp-box")


def _fields(out: bytes) -> dict[str, str]:
    pairs = (line.split(":", 1) for line in out.decode().splitlines() if ":" in line)
    return {key: value.strip() for key, value in pairs}


def test_default_filter_is_on_in_both_engines(engines: dict[str, Docker]) -> None:
    seen = {name: _fields(run("run", "--rm", TEST_IMAGE, *STATUS).stdout)
            for name, run in engines.items()}  # fmt: skip
    assert seen["native"]["Seccomp"] == seen["dockerd"]["Seccomp"] == "2"
    assert seen["native"]["NoNewPrivs"] == "1"


@pytest.mark.parametrize(
    "command",
    [["unshare", "-n", "true"], ["sh", "-c", "mkdir -p /m && mount -t tmpfs none /m"]],
    ids=["unshare", "mount"],
)
def test_namespace_and_mount_calls_are_refused(
    engines: dict[str, Docker], command: list[str]
) -> None:
    for name, run in engines.items():
        done = run("run", "--rm", TEST_IMAGE, *command)
        assert done.returncode != 0, name
        # EPERM: unshare names it; busybox mount words it as "permission denied".
        assert b"not permitted" in done.stderr or b"permission denied" in done.stderr, name


def test_cap_sys_admin_unlocks_mount(engines: dict[str, Docker]) -> None:
    script = "mkdir -p /m && mount -t tmpfs none /m && echo mounted"
    for name, run in engines.items():
        done = run("run", "--rm", "--cap-add", "SYS_ADMIN", TEST_IMAGE, "sh", "-c", script)
        assert (done.returncode, done.stdout) == (0, b"mounted\n"), (name, done.stderr)


def test_unconfined_has_no_filter(engines: dict[str, Docker]) -> None:
    for name, run in engines.items():
        done = run("run", "--rm", "--security-opt", "seccomp=unconfined", TEST_IMAGE, *STATUS)
        assert _fields(done.stdout)["Seccomp"] == "0", name


def test_ordinary_work_and_exec_run_under_the_filter(native: NativeDaemon) -> None:
    script = (
        "echo a > /tmp/f && cat /tmp/f && ls / >/dev/null && ps >/dev/null && date >/dev/null"
        " && linux32 uname -m && (sleep 0 &) && wait && echo done"
    )
    assert native.out("run", "--rm", TEST_IMAGE, "sh", "-c", script).split() == [
        "a", "i686", "done",
    ]  # fmt: skip
    native.out("run", "-d", "--name", "seccomp-exec", TEST_IMAGE, "sleep", "1000")
    try:
        assert _fields(native.docker("exec", "seccomp-exec", *STATUS).stdout)["Seccomp"] == "2"
        refused = native.docker("exec", "seccomp-exec", "unshare", "-n", "true", check=False)
        assert refused.returncode != 0 and b"not permitted" in refused.stderr
    finally:
        native.docker("rm", "-f", "seccomp-exec", check=False)


def test_profile_file_is_applied_and_shown(engines: dict[str, Docker], tmp_path: Path) -> None:
    profile = tmp_path / "no-mkdir.json"
    profile.write_text(json.dumps(NO_MKDIR, indent=2))
    shown = {}
    for name, run in engines.items():
        opt = f"seccomp={profile}"
        done = run("run", "--name", "seccomp-box", "--security-opt", opt, TEST_IMAGE,
                   "sh", "-c", "mkdir /x")  # fmt: skip
        assert done.returncode == 1 and b"Permission denied" in done.stderr, name
        shown[name] = run("inspect", "-f", "{{json .HostConfig.SecurityOpt}}", "seccomp-box")
    # The CLI sends the file's JSON; both engines show it back exactly as sent.
    assert shown["native"].stdout == shown["dockerd"].stdout
    [opt] = json.loads(shown["native"].stdout)
    assert json.loads(opt.removeprefix("seccomp=")) == NO_MKDIR


def test_malformed_profile_is_refused(native: NativeDaemon, tmp_path: Path) -> None:
    profile = tmp_path / "bad.json"
    profile.write_text(json.dumps({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": 5}))
    done = native.docker("create", "--security-opt", f"seccomp={profile}", TEST_IMAGE,
                         check=False)  # fmt: skip
    assert done.returncode != 0 and b"seccomp profile" in done.stderr


def test_default_profile_rules() -> None:
    """The capability groups and the clone filter follow the capabilities held."""
    plain = seccomp.default_profile(["CAP_CHOWN"], (6, 1))
    admin = seccomp.default_profile(["CAP_SYS_ADMIN"], (6, 1))
    old_kernel = seccomp.default_profile([], (4, 4))

    def allowed(profile: dict[str, Any]) -> set[str]:
        return {n for r in profile["syscalls"] if r["action"] == "SCMP_ACT_ALLOW"
                and not r.get("args") for n in r["names"]}  # fmt: skip

    assert {"mount", "unshare", "setns", "clone"} <= allowed(admin)
    assert not {"mount", "unshare", "setns", "clone", "keyctl", "reboot"} & allowed(plain)
    assert "ptrace" in allowed(plain) and "ptrace" not in allowed(old_kernel)
    clone_rules = [r for r in plain["syscalls"] if "clone" in r["names"]]
    assert clone_rules[0]["args"][0]["op"] == "SCMP_CMP_MASKED_EQ"
    assert plain["defaultAction"] == "SCMP_ACT_ERRNO" and plain["defaultErrnoRet"] == 1


def test_docker_profile_conversion() -> None:
    profile = {
        "defaultAction": "SCMP_ACT_ERRNO",
        "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}],
        "syscalls": [
            {"names": ["read"], "action": "SCMP_ACT_ALLOW", "comment": "dropped"},
            {"name": "mount", "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
            {"names": ["ptrace"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "4.8"}},
            {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
             "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
            {"names": ["s390_only"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["s390x"]}},
        ],
    }  # fmt: skip
    out = security.from_docker_profile(json.dumps(profile), ["CAP_SYS_ADMIN"], (4, 4))
    assert out["architectures"] == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"]
    assert out["syscalls"] == [
        {"names": ["read"], "action": "SCMP_ACT_ALLOW"},
        {"names": ["mount"], "action": "SCMP_ACT_ALLOW"},
    ]
    with pytest.raises(BadParameter):
        security.from_docker_profile('{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{}]}',
                                     [], (6, 1))  # fmt: skip
    assert security.seccomp_filter({"SecurityOpt": ["seccomp:unconfined"]}, []) is None
    assert security.seccomp_filter({"Privileged": True}, []) is None
