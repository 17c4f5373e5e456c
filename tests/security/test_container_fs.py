"""A container against the host through its own filesystem: swapped symlinks, /etc links, FIFOs."""

from __future__ import annotations

import contextlib
import io
import os
import socket
import tarfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from tests.fixtures.docker import TEST_IMAGE, Resources, is_native
from tests.native.conftest import wait_for
from tests.security.conftest import SECRET, Canary
from tests.security.hostile import busybox_rootfs, cli, import_image, swapping

TRIES = 100
INSIDE = b"inside\n"


@pytest.fixture
def swapper_box(
    docker_client: docker.DockerClient, res: Resources, canary: Canary
) -> Iterator[str]:
    """A running container with /w/dir (a folder) and /w/link (a link to the host canary).

    The container has a folder of the canary's name too, so a lookup through the
    link resolved inside the container succeeds and only a copy that follows it
    on the host side (the race) can reach the canary.
    """
    script = (
        f"mkdir -p /w/dir {canary.root} && echo inside > /w/dir/secret && "
        f"echo inside > {canary.root}/secret && ln -s {canary.root} /w/link"
    )
    ctr = docker_client.containers.run(
        TEST_IMAGE, ["sh", "-c", f"{script} && exec sleep 600"], name=res.container(), detach=True
    )
    wait_for(lambda: ctr.exec_run(["test", "-L", "/w/link"]).exit_code == 0, what="the box")
    yield str(ctr.id)


def _proc_root(client: docker.DockerClient, ctr: str) -> str:
    pid = client.api.inspect_container(ctr)["State"]["Pid"]
    assert pid, "the container has no process"
    return f"/proc/{pid}/root"


def _tar_contents(chunks: Iterator[bytes]) -> list[bytes]:
    with tarfile.open(fileobj=io.BytesIO(b"".join(chunks))) as tar:
        files = [tar.extractfile(m) for m in tar.getmembers() if m.isfile()]
        return [f.read() for f in files if f is not None]


def test_copy_out_while_a_symlink_is_swapped_in_reads_nothing_of_the_host(
    docker_client: docker.DockerClient, swapper_box: str
) -> None:
    root = _proc_root(docker_client, swapper_box)
    with swapping(f"{root}/w/dir", f"{root}/w/link") as swaps:
        for attempt in range(TRIES):
            path = "/w/dir/secret" if attempt % 2 else "/w/dir"
            try:
                stream, _ = docker_client.api.get_archive(swapper_box, path)
                contents = _tar_contents(stream)
            except (docker.errors.APIError, tarfile.ReadError):
                # The link was in place (it leads nowhere inside the container), or
                # the engine noticed the swap mid-stream and cut the copy short.
                continue
            # Even a part of a host file counts: the header and the data may come from
            # different files when a copy follows a swapped link halfway.
            assert all(c == INSIDE for c in contents), f"read the host through {path} ({attempt})"
    assert swaps[0] > 0


def test_copy_in_while_a_symlink_is_swapped_in_writes_nothing_on_the_host(
    docker_client: docker.DockerClient, swapper_box: str, canary: Canary
) -> None:
    payload = io.BytesIO()
    with tarfile.open(fileobj=payload, mode="w") as tar:
        info = tarfile.TarInfo("dropped")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"hi\n"))
    root = _proc_root(docker_client, swapper_box)
    with swapping(f"{root}/w/dir", f"{root}/w/link") as swaps:
        for attempt in range(TRIES):
            # A refusal is fine (dockerd answers 500: its chmod met the swap).
            with contextlib.suppress(docker.errors.APIError):
                docker_client.api.put_archive(swapper_box, "/w/dir", payload.getvalue())
            assert not (canary.root / "dropped").exists(), f"host written (try {attempt})"
    assert swaps[0] > 0


def test_user_names_resolve_in_the_image_not_through_an_etc_link_to_the_host(
    docker_url: str, res: Resources, canary: Canary
) -> None:
    image = f"dyk-sec-etc-{res.prefix}:latest"
    res.images.append(image)
    import_image(docker_url, busybox_rootfs(etc_link=str(canary.etc)), image)
    ran = cli(docker_url, "run", "--rm", "--user", "evil", image, "id", "-u")
    assert ran.returncode != 0, "the host's passwd file named the user"
    assert b"4242" not in ran.stdout


def _ping(sock_path: str) -> float:
    began = time.monotonic()
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(5)
        sock.connect(sock_path)
        sock.sendall(b"GET /_ping HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")
    return time.monotonic() - began


def _feed_fifo(path: Path) -> None:
    """Give a reader blocked on the FIFO its end of file (dockerd blocks on it)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        return  # no reader yet, or not mounted
    os.close(fd)


def test_a_fifo_for_etc_passwd_never_stalls_the_engine(
    docker_client: docker.DockerClient, docker_url: str, res: Resources
) -> None:
    ctr = docker_client.containers.run(
        TEST_IMAGE, ["sh", "-c", "rm -f /etc/passwd && mkfifo /etc/passwd"],
        name=res.container(), detach=True,
    )  # fmt: skip
    assert ctr.wait(timeout=30)["StatusCode"] == 0
    ctr_id = str(ctr.id)
    # Known before the start: during it dockerd holds the container's lock.
    merged = Path(docker_client.api.inspect_container(ctr_id)["GraphDriver"]["Data"]["MergedDir"])
    starter = docker.APIClient(base_url=docker_url, version="1.41", timeout=60)
    outcome: list[BaseException | None] = []

    def start() -> None:
        try:
            starter.start(ctr_id)
            outcome.append(None)
        except docker.errors.APIError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=start)
    thread.start()
    try:
        sock_path = docker_url.removeprefix("unix://")
        latencies = [_ping(sock_path) for _ in range(40)]
    finally:
        # Never leave an engine's start blocked on the FIFO (dockerd's would stay so).
        deadline = time.monotonic() + 30
        while thread.is_alive() and time.monotonic() < deadline:
            _feed_fifo(merged / "etc/passwd")
            thread.join(0.05)
        starter.close()
    assert not thread.is_alive(), "start never returned"
    latencies.sort()
    assert latencies[int(len(latencies) * 0.9)] < 0.1, latencies
    assert latencies[-1] < 1.0, latencies
    if is_native(docker_url):
        # Refused with a clear message, not read: a FIFO is not a passwd file.
        assert isinstance(outcome[0], docker.errors.APIError), outcome
        assert "/etc/passwd" in str(outcome[0])


def _image_bytes(client: docker.DockerClient, image: str) -> bytes:
    """Every file of every layer of `image`, concatenated."""
    saved = io.BytesIO(b"".join(client.api.get_image(image)))
    found: list[bytes] = []
    with tarfile.open(fileobj=saved) as outer:
        for member in outer.getmembers():
            data = outer.extractfile(member) if member.name.endswith("layer.tar") else None
            if data is None:
                continue
            with tarfile.open(fileobj=io.BytesIO(data.read())) as layer:
                files = [layer.extractfile(m) for m in layer.getmembers() if m.isfile()]
                found.extend(f.read() for f in files if f is not None)
    return b"".join(found)


def test_commit_and_export_while_a_symlink_is_swapped_in_read_nothing_of_the_host(
    docker_url: str, docker_client: docker.DockerClient, swapper_box: str, res: Resources
) -> None:
    root = _proc_root(docker_client, swapper_box)
    box = docker_client.containers.get(swapper_box)
    with swapping(f"{root}/w/dir", f"{root}/w/link") as swaps:
        for attempt in range(TRIES // 10):
            exported = b"".join(docker_client.api.export(swapper_box))
            assert SECRET not in exported, f"export read the host ({attempt})"
            if not is_native(docker_url):
                # dockerd defends commit by freezing the container, which stops a swapper
                # inside it; a swap driven from the host, as here, is past that defence.
                continue
            try:
                image = box.commit(repository=f"dyk-sec-race-{res.prefix}", tag=str(attempt))
            except docker.errors.APIError:
                continue  # refused: dockerd's tar of the diff met the swap and failed
            try:
                saved = _image_bytes(docker_client, str(image.id))
            except docker.errors.APIError:
                continue  # refused: dockerd's save found the raced layer's checksum changed
            else:
                assert SECRET not in saved, attempt
            finally:
                docker_client.api.remove_image(str(image.id), force=True)
    assert swaps[0] > 0


def test_copy_in_of_an_archive_that_writes_through_its_own_link_stays_inside(
    docker_client: docker.DockerClient, swapper_box: str, canary: Canary
) -> None:
    payload = io.BytesIO()
    with tarfile.open(fileobj=payload, mode="w") as tar:
        link = tarfile.TarInfo("hop")
        link.type, link.linkname = tarfile.SYMTYPE, str(canary.root)
        tar.addfile(link)
        dropped = tarfile.TarInfo("hop/dropped")
        dropped.size = 3
        tar.addfile(dropped, io.BytesIO(b"hi\n"))
    # dockerd follows the link inside the container; the native engine refuses (400).
    with contextlib.suppress(docker.errors.APIError):
        docker_client.api.put_archive(swapper_box, "/w", payload.getvalue())
    assert not (canary.root / "dropped").exists()
