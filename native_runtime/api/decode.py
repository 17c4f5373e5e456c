"""Typed decoding of request bodies and query strings: a wrong type is a 400 naming the field."""

from __future__ import annotations

import re
import types
from typing import TypeVar, Union, get_args, get_origin

import msgspec
from aiohttp import web

from native_runtime.api.filters import Filters
from native_runtime.errors import BadParameter, NativeError

Body = TypeVar("Body", bound=msgspec.Struct)
Query = TypeVar("Query", bound=msgspec.Struct)

# Docker's JSON bodies are configs of a few kilobytes; a megabyte is generous, and a
# larger one is refused before it is held in memory. Binary bodies (load, build,
# archives) are spooled to disk instead and never come through here.
MAX_JSON_BODY = 1 << 20
_READ_CHUNK = 1 << 16

_EXPECTED = re.compile(r"Expected `(?P<want>[^`]+)`(?:, got `(?P<got>[^`]+)`)?(?P<rest>[^`]*)")
_AT = re.compile(r" - at `\$(?P<path>[^`]*)`")
# Go's names for the kinds of JSON value, and for the Go types behind msgspec's.
_GO_VALUE = {"str": "string", "int": "number", "float": "number", "bool": "bool", "null": "null"}
_GO_TYPE = {"str": "string", "int": "int64", "float": "float64", "array": "slice"}


class BodyTooLarge(NativeError):
    """A JSON body over the limit (413)."""

    status = 413


def _field_path(message: str) -> str:
    found = _AT.search(message)
    if not found:
        return ""
    return re.sub(r"\[[^\]]*\]", "", found.group("path")).lstrip(".")


def explain(error: msgspec.ValidationError, model: type[msgspec.Struct]) -> str:
    """msgspec's message in dockerd's words: `json: cannot unmarshal X into ... field F ...`."""
    text = str(error)
    path = _field_path(text)
    found = _EXPECTED.match(text)
    if found and found.group("got"):
        want = found.group("want").replace(" | null", "")
        got = _GO_VALUE.get(found.group("got"), found.group("got"))
        go_type = _GO_TYPE.get(want, want)
        if not path:
            return f"json: cannot unmarshal {got} into Go value of type {model.__name__}"
        return f"json: cannot unmarshal {got} into Go struct field {path} of type {go_type}"
    if found:  # a number out of the field's range
        return f"json: cannot unmarshal number into Go struct field {path}: out of range"
    return f"invalid value for {path or model.__name__}: {text}"


async def read_limited(request: web.Request, limit: int = MAX_JSON_BODY) -> bytes:
    if request.content_length is not None and request.content_length > limit:
        raise BodyTooLarge(f"request body is larger than {limit} bytes")
    raw = bytearray()
    while chunk := await request.content.read(_READ_CHUNK):
        raw += chunk
        if len(raw) > limit:
            raise BodyTooLarge(f"request body is larger than {limit} bytes")
    return bytes(raw)


def decode_json(raw: bytes, model: type[Body], required: bool = False) -> Body:
    """An empty body is the model's defaults (Go's zero values), unless one is `required`."""
    # A NUL inside a name or path would reach a syscall, which refuses it with a ValueError.
    if b"\\u0000" in raw:
        raise BadParameter("invalid JSON: strings must not contain NUL characters")
    if not raw.strip():
        if required:
            raise BadParameter("a JSON body is required")
        return model()
    try:
        return msgspec.json.decode(raw, type=model)
    except msgspec.ValidationError as exc:
        raise BadParameter(explain(exc, model)) from exc
    except msgspec.DecodeError as exc:
        raise BadParameter(f"invalid JSON: {exc}") from exc
    except RecursionError as exc:
        # msgspec recurses per level; Python's limit (about a thousand) bounds the depth.
        raise BadParameter("invalid JSON: exceeded max depth") from exc


async def body(request: web.Request, model: type[Body], required: bool = False) -> Body:
    """The request's JSON body as `model`, or a 400 naming the offending field."""
    return decode_json(await read_limited(request), model, required)


def to_docker(value: msgspec.Struct) -> dict[str, object]:
    """Back to Docker's JSON shape for the core, with only the fields the client sent."""
    doc = msgspec.to_builtins(value)
    assert isinstance(doc, dict)
    return doc


def docker_bool(raw: str) -> bool:
    """dockerd's `boolValue`: anything but "", "0", "no", "false" and "none" is true."""
    return raw.strip().lower() not in ("", "0", "no", "false", "none")


def _base(kind: object) -> object:
    """`int | None` -> int; other types unchanged."""
    if get_origin(kind) in (Union, types.UnionType):
        args = [a for a in get_args(kind) if a is not type(None)]
        return args[0] if len(args) == 1 else kind
    return kind


def _convert(kind: object, name: str, request: web.Request) -> object:
    raw = request.query[name]
    if "\0" in raw or any("\0" in v for v in request.query.getall(name)):
        raise BadParameter(f"invalid value for {name}: it contains a NUL character")
    if kind is bool:
        return docker_bool(raw)
    if kind is int:
        try:
            return int(raw)
        except ValueError as exc:
            raise BadParameter(f"invalid value for {name}: {raw!r} is not an integer") from exc
    if kind is Filters:
        return Filters.parse(raw)
    if get_origin(kind) is list:
        return request.query.getall(name)
    return raw


def query(request: web.Request, model: type[Query]) -> Query:
    """The query string as `model`: Docker's booleans, integers, `filters` JSON, lists."""
    values: dict[str, object] = {}
    for spec in msgspec.structs.fields(model):
        if spec.encode_name in request.query:
            values[spec.name] = _convert(_base(spec.type), spec.encode_name, request)
    return model(**values)
