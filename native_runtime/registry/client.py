"""A distribution API v2 client for one repository: manifests, blobs, uploads, with auth."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import TracebackType
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

import aiohttp

from native_runtime.registry import auth
from native_runtime.registry.credentials import Credential
from native_runtime.registry.errors import (
    DigestMismatch,
    ManifestUnknown,
    RegistryError,
    TooLarge,
    Unauthorized,
)
from native_runtime.registry.manifest import MANIFEST_ACCEPT
from native_runtime.registry.reference import Reference

MANIFEST_LIMIT = 4 << 20
CHUNK = 1 << 20
Progress = Callable[[int], None]


def _registry_message(body: bytes, status: int) -> str:
    try:
        errors = json.loads(body).get("errors") or []
        return "; ".join(str(e.get("message") or e.get("code")) for e in errors) or f"HTTP {status}"
    except (ValueError, AttributeError):
        return f"HTTP {status}"


async def _read_bounded(resp: aiohttp.ClientResponse, limit: int, what: str) -> bytes:
    if resp.content_length is not None and resp.content_length > limit:
        raise TooLarge(f"{what} is {resp.content_length} bytes, more than the {limit} allowed")
    body = await resp.content.read(limit + 1)
    if len(body) > limit:
        raise TooLarge(f"{what} is larger than the {limit} bytes allowed")
    return body


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class RegistryClient:
    """Talks to `ref`'s registry about `ref`'s repository; use as `async with`."""

    def __init__(self, ref: Reference, cred: Credential | None, actions: str = "pull") -> None:
        self.ref = ref
        self.cred = cred
        self.scopes = [f"repository:{ref.path}:{actions}"]
        self.base = f"{ref.base_url}/v2/{ref.path}"
        self._auth_header: str | None = None
        timeout = aiohttp.ClientTimeout(total=None, connect=15, sock_connect=15, sock_read=120)
        self.session = aiohttp.ClientSession(timeout=timeout, auto_decompress=False)

    async def __aenter__(self) -> RegistryClient:
        return self

    async def __aexit__(
        self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None
    ) -> None:
        await self.session.close()

    async def login(self) -> None:
        """Ping `/v2/` and answer its challenge; raises Unauthorized if refused."""
        url = f"{self.ref.base_url}/v2/"
        async with self.session.get(url, headers=self._headers()) as resp:
            if resp.status == 401:
                await self._answer(resp, scopes=self.scopes)
            elif resp.status >= 400:
                raise RegistryError(f"registry answered {resp.status} on {url}")
        async with self.session.get(url, headers=self._headers()) as resp:
            if resp.status == 401:
                raise Unauthorized(f"login to {self.ref.domain} refused: 401 Unauthorized")

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if self._auth_header:
            headers["Authorization"] = self._auth_header
        return headers

    async def _answer(self, resp: aiohttp.ClientResponse, scopes: list[str]) -> None:
        header = resp.headers.get("WWW-Authenticate", "")
        challenge = auth.parse_challenge(header)
        if challenge is None:
            raise Unauthorized(f"{self.ref.domain} answered 401 without a challenge")
        self._auth_header = await auth.authorization(self.session, challenge, self.cred, scopes)

    async def _send(
        self,
        method: str,
        url: str,
        headers: dict[str, str] | None = None,
        data: object = None,
        replayable: bool = True,
    ) -> aiohttp.ClientResponse:
        """One request; a 401 is answered once (body-less requests are then replayed)."""
        resp = await self.session.request(method, url, headers=self._headers(headers), data=data)
        if resp.status == 401 and replayable:
            await self._answer(resp, self.scopes)
            resp.release()
            resp = await self.session.request(
                method, url, headers=self._headers(headers), data=data
            )
        if resp.status == 401:
            resp.release()
            raise Unauthorized(
                f"access to {self.ref.familiar} denied: 401 Unauthorized "
                "(the repository may not exist or may require 'docker login')"
            )
        return resp

    async def _fail(self, resp: aiohttp.ClientResponse, what: str) -> RegistryError:
        body = await resp.content.read(64 << 10)
        resp.release()
        message = f"{what}: {_registry_message(body, resp.status)}"
        return ManifestUnknown(message) if resp.status == 404 else RegistryError(message)

    async def manifest(self, reference: str) -> tuple[bytes, str, str]:
        """Fetch a manifest: its bytes, media type and verified digest."""
        url = f"{self.base}/manifests/{reference}"
        resp = await self._send("GET", url, {"Accept": ", ".join(MANIFEST_ACCEPT)})
        if resp.status != 200:
            raise await self._fail(resp, f"manifest for {self.ref.familiar}:{reference} not found")
        try:
            body = await _read_bounded(resp, MANIFEST_LIMIT, "manifest")
        finally:
            resp.release()
        digest = sha256_digest(body)
        expected = reference if reference.startswith("sha256:") else None
        announced = resp.headers.get("Docker-Content-Digest", "")
        if expected is None and announced.startswith("sha256:"):
            expected = announced
        if expected is not None and expected != digest:
            raise DigestMismatch(f"manifest digest {digest} does not match {expected}")
        media_type = resp.headers.get("Content-Type", "").split(";")[0].strip()
        return body, media_type, digest

    async def blob_bytes(self, digest: str, limit: int) -> bytes:
        """A small blob (an image config) read into memory and verified."""
        resp = await self._send("GET", f"{self.base}/blobs/{digest}")
        if resp.status != 200:
            raise await self._fail(resp, f"blob {digest}")
        try:
            body = await _read_bounded(resp, limit, f"blob {digest}")
        finally:
            resp.release()
        if sha256_digest(body) != digest:
            raise DigestMismatch(f"blob {digest} failed its digest check")
        return body

    async def download(self, digest: str, size: int, dest: Path, progress: Progress) -> None:
        """Stream a blob to `dest`, refusing more bytes than announced or a wrong digest."""
        resp = await self._send("GET", f"{self.base}/blobs/{digest}")
        if resp.status != 200:
            raise await self._fail(resp, f"blob {digest}")
        hasher = hashlib.sha256()
        received = 0
        try:
            with open(dest, "wb") as out:
                async for chunk in resp.content.iter_chunked(CHUNK):
                    received += len(chunk)
                    if received > size:
                        raise TooLarge(f"blob {digest} is larger than its {size} bytes")
                    hasher.update(chunk)
                    out.write(chunk)
                    progress(received)
        finally:
            resp.release()
        if received != size:
            raise RegistryError(f"blob {digest}: got {received} of {size} bytes")
        if "sha256:" + hasher.hexdigest() != digest:
            raise DigestMismatch(f"blob {digest} failed its digest check")

    async def blob_exists(self, digest: str) -> bool:
        resp = await self._send("HEAD", f"{self.base}/blobs/{digest}")
        resp.release()
        if resp.status in (200, 404):
            return resp.status == 200
        raise RegistryError(f"HEAD blob {digest}: HTTP {resp.status}")

    async def _start_upload(self, digest: str) -> str:
        """Open an upload session; return the URL that finishes it with `digest`."""
        resp = await self._send("POST", f"{self.base}/blobs/uploads/")
        location = resp.headers.get("Location", "")
        if resp.status != 202 or not location:
            raise await self._fail(resp, "starting a blob upload")
        resp.release()
        parts = urlsplit(urljoin(self.ref.base_url + "/", location))
        query = parts.query + ("&" if parts.query else "") + urlencode({"digest": digest})
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))

    async def upload(self, path: Path, digest: str, progress: Progress) -> None:
        """Monolithic upload: open a session, then PUT the whole blob with its digest."""
        put_url = await self._start_upload(digest)
        headers = {
            "Content-Type": "application/octet-stream",
            "Content-Length": str(os.path.getsize(path)),
        }
        resp = await self._send("PUT", put_url, headers, _file_body(path, progress), False)
        if resp.status != 201:
            raise await self._fail(resp, f"uploading blob {digest}")
        resp.release()

    async def upload_bytes(self, data: bytes, digest: str) -> None:
        put_url = await self._start_upload(digest)
        headers = {"Content-Type": "application/octet-stream"}
        resp = await self._send("PUT", put_url, headers, data)
        if resp.status != 201:
            raise await self._fail(resp, f"uploading blob {digest}")
        resp.release()

    async def put_manifest(self, reference: str, body: bytes, media_type: str) -> str:
        url = f"{self.base}/manifests/{reference}"
        resp = await self._send("PUT", url, {"Content-Type": media_type}, body)
        if resp.status not in (200, 201):
            raise await self._fail(resp, f"pushing manifest {reference}")
        resp.release()
        return sha256_digest(body)


async def _file_body(path: Path, progress: Progress) -> AsyncIterator[bytes]:
    sent = 0
    with open(path, "rb") as src:
        while chunk := src.read(CHUNK):
            sent += len(chunk)
            yield chunk
            progress(sent)
