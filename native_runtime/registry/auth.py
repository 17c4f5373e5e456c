"""The registry's auth dance: a 401 challenge, then Basic or a bearer token for a scope."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass

import aiohttp

from native_runtime.registry.credentials import Credential
from native_runtime.registry.errors import RegistryError, Unauthorized

_PARAM = re.compile(r'([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')
TOKEN_LIMIT = 1 << 20


@dataclass(frozen=True)
class Challenge:
    """One `WWW-Authenticate` challenge: scheme (`basic` or `bearer`) and its parameters."""

    scheme: str
    params: dict[str, str]


def parse_challenge(header: str) -> Challenge | None:
    scheme, _, rest = header.strip().partition(" ")
    if not scheme:
        return None
    params = {
        m.group(1).lower(): (
            m.group(2).replace('\\"', '"') if m.group(2) is not None else m.group(3)
        )
        for m in _PARAM.finditer(rest)
    }
    return Challenge(scheme.lower(), params)


def basic_header(cred: Credential) -> str:
    token = base64.b64encode(f"{cred.username}:{cred.password}".encode()).decode()
    return f"Basic {token}"


async def authorization(
    session: aiohttp.ClientSession,
    challenge: Challenge,
    cred: Credential | None,
    scopes: list[str],
) -> str:
    """The `Authorization` header value answering `challenge` for `scopes`."""
    if challenge.scheme == "basic":
        if cred is None or cred.empty:
            raise Unauthorized("unauthorized: authentication required")
        return basic_header(cred)
    if challenge.scheme != "bearer":
        raise RegistryError(f"unsupported auth scheme {challenge.scheme!r}")
    realm = challenge.params.get("realm")
    if not realm:
        raise RegistryError("bearer challenge without a realm")
    service = challenge.params.get("service", "")
    return "Bearer " + await _fetch_token(session, realm, service, scopes, cred)


async def _fetch_token(
    session: aiohttp.ClientSession,
    realm: str,
    service: str,
    scopes: list[str],
    cred: Credential | None,
) -> str:
    if cred is not None and cred.identity_token:
        # An identity token is an OAuth2 refresh token: POST it to the realm.
        form = {
            "grant_type": "refresh_token",
            "refresh_token": cred.identity_token,
            "service": service,
            "client_id": "dockyard",
            "scope": " ".join(scopes),
        }
        async with session.post(realm, data=form) as resp:
            return await _read_token(resp)
    params: list[tuple[str, str]] = [("service", service)] if service else []
    params += [("scope", scope) for scope in scopes]
    headers = {}
    if cred is not None and (cred.username or cred.password):
        headers["Authorization"] = basic_header(cred)
    async with session.get(realm, params=params, headers=headers) as resp:
        return await _read_token(resp)


async def _read_token(resp: aiohttp.ClientResponse) -> str:
    if resp.status in (401, 403):
        raise Unauthorized("unauthorized: the token server refused the credentials")
    if resp.status != 200:
        raise RegistryError(f"token server answered {resp.status}")
    body = await resp.content.read(TOKEN_LIMIT + 1)
    if len(body) > TOKEN_LIMIT:
        raise RegistryError("token response too large")
    try:
        doc = json.loads(body)
    except ValueError as exc:
        raise RegistryError("token server sent invalid JSON") from exc
    token = (doc.get("token") or doc.get("access_token")) if isinstance(doc, dict) else None
    if not isinstance(token, str) or not token:
        raise RegistryError("token server sent no token")
    return token
