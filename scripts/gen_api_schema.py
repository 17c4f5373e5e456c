"""Writes native_runtime/api/schema.py: msgspec models of the Engine API 1.41 request bodies.

Run with the swagger Docker ships for 20.10 (Debian: golang-github-docker-docker-dev):

    python scripts/gen_api_schema.py /usr/share/gocode/src/github.com/docker/docker/api/swagger.yaml
"""

from __future__ import annotations

import keyword
import re
import sys
from pathlib import Path
from typing import Any

import yaml

OUT = Path(__file__).resolve().parents[1] / "native_runtime" / "api" / "schema.py"

# Go's json decoder refuses a number outside the Go field's type; swagger only says
# "integer", so the unsigned and narrow fields dockerd declares are listed here.
# msgspec bounds stop at int64, so uint64 fields are capped there.
INT64 = (-(2**63), 2**63 - 1)
UINT = (0, 2**63 - 1)
UINT16 = (0, 65535)
GO_RANGES = {
    "HostConfig.BlkioWeight": UINT16,
    "ContainerUpdateBody.BlkioWeight": UINT16,
    "HostConfigBlkioWeightDeviceItem.Weight": UINT16,
    "ContainerUpdateBodyBlkioWeightDeviceItem.Weight": UINT16,
    "ThrottleDevice.Rate": UINT,
    "HostConfig.ConsoleSize[]": UINT,
    "ExecCreateBody.ConsoleSize[]": UINT,
    "ExecStartBody.ConsoleSize[]": UINT,
}
# Docker's strslice.StrSlice decodes a plain string as a one-element command.
STR_SLICES = {
    f"{owner}.{name}"
    for owner in ("ContainerConfig", "ContainerCreateBody")
    for name in ("Cmd", "Entrypoint", "Shell")
} | {"HostConfig.CapAdd", "HostConfig.CapDrop"}

# Request bodies: (model name, swagger path, method).
BODIES = [
    ("ContainerCreateBody", "/containers/create", "post"),
    ("ContainerUpdateBody", "/containers/{id}/update", "post"),
    ("ExecCreateBody", "/containers/{id}/exec", "post"),
    ("ExecStartBody", "/exec/{id}/start", "post"),
    ("VolumeCreateBody", "/volumes/create", "post"),
    ("NetworkCreateBody", "/networks/create", "post"),
    ("NetworkConnectBody", "/networks/{id}/connect", "post"),
    ("NetworkDisconnectBody", "/networks/{id}/disconnect", "post"),
    ("SwarmInitBody", "/swarm/init", "post"),
    ("SwarmJoinBody", "/swarm/join", "post"),
    ("SwarmUnlockBody", "/swarm/unlock", "post"),
]
EXTRA = ["AuthConfig", "ContainerConfig"]
# Where the 1.41 swagger is looser or narrower than the Go types dockerd decodes into.
OVERRIDES: dict[str, Any] = {
    # network.IPAMConfig is a struct, not a map of strings (docker-py sends nulls in it).
    "IPAM.Config": {
        "type": "array",
        "items": {
            "properties": {
                "Subnet": {"type": "string"},
                "IPRange": {"type": "string"},
                "Gateway": {"type": "string"},
                "AuxiliaryAddresses": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                },
            }
        },
    }
}
# Fields dockerd decodes that the 1.41 swagger leaves out: docker-py sends `Runtime` at
# the top of a create body (dockerd still reads HostConfig fields there), `detachKeys` and
# `CPURealtime*` spelled so (Go's decoder ignores the case of keys).
MISSING = {
    "AuthConfig": {"identitytoken": {"type": "string"}, "registrytoken": {"type": "string"}},
    "ContainerCreateBody": {"Runtime": {"type": "string"}},
    "ExecCreateBody": {"detachKeys": {"type": "string"}},
    "HostConfig": {
        "CPURealtimePeriod": {"type": "integer"},
        "CPURealtimeRuntime": {"type": "integer"},
    },
}


def snake(name: str) -> str:
    out = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()
    out = re.sub(r"[^a-z0-9_]", "_", out)
    return out + "_" if keyword.iskeyword(out) else out


class Generator:
    """Turns swagger definitions into msgspec Structs, named definitions first."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.defs: dict[str, Any] = doc["definitions"]
        self.paths: dict[str, Any] = doc["paths"]
        self.emitted: dict[str, str] = {}
        self.order: list[str] = []

    def properties(self, schema: dict[str, Any]) -> dict[str, Any]:
        if "$ref" in schema:
            return self.properties(self.defs[schema["$ref"].rsplit("/", 1)[1]])
        props: dict[str, Any] = {}
        for part in schema.get("allOf", []):
            props.update(self.properties(part))
        props.update(schema.get("properties") or {})
        return props

    def type_of(self, schema: dict[str, Any], owner: str, field: str) -> str:
        where = f"{owner}.{field}"
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            target = self.defs[name]
            if "allOf" in target or target.get("properties"):
                return self.struct(name, target)
            return self.type_of(target, owner, field)
        if "allOf" in schema or schema.get("properties"):
            return self.struct(owner + field.replace("[]", "Item"), schema)
        kind = schema.get("type")
        if where in STR_SLICES:
            return "list[str] | str"
        if kind == "array":
            inner = self.type_of(schema.get("items") or {}, owner, field + "[]")
            return f"list[{inner}]"
        if kind == "object":
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and (extra.get("type") or "$ref" in extra):
                inner = self.type_of(extra, owner, field + "{}")
                return (
                    f"dict[str, {inner} | None]"
                    if inner.startswith(("list", "dict"))
                    else f"dict[str, {inner}]"
                )
            return "dict[str, object]"
        if kind == "integer":
            low, high = GO_RANGES.get(where, INT64)
            return f"Annotated[int, Meta(ge={low}, le={high})]"
        if kind == "number":
            return "float"
        if kind == "boolean":
            return "bool"
        if kind == "string":
            return "str"
        return "object"

    def struct(self, name: str, schema: dict[str, Any]) -> str:
        if name in self.emitted:
            return name
        self.emitted[name] = ""
        lines = [f"class {name}(_Model):", f'    """Docker\'s `{name}`."""', ""]
        seen: set[str] = set()
        props = self.properties(schema) | MISSING.get(name, {})
        for key, prop in props.items():
            attr = snake(key)
            if attr in seen:  # another spelling of a field already there
                attr += "_lower" if key[:1].islower() else "_caps"
            assert attr not in seen, (name, key)
            seen.add(attr)
            kind = self.type_of(OVERRIDES.get(f"{name}.{key}", prop), name, key)
            lines.append(f'    {attr}: {kind} | None = field(default=None, name="{key}")')
        self.emitted[name] = "\n".join(lines)
        self.order.append(name)
        return name

    def body(self, name: str, path: str, method: str) -> None:
        params = self.paths[path][method]["parameters"]
        schema = next(p["schema"] for p in params if p.get("in") == "body")
        self.struct(name, schema)

    def source(self) -> str:
        head = [
            '"""Engine API 1.41 request bodies as msgspec models, generated by '
            'scripts/gen_api_schema.py."""',
            "",
            "# Every field is optional and nullable, as Go's decoder leaves a missing or null",
            "# field at its zero value; unknown fields are ignored, as dockerd ignores them.",
            "",
            "from __future__ import annotations",
            "",
            "from typing import Annotated",
            "",
            "from msgspec import Meta, Struct, field",
            "",
            "",
            "class _Model(Struct, kw_only=True, omit_defaults=True):",
            '    """A request body: encoded back with only the fields the client sent."""',
            "",
        ]
        parts = [self.emitted[n] for n in self.order]
        return "\n".join(head) + "\n\n" + "\n\n\n".join(parts) + "\n"


def main() -> None:
    doc = yaml.safe_load(Path(sys.argv[1]).read_text())
    gen = Generator(doc)
    for name in EXTRA:
        gen.struct(name, gen.defs[name])
    for name, path, method in BODIES:
        gen.body(name, path, method)
    OUT.write_text(gen.source())


if __name__ == "__main__":
    main()
