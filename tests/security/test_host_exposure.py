"""An unprivileged host user against containers: no setuid file of a rootfs or a volume in reach."""

from __future__ import annotations

import grp
import os
import stat
import subprocess

import docker
import pytest

from tests.fixtures.docker import TEST_IMAGE, Resources
from tests.native.conftest import wait_for
from tests.security.hostile import NOBODY, cli, ok


@pytest.fixture
def setuid_box(
    docker_client: docker.DockerClient, docker_url: str, res: Resources
) -> tuple[str, str]:
    """A running container with a setuid-root `id` in its rootfs and in its volume."""
    volume = res.volume()
    name = res.container()
    docker_client.containers.run(
        TEST_IMAGE, ["sleep", "600"], name=name, detach=True, volumes={volume: {"bind": "/vol"}}
    )
    ok(cli(docker_url, "cp", "/usr/bin/id", f"{name}:/suid-id"))
    ctr = docker_client.containers.get(name)
    script = "cp /suid-id /vol/suid-id && chmod 4755 /suid-id /vol/suid-id"
    made = ctr.exec_run(["sh", "-c", script])
    assert made.exit_code == 0, made.output
    merged = ctr.attrs["GraphDriver"]["Data"]["MergedDir"]
    mountpoint = docker_client.api.inspect_volume(volume)["Mountpoint"]
    wait_for(lambda: os.path.exists(f"{merged}/suid-id"), what="the setuid file")
    return f"{merged}/suid-id", f"{mountpoint}/suid-id"


@pytest.mark.parametrize("where", ["rootfs", "volume"])
def test_setuid_files_are_out_of_reach_of_other_users(
    setuid_box: tuple[str, str], where: str
) -> None:
    path = setuid_box[0] if where == "rootfs" else setuid_box[1]
    st = os.stat(path)
    assert st.st_uid == 0 and st.st_mode & stat.S_ISUID  # root can see it: it is there
    # Through a shell: setpriv itself still holds root's capabilities while it looks up
    # the program it runs, so only a process already running as nobody shows the truth.
    argv = [*NOBODY, "/bin/sh", "-c", 'exec "$0"', path]
    ran = subprocess.run(argv, capture_output=True, timeout=30, check=False)
    assert b"euid=0" not in ran.stdout, ran.stdout
    assert ran.returncode != 0


def test_the_api_socket_is_for_root_and_the_docker_group(docker_url: str) -> None:
    st = os.stat(docker_url.removeprefix("unix://"))
    assert stat.S_IMODE(st.st_mode) == 0o660
    try:
        assert st.st_gid == grp.getgrnam("docker").gr_gid
    except KeyError:
        assert st.st_gid == 0
