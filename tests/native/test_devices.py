"""`--device` and `--device-cgroup-rule` on the native engine, next to the real dockerd."""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docker
import pytest

from native_runtime.containers import devices, spec
from native_runtime.containers.model import Container, ContainerDirs
from native_runtime.errors import BadParameter
from tests.conftest import require
from tests.native.conftest import TEST_IMAGE, NativeDaemon

pytestmark = pytest.mark.native

DOCKERD = "unix:///var/run/docker.sock"
# Type, major,minor (hex, as stat prints them), mode bits and owner of one node.
STAT = "stat -c '%F %t,%T %a %u:%g'"
# Each open in its own subshell: a failed redirection would end busybox sh.
OPEN_BOTH = "(true < {0}) 2>&1; (true > {0}) 2>&1; echo done"
# Past the cgroup, a node with no driver behind it fails to open with ENXIO;
# refused by the devices cgroup, it fails with EPERM.
PASSED = "No such device or address"
REFUSED = "Operation not permitted"


def _free_major(section: str) -> int:
    """A major number from the kernel's local/experimental ranges that nothing registered."""
    text = Path("/proc/devices").read_text()
    block = text.split("Block devices:")[0 if section == "Character" else 1]
    taken = {int(line.split()[0]) for line in block.splitlines() if line.strip()[:1].isdigit()}
    local_use: list[int] = [*range(60, 64), *range(120, 128)]
    return next(m for m in local_use if m not in taken)


CHAR_MAJOR = _free_major("Character")
BLOCK_MAJOR = _free_major("Block")


@pytest.fixture
def nodes(tmp_path: Path) -> Path:
    """Host device nodes with no driver behind them: a char, a block below, a symlink."""
    folder = tmp_path / "devs"
    (folder / "sub").mkdir(parents=True)
    os.mknod(folder / "char", stat.S_IFCHR | 0o640, os.makedev(CHAR_MAJOR, 0))
    os.chmod(folder / "char", 0o640)  # past the umask
    os.mknod(folder / "sub/blk", stat.S_IFBLK | 0o600, os.makedev(BLOCK_MAJOR, 1))
    (folder / "link").symlink_to("char")
    (folder / "plain").write_text("not a device")
    return folder


class Engines:
    """The same docker command line on the native daemon and on dockerd."""

    def __init__(self, native: NativeDaemon) -> None:
        self.hosts = {"native": native.docker_host, "dockerd": DOCKERD}
        self.names: list[str] = []

    def run(self, engine: str, *args: str) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ, DOCKER_HOST=self.hosts[engine])
        env.pop("DOCKER_CONTEXT", None)
        return subprocess.run(
            ["docker", *args], capture_output=True, text=True, env=env, timeout=60, check=False
        )

    def both(self, *args: str) -> dict[str, tuple[int, str, str]]:
        done = {engine: self.run(engine, *args) for engine in self.hosts}
        return {e: (r.returncode, r.stdout, r.stderr) for e, r in done.items()}

    def same(self, *args: str) -> tuple[int, str, str]:
        results = self.both(*args)
        assert results["native"] == results["dockerd"], results
        return results["native"]


@pytest.fixture
def engines(native: NativeDaemon) -> Iterator[Engines]:
    both = Engines(native)
    require(both.run("dockerd", "version").returncode == 0, "the real dockerd is not answering")
    yield both
    for engine in both.hosts:
        if both.names:
            both.run(engine, "rm", "-f", *both.names)


def _sh(*flags: str, script: str) -> tuple[str, ...]:
    """`docker run --rm FLAGS image sh -c SCRIPT` as CLI arguments."""
    return ("run", "--rm", *flags, TEST_IMAGE, "sh", "-c", script)


def _build(tmp_path: Path, **host_config: Any) -> dict[str, Any]:
    ctr = Container(
        id="c" * 64,
        name="box",
        image_id="i",
        image="img",
        created="",
        config={"Cmd": ["true"], "Hostname": "box"},
        host_config=dict(host_config),
    )
    return spec.build(ctr, ContainerDirs(tmp_path), {"uid": 0, "gid": 0}, extra_mounts=[])


# --- the spec, no daemon -------------------------------------------------------------------


def test_a_device_becomes_a_node_and_an_allow_rule(tmp_path: Path) -> None:
    mapping = {"PathOnHost": "/dev/null", "PathInContainer": "/dev/xnull", "CgroupPermissions": "r"}
    config = _build(tmp_path, Devices=[mapping])
    info = os.stat("/dev/null")
    assert config["linux"]["devices"] == [
        {
            "path": "/dev/xnull",
            "type": "c",
            "major": 1,
            "minor": 3,
            "fileMode": stat.S_IMODE(info.st_mode),
            "uid": info.st_uid,
            "gid": info.st_gid,
        },
    ]
    rules = config["linux"]["resources"]["devices"]
    assert rules == [*spec.DEFAULT_DEVICE_RULES, devices.allow("c", 1, 3, "r")]
    # The shared default list is never grown in place.
    assert devices.allow("c", 1, 3, "r") not in spec.DEFAULT_DEVICE_RULES


def test_container_path_and_permissions_default_as_in_docker() -> None:
    found, rules = devices.gather({"Devices": [{"PathOnHost": "/dev/zero"}]})
    assert [(n["path"], n["major"], n["minor"]) for n in found] == [("/dev/zero", 1, 5)]
    assert rules == [devices.allow("c", 1, 5, "rwm")]


def test_a_folder_adds_every_device_below_it(nodes: Path) -> None:
    found, rules = devices.gather(
        {
            "Devices": [
                {"PathOnHost": str(nodes), "PathInContainer": "/dev/xd", "CgroupPermissions": "rw"}
            ]
        }
    )
    # The symlink and the plain file are skipped, as runc's walk skips them.
    assert [(n["path"], n["type"], n["major"], n["minor"], n["fileMode"]) for n in found] == [
        ("/dev/xd/char", "c", CHAR_MAJOR, 0, 0o640),
        ("/dev/xd/sub/blk", "b", BLOCK_MAJOR, 1, 0o600),
    ]
    assert rules == [
        devices.allow("c", CHAR_MAJOR, 0, "rw"),
        devices.allow("b", BLOCK_MAJOR, 1, "rw"),
    ]


def test_a_symlinked_host_path_is_followed(nodes: Path) -> None:
    found, _ = devices.gather(
        {"Devices": [{"PathOnHost": str(nodes / "link"), "PathInContainer": "/dev/l"}]}
    )
    assert [(n["path"], n["major"]) for n in found] == [("/dev/l", CHAR_MAJOR)]


def test_missing_and_non_device_paths_are_refused(nodes: Path) -> None:
    with pytest.raises(BadParameter) as missing:
        devices.gather({"Devices": [{"PathOnHost": "/dev/nope", "PathInContainer": "/dev/nope"}]})
    assert missing.value.message == (
        'error gathering device information while adding custom device "/dev/nope": '
        "no such file or directory"
    )
    plain = str(nodes / "plain")
    with pytest.raises(BadParameter, match=r"not a device node$"):
        devices.gather({"Devices": [{"PathOnHost": plain}]})
    (nodes / "empty").mkdir()
    with pytest.raises(BadParameter, match=r"not a device node$"):
        devices.gather({"Devices": [{"PathOnHost": str(nodes / "empty")}]})
    with pytest.raises(BadParameter, match="invalid device mode: rwx"):
        devices.gather({"Devices": [{"PathOnHost": "/dev/null", "CgroupPermissions": "rwx"}]})


def test_cgroup_rules_parse_with_wildcards() -> None:
    _, rules = devices.gather({"DeviceCgroupRules": ["c 1:3 rwm", "b *:* m", "a 7:* r"]})
    assert rules == [
        devices.allow("c", 1, 3, "rwm"),
        devices.allow("b", None, None, "m"),
        devices.allow("a", 7, None, "r"),
    ]
    for bad in ("c 1:3 rwx", "c 1 rwm", "x 1:3 r", "c 1:3 rwm extra", "c -1:3 r", ""):
        with pytest.raises(BadParameter, match=r"^invalid device cgroup rule format: '.*'$"):
            devices.gather({"DeviceCgroupRules": [bad]})
    with pytest.raises(BadParameter) as split:
        devices.gather({"DeviceCgroupRules": ["c 1:3 r\n"]})
    assert split.value.message == "invalid device cgroup rule format: 'c 1:3 r\\n'"


def test_privileged_ignores_both_lists(tmp_path: Path) -> None:
    # dockerd looks at neither list for --privileged (outside a user namespace): every
    # host device is there already and the cgroup allows everything.
    config = _build(
        tmp_path,
        Privileged=True,
        Devices=[{"PathOnHost": "/dev/nope"}],
        DeviceCgroupRules=["not a rule"],
    )
    assert config["linux"]["resources"]["devices"] == [{"allow": True, "access": "rwm"}]
    assert "/dev/nope" not in {d["path"] for d in config["linux"]["devices"]}


# --- the real CLI against the native daemon, and against dockerd ---------------------------


def test_device_is_made_and_writable(native: NativeDaemon) -> None:
    out = native.out(
        *_sh("--device", "/dev/null:/dev/xnull", script="echo hi > /dev/xnull && ls -l /dev/xnull")
    )
    assert out.startswith("crw-rw-rw-") and " 1,   3 " in out and out.endswith("/dev/xnull")
    absent = native.docker("run", "--rm", TEST_IMAGE, "ls", "/dev/xnull", check=False)
    assert absent.returncode == 1 and b"No such file or directory" in absent.stderr


def test_device_node_matches_dockerd(engines: Engines) -> None:
    script = f"echo hi > /dev/xnull && {STAT} /dev/xnull"
    code, out, _ = engines.same(*_sh("--device", "/dev/null:/dev/xnull", script=script))
    assert (code, out) == (0, "character special file 1,3 666 0:0\n")
    code, _, err = engines.same("run", "--rm", TEST_IMAGE, "ls", "/dev/xnull")
    assert code == 1 and "No such file or directory" in err


def test_read_only_device_refuses_writes(engines: Engines, nodes: Path) -> None:
    script = OPEN_BOTH.format("/dev/xc")
    results = {}
    for access in ("r", "w", "rwm"):
        device = f"{nodes / 'char'}:/dev/xc:{access}"
        code, out, _ = engines.same(*_sh("--device", device, script=script))
        results[access] = (code, out.splitlines())
    assert results["r"][1] == [
        f"sh: can't open /dev/xc: {PASSED}",
        f"sh: can't create /dev/xc: {REFUSED}",
        "done",
    ]
    assert results["w"][1] == [
        f"sh: can't open /dev/xc: {REFUSED}",
        f"sh: can't create /dev/xc: {PASSED}",
        "done",
    ]
    assert results["rwm"][1] == [
        f"sh: can't open /dev/xc: {PASSED}",
        f"sh: can't create /dev/xc: {PASSED}",
        "done",
    ]


def test_read_only_null_still_writable_as_in_dockerd(engines: Engines) -> None:
    # Docker's default rules already allow c 1:3 rwm and cgroup allow rules add up,
    # so ":r" on /dev/null cannot take writing away; dockerd behaves the same.
    code, out, _ = engines.same(
        *_sh("--device", "/dev/null:/dev/xnull:r", script="echo hi > /dev/xnull && echo wrote")
    )
    assert (code, out) == (0, "wrote\n")


def test_a_folder_of_devices_matches_dockerd(engines: Engines, nodes: Path) -> None:
    code, out, _ = engines.same(
        *_sh("--device", f"{nodes}:/dev/xd", script=f"find /dev/xd | sort | xargs {STAT}")
    )
    assert code == 0
    assert out.splitlines() == [
        "directory 0,0 755 0:0",
        f"character special file {CHAR_MAJOR:x},0 640 0:0",
        "directory 0,0 755 0:0",
        f"block special file {BLOCK_MAJOR:x},1 600 0:0",
    ]


def test_missing_device_fails_and_leaves_no_container(
    native: NativeDaemon, cleanup_containers: list[str]
) -> None:
    name = "dev-missing"
    cleanup_containers.append(name)  # only if the refusal were to regress
    for verb in ("run", "create"):
        done = native.docker(
            verb, "--name", name, "--device", "/dev/nope", TEST_IMAGE, "true", check=False
        )
        assert done.returncode != 0
        assert (
            "Error response from daemon: error gathering device information while adding "
            'custom device "/dev/nope": no such file or directory'
        ) in done.stderr.decode()
        assert native.out("ps", "-aq", "--filter", f"name={name}") == ""


def test_cgroup_rule_allows_and_shows_in_inspect(engines: Engines) -> None:
    rule = f"c {CHAR_MAJOR}:* rw"
    script = f"mknod /dev/xm c {CHAR_MAJOR} 7 && " + OPEN_BOTH.format("/dev/xm")
    code, out, _ = engines.same(*_sh("--device-cgroup-rule", rule, script=script))
    assert code == 0
    assert out.splitlines() == [
        f"sh: can't open /dev/xm: {PASSED}",
        f"sh: can't create /dev/xm: {PASSED}",
        "done",
    ]
    code, out, _ = engines.same(*_sh(script=script))
    assert out.splitlines()[:2] == [
        f"sh: can't open /dev/xm: {REFUSED}",
        f"sh: can't create /dev/xm: {REFUSED}",
    ]
    engines.names.append("dev-inspect")
    created = engines.both(
        "create",
        "--name",
        "dev-inspect",
        "--device-cgroup-rule",
        rule,
        "--device-cgroup-rule",
        "b *:* m",
        "--device",
        "/dev/null:/dev/xnull:rw",
        TEST_IMAGE,
    )
    assert [code for code, _, _ in created.values()] == [0, 0]
    fmt = "{{json .HostConfig.Devices}} {{json .HostConfig.DeviceCgroupRules}}"
    _, out, _ = engines.same("inspect", "-f", fmt, "dev-inspect")
    assert out == (
        '[{"PathOnHost":"/dev/null","PathInContainer":"/dev/xnull","CgroupPermissions":"rw"}] '
        f'["{rule}","b *:* m"]\n'
    )


def test_malformed_rule_is_refused_by_the_api(
    native: NativeDaemon, cleanup_containers: list[str]
) -> None:
    cleanup_containers.append("dev-badrule")
    # The CLI checks the format itself, so go through the API as other clients do.
    api = docker.APIClient(base_url=native.docker_host, version="1.41")
    try:
        host_config = api.create_host_config(device_cgroup_rules=["c 1:3 rwx"])
        with pytest.raises(docker.errors.APIError) as refused:
            api.create_container(TEST_IMAGE, "true", name="dev-badrule", host_config=host_config)
        assert refused.value.status_code == 400
        assert refused.value.explanation == "invalid device cgroup rule format: 'c 1:3 rwx'"
        assert api.containers(all=True, filters={"name": "dev-badrule"}) == []
    finally:
        api.close()
