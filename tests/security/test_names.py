"""Names, tags and ids outside dockerd's grammar are refused, never stored or matched loosely."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import tarfile
import uuid
from collections.abc import Callable

import docker
import pytest

from tests.fixtures.docker import TEST_IMAGE, Resources, is_native


def _refused(call: Callable[[], object], docker_url: str) -> None:
    """dockerd refuses (with a 500 for some of these); the native engine must say 400."""
    with pytest.raises(docker.errors.APIError) as caught:
        call()
    status = caught.value.status_code or 0
    assert status == 400 if is_native(docker_url) else status >= 400, caught.value


def test_names_ending_in_a_newline_are_refused(
    docker_client: docker.DockerClient, docker_url: str, res: Resources
) -> None:
    name = res.container() + "\n"
    _refused(lambda: docker_client.api.create_container(TEST_IMAGE, name=name), docker_url)
    assert not docker_client.containers.list(all=True, filters={"name": name.strip()})
    volume = res.volume() + "\n"
    _refused(lambda: docker_client.api.create_volume(volume), docker_url)
    assert not [v for v in docker_client.volumes.list() if v.name.startswith(volume.strip())]


@pytest.mark.parametrize("repo", ["../../x", "x\n", "UPPER/case", "a/../b", "/abs"])
def test_tags_outside_the_grammar_are_refused(
    docker_client: docker.DockerClient, docker_url: str, repo: str
) -> None:
    _refused(lambda: docker_client.api.tag(TEST_IMAGE, repo, "latest"), docker_url)
    tags = {t for image in docker_client.images.list() for t in image.tags}
    assert f"{repo}:latest" not in tags


def _archive(repo_tags: list[str]) -> tuple[bytes, str]:
    """A docker-archive of one empty-layer image of its own, and that image's id."""
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w"):
        pass

    diff_id = "sha256:" + hashlib.sha256(layer.getvalue()).hexdigest()
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Labels": {"dyk-sec": uuid.uuid4().hex}},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    }).encode()  # fmt: skip
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    manifest = json.dumps(
        [{"Config": config_name, "RepoTags": repo_tags, "Layers": ["l/layer.tar"]}]
    ).encode()
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name, data in ((config_name, config), ("manifest.json", manifest),
                           ("l/layer.tar", layer.getvalue())):  # fmt: skip
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue(), "sha256:" + config_name.removesuffix(".json")


def _load_error(client: docker.DockerClient, data: bytes) -> tuple[int | None, str]:
    """How a load fails: the HTTP status (None if reported inside the stream) and the text."""
    try:
        client.images.load(data)
    except docker.errors.APIError as exc:
        return exc.status_code, str(exc)
    except docker.errors.ImageLoadError as exc:
        return None, str(exc)
    raise AssertionError("the archive was loaded")


def test_a_loaded_archive_with_a_bad_tag_is_refused_and_leaves_nothing(
    docker_client: docker.DockerClient, docker_url: str
) -> None:
    archive, image_id = _archive(["../../x:latest"])
    try:
        status, text = _load_error(docker_client, archive)
        if is_native(docker_url):
            # dockerd keeps the image, untagged; the native engine keeps nothing.
            assert status == 400, text
            assert image_id not in {image.id for image in docker_client.images.list(all=True)}
    finally:
        with contextlib.suppress(docker.errors.APIError):
            docker_client.api.remove_image(image_id, force=True)


def _link(name: str, target: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = tarfile.SYMTYPE, target
    return info


def test_a_symlink_loop_in_an_archive_is_a_client_error(
    docker_client: docker.DockerClient, docker_url: str
) -> None:
    archive, image_id = _archive(["dyk-sec-loop:latest"])
    # Rewrite the manifest so the layer is reached through a loop of links.
    loop = [_link("loop/a", "b"), _link("loop/b", "a")]
    with tarfile.open(fileobj=io.BytesIO(archive)) as src:
        members = [(m, src.extractfile(m)) for m in src.getmembers()]
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for member, data in members:
            if member.name == "manifest.json":
                doc = json.loads(data.read() if data else b"[]")
                doc[0]["Layers"] = ["loop/a"]
                body = json.dumps(doc).encode()
                member.size = len(body)
                tar.addfile(member, io.BytesIO(body))
            else:
                tar.addfile(member, data)
        for info in loop:
            tar.addfile(info)
    try:
        status, text = _load_error(docker_client, out.getvalue())
        if is_native(docker_url):
            assert status == 400, text
        assert "recursion" not in text
        assert not docker_client.images.list(name="dyk-sec-loop")
    finally:
        with contextlib.suppress(docker.errors.APIError):
            docker_client.api.remove_image(image_id, force=True)


@pytest.mark.parametrize("pattern", ["sha256:%", "sha256:____", "%", "____"])
def test_id_prefixes_match_literally(docker_client: docker.DockerClient, pattern: str) -> None:
    with pytest.raises(docker.errors.APIError) as caught:
        docker_client.images.get(pattern)
    assert caught.value.status_code in (400, 404)
