"""A hostile registry: digests that are paths must never become paths on the host."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import io
import json
import secrets
import tarfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from aiohttp import web

from tests.fixtures.docker import is_native
from tests.security.conftest import Canary
from tests.security.hostile import cli

DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"


def _sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _layer() -> tuple[bytes, str]:
    """A gzipped layer with one file, and its diff-id."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        info = tarfile.TarInfo("pwned")
        info.size = 6
        tar.addfile(info, io.BytesIO(b"pwned\n"))
    return gzip.compress(raw.getvalue()), _sha(raw.getvalue())


@contextmanager
def hostile_registry(layer_digest: str, diff_id: str | None = None) -> Iterator[list[str]]:
    """A registry on 127.0.0.1 whose one manifest names `layer_digest` for its layer.

    Yields a list whose first item is the registry's address, followed by the
    kinds of content it served ("manifest", "config", "layer") as they go out.
    """
    served: list[str] = []
    blob, real_diff_id = _layer()
    config = json.dumps({
        "architecture": "amd64", "os": "linux", "config": {},
        "rootfs": {"type": "layers", "diff_ids": [diff_id or real_diff_id]},
    }).encode()  # fmt: skip
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": DOCKER_MANIFEST,
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                   "digest": _sha(config), "size": len(config)},
        "layers": [{"mediaType": DOCKER_LAYER, "digest": layer_digest, "size": len(blob)}],
    }).encode()  # fmt: skip

    async def base(_request: web.Request) -> web.Response:
        return web.json_response({})

    async def manifests(_request: web.Request) -> web.Response:
        served.append("manifest")
        headers = {"Docker-Content-Digest": _sha(manifest)}
        return web.Response(body=manifest, content_type=DOCKER_MANIFEST, headers=headers)

    async def blobs(request: web.Request) -> web.Response:
        is_config = request.match_info["digest"] == _sha(config)
        served.append("config" if is_config else "layer")
        body = config if is_config else blob
        return web.Response(body=body, content_type="application/octet-stream")

    app = web.Application()
    app.router.add_get("/v2/", base)
    app.router.add_route("*", "/v2/{name:.+}/manifests/{ref}", manifests)
    app.router.add_route("*", "/v2/{name:.+}/blobs/{digest:.+}", blobs)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    runner = web.AppRunner(app)
    asyncio.run_coroutine_threadsafe(runner.setup(), loop).result(10)
    site = web.TCPSite(runner, "127.0.0.1", 0)
    asyncio.run_coroutine_threadsafe(site.start(), loop).result(10)
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    served.append(f"127.0.0.1:{port}")
    try:
        yield served
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def _path_digest(target: Path) -> str:
    """`sha256:` and 64 characters that start with the path `target`.

    The engine at 9a1e320 named a layer's download `<first 12 characters>.blob`
    inside its pull folder; an absolute path there replaced the folder.
    """
    text = str(target)
    return "sha256:" + text + "0" * (64 - len(text))


def _leftovers(docker_url: str) -> list[str]:
    tmp = Path(docker_url.removeprefix("unix://")).parent / "data" / "tmp"
    return sorted(p.name for p in tmp.iterdir())


@pytest.mark.parametrize("which", ["layer digest", "config diff-id"])
def test_a_digest_that_is_a_path_is_refused(docker_url: str, canary: Canary, which: str) -> None:
    # Twelve characters: what the engine at 9a1e320 used of a digest to name a file.
    short = Path(f"/tmp/dyk{secrets.token_hex(2)}")
    written = Path(f"{short}.blob")
    bad = _path_digest(short)
    blob, _ = _layer()
    layer_digest, diff_id = (bad, None) if which == "layer digest" else (_sha(blob), bad)
    before = _leftovers(docker_url) if is_native(docker_url) else []
    try:
        with hostile_registry(layer_digest, diff_id) as served:
            host = served.pop(0)
            pulled = cli(docker_url, "pull", f"{host}/hostile/img:latest")
        assert "manifest" in served, "the engine never reached the hostile manifest"
        assert pulled.returncode != 0, pulled.stdout.decode()
        assert not written.exists(), "the registry's blob was written on the host"
        assert cli(docker_url, "image", "inspect", f"{host}/hostile/img:latest").returncode != 0
        if is_native(docker_url):
            assert _leftovers(docker_url) == before
    finally:
        written.unlink(missing_ok=True)
