"""Decoding Docker's query parameters: booleans, integers and the `filters` JSON."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from native_runtime.errors import BadParameter


def flag(request: web.Request, name: str, default: bool = False) -> bool:
    value = request.query.get(name)
    if value is None:
        return default
    return value.lower() not in ("", "0", "false", "no")


def integer(request: web.Request, name: str) -> int | None:
    value = request.query.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value or 0)
    except ValueError as exc:
        raise BadParameter(f"invalid value for {name}: {value}") from exc


def filters(request: web.Request) -> dict[str, list[str]]:
    """Docker sends `{"key": ["v"]}` or, from older clients, `{"key": {"v": true}}`."""
    raw = request.query.get("filters")
    if not raw:
        return {}
    try:
        doc: dict[str, Any] = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise BadParameter(f"invalid filters: {raw}") from exc
    out: dict[str, list[str]] = {}
    for key, value in doc.items():
        if isinstance(value, dict):
            out[key] = [k for k, on in value.items() if on]
        elif isinstance(value, list):
            out[key] = [str(v) for v in value]
        else:
            out[key] = [str(value)]
    return out


async def json_body(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    if not raw:
        return {}
    try:
        doc = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise BadParameter(f"invalid JSON body: {exc}") from exc
    if not isinstance(doc, dict):
        raise BadParameter("the request body must be a JSON object")
    return doc
