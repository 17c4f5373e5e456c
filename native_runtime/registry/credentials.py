"""Registry credentials: the X-Registry-Auth header, `docker login` and ~/.docker/config.json."""

from __future__ import annotations

import base64
import binascii
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from native_runtime.registry.reference import registry_domain

# The key Docker writes for Docker Hub in config.json.
HUB_AUTH_KEY = "https://index.docker.io/v1/"


@dataclass(frozen=True)
class Credential:
    """A username/password pair, or an identity (refresh) token from a token server."""

    username: str = ""
    password: str = ""
    identity_token: str = ""

    @property
    def empty(self) -> bool:
        return not (self.username or self.password or self.identity_token)


def _b64decode(text: str) -> bytes:
    # The CLI sends URL-safe base64 without padding; older clients use the standard alphabet.
    padded = text + "=" * (-len(text) % 4)
    try:
        return base64.urlsafe_b64decode(padded)
    except (binascii.Error, ValueError):
        return base64.b64decode(padded)


def from_header(value: str | None) -> Credential | None:
    """Decode the API's `X-Registry-Auth` header (base64 JSON); `{}` means anonymous."""
    if not value:
        return None
    try:
        doc = json.loads(_b64decode(value))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(doc, dict):
        return None
    cred = Credential(
        str(doc.get("username") or ""),
        str(doc.get("password") or ""),
        str(doc.get("identitytoken") or ""),
    )
    return None if cred.empty else cred


def docker_config_path() -> Path:
    folder = os.environ.get("DOCKER_CONFIG") or os.path.join(os.path.expanduser("~"), ".docker")
    return Path(folder) / "config.json"


def from_docker_config(domain: str, path: Path | None = None) -> Credential | None:
    """Look `domain` up in config.json's `auths` (keys may carry a scheme or a path)."""
    try:
        doc = json.loads((path or docker_config_path()).read_text())
    except (OSError, ValueError):
        return None
    auths = doc.get("auths") if isinstance(doc, dict) else None
    if not isinstance(auths, dict):
        return None
    for key, entry in auths.items():
        if registry_domain(key) != domain or not isinstance(entry, dict):
            continue
        username, password = str(entry.get("username") or ""), str(entry.get("password") or "")
        if entry.get("auth"):
            try:
                username, _, password = _b64decode(str(entry["auth"])).decode().partition(":")
            except (ValueError, binascii.Error):
                continue
        cred = Credential(username, password, str(entry.get("identitytoken") or ""))
        if not cred.empty:
            return cred
    return None


class CredentialStore:
    """Logins the daemon accepted through `POST /auth`, kept in a 0600 JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def _read(self) -> dict[str, dict[str, str]]:
        try:
            doc = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        return doc if isinstance(doc, dict) else {}

    def get(self, domain: str) -> Credential | None:
        entry = self._read().get(domain)
        if not isinstance(entry, dict):
            return None
        return Credential(
            entry.get("username", ""), entry.get("password", ""), entry.get("identitytoken", "")
        )

    def put(self, domain: str, cred: Credential) -> None:
        with self._lock:
            doc = self._read()
            doc[domain] = {
                "username": cred.username,
                "password": cred.password,
                "identitytoken": cred.identity_token,
            }
            tmp = self.path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                json.dump(doc, out)
            os.replace(tmp, self.path)


def resolve(
    domain: str, header: Credential | None, store: CredentialStore | None
) -> Credential | None:
    """The request's own credential wins, then the daemon's logins, then config.json."""
    if header is not None:
        return header
    if store is not None and (cred := store.get(domain)) is not None:
        return cred
    return from_docker_config(domain)
