"""The OCI spec for --privileged and --init next to an ordinary container's (no daemon)."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from native_runtime.containers import init_process, privileged, security, spec
from native_runtime.containers.model import Container, ContainerDirs
from native_runtime.errors import BadParameter


def _build(tmp_path: Path, **host_config: Any) -> dict[str, Any]:
    ctr = Container(
        id="c" * 64, name="box", image_id="i", image="img", created="",
        config={"Cmd": ["sleep", "1"], "Hostname": "box"}, host_config=dict(host_config),
    )  # fmt: skip
    return spec.build(ctr, ContainerDirs(tmp_path), {"uid": 0, "gid": 0}, extra_mounts=[])


def _options(config: dict[str, Any], kind: str) -> list[str]:
    return next(m["options"] for m in config["mounts"] if m["type"] == kind)


def test_an_ordinary_container_keeps_every_default(tmp_path: Path) -> None:
    config = _build(tmp_path)
    linux = config["linux"]
    assert linux["maskedPaths"] == spec.MASKED_PATHS
    assert linux["readonlyPaths"] == spec.READONLY_PATHS
    assert linux["resources"]["devices"] == spec.DEFAULT_DEVICE_RULES
    assert "devices" not in linux and "seccomp" in linux
    assert "ro" in _options(config, "sysfs") and "ro" in _options(config, "cgroup")
    assert config["process"]["noNewPrivileges"] is True
    assert config["process"]["capabilities"]["effective"] == spec.DEFAULT_CAPS
    assert config["process"]["args"] == ["sleep", "1"]


def test_privileged_unconfines(tmp_path: Path) -> None:
    # Cap lists are ignored when privileged, unknown names included, as in dockerd.
    config = _build(tmp_path, Privileged=True, CapDrop=["ALL"], CapAdd=["NOPE"])
    linux = config["linux"]
    assert "maskedPaths" not in linux and "readonlyPaths" not in linux
    assert "seccomp" not in linux
    assert linux["resources"]["devices"] == [{"allow": True, "access": "rwm"}]
    assert "ro" not in _options(config, "sysfs") and "ro" not in _options(config, "cgroup")
    assert config["process"]["noNewPrivileges"] is False
    caps = config["process"]["capabilities"]
    assert caps["bounding"] == caps["effective"] == caps["permitted"] == privileged.capabilities()
    assert "inheritable" not in caps
    paths = {d["path"] for d in linux["devices"]}
    assert "/dev/null" in paths and "/dev/console" not in paths
    assert not any(p.startswith(("/dev/pts/", "/dev/shm/")) for p in paths)


def test_privileged_can_still_ask_for_no_new_privileges() -> None:
    for opt in ("no-new-privileges", "no-new-privileges:true", "no-new-privileges=true"):
        assert security.no_new_privileges({"Privileged": True, "SecurityOpt": [opt]})
    off = {"Privileged": True, "SecurityOpt": ["no-new-privileges=false"]}
    assert not security.no_new_privileges(off)
    # An ordinary container keeps it on whatever it asks.
    assert security.no_new_privileges({"SecurityOpt": ["no-new-privileges=false"]})


def test_capabilities_follow_the_bounding_set() -> None:
    status = "Name:\tx\nCapBnd:\t000001fffeffffff\n"
    mask = privileged.bounding_set(status)
    names = [n for bit, n in enumerate(privileged.KERNEL_ORDER) if mask >> bit & 1]
    assert "CAP_SYS_RESOURCE" not in names and "CAP_CHECKPOINT_RESTORE" in names
    assert len(names) == 40
    assert sorted(privileged.KERNEL_ORDER) == sorted(spec.ALL_CAPS)


def test_host_devices_skip_what_runc_skips(tmp_path: Path) -> None:
    (tmp_path / "pts").mkdir()
    (tmp_path / "sub").mkdir()
    for path in ("null", "console", "pts/0", "sub/zero"):
        os.mknod(tmp_path / path, 0o620 | stat.S_IFCHR, os.makedev(1, 3))
        os.chmod(tmp_path / path, 0o620)  # past the umask
    (tmp_path / "plain").write_text("")
    (tmp_path / "link").symlink_to("null")
    found = {d["path"]: d for d in privileged.host_devices(str(tmp_path))}
    assert set(found) == {str(tmp_path / "null"), str(tmp_path / "sub/zero")}
    null = found[str(tmp_path / "null")]
    assert (null["type"], null["major"], null["minor"], null["fileMode"]) == ("c", 1, 3, 0o620)


def test_init_goes_in_front_with_its_mount(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    binary = tmp_path / "tini-static"
    binary.write_text("")
    monkeypatch.setenv(init_process.BINARY_ENV, str(binary))
    config = _build(tmp_path, Init=True)
    assert config["process"]["args"] == ["/sbin/docker-init", "--", "sleep", "1"]
    mount = config["mounts"][-1]
    assert (mount["destination"], mount["source"]) == ("/sbin/docker-init", str(binary))
    assert "ro" in mount["options"]
    assert _build(tmp_path, Init=False)["process"]["args"] == ["sleep", "1"]


def test_init_without_its_binary_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(init_process.BINARY_ENV, str(tmp_path / "absent"))
    init_process.check({})  # not asked for: nothing to check
    with pytest.raises(BadParameter, match="absent not found"):
        init_process.check({"Init": True})
