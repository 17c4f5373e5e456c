"""Docker's port fields (PortBindings, PublishAllPorts, ExposedPorts) as PortRequests."""

from __future__ import annotations

from typing import Any

from native_runtime.network.errors import BadParameter
from native_runtime.network.ipam import parse_ip
from native_runtime.network.model import PortRequest, Publication

PROTOCOLS = ("tcp", "udp")


def _split_key(key: str) -> tuple[int, str]:
    port, _, proto = key.partition("/")
    proto = (proto or "tcp").lower()
    if proto not in PROTOCOLS:
        raise BadParameter(f"unsupported protocol {proto!r} for port {key}")
    return _port(port, key), proto


def _port(text: str, where: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise BadParameter(f"invalid port {text!r} in {where}") from exc
    if not 0 < value < 65536:
        raise BadParameter(f"port {value} out of range in {where}")
    return value


def _host_range(text: str, where: str) -> tuple[int, int]:
    """ "" means any free port; "8000-8010" the first free one in that range."""
    if not text:
        return 0, 0
    lo_text, _, hi_text = text.partition("-")
    lo = _port(lo_text, where)
    hi = _port(hi_text, where) if hi_text else lo
    if hi < lo:
        raise BadParameter(f"invalid host port range {text} in {where}")
    return lo, hi


def requests_from(
    port_bindings: dict[str, Any] | None,
    publish_all: bool = False,
    exposed: dict[str, Any] | None = None,
) -> tuple[PortRequest, ...]:
    """One request per (container port, binding); -P adds every EXPOSEd port not bound."""
    out: list[PortRequest] = []
    bound: set[tuple[int, str]] = set()
    for key, bindings in (port_bindings or {}).items():
        ctr_port, proto = _split_key(key)
        bound.add((ctr_port, proto))
        for binding in bindings or [{}]:
            host_ip = (binding or {}).get("HostIp") or "0.0.0.0"
            if ":" in host_ip:
                continue  # IPv6 bindings: the native engine serves IPv4 only
            parse_ip(host_ip, "host IP")
            lo, hi = _host_range(str((binding or {}).get("HostPort") or ""), key)
            out.append(PortRequest(ctr_port, proto, host_ip, lo, hi))
    if publish_all:
        for key in exposed or {}:
            ctr_port, proto = _split_key(key)
            if (ctr_port, proto) not in bound:
                out.append(PortRequest(ctr_port, proto))
    return tuple(out)


def ports_view(
    publications: tuple[Publication, ...], requests: tuple[PortRequest, ...]
) -> dict[str, list[dict[str, str]] | None]:
    """NetworkSettings.Ports: live bindings, and `null` for requested-but-unbound ports."""
    out: dict[str, list[dict[str, str]] | None] = {}
    for req in requests:
        out.setdefault(f"{req.container_port}/{req.proto}", None)
    for pub in publications:
        key = f"{pub.container_port}/{pub.proto}"
        entries = out.get(key) or []
        entries.append({"HostIp": pub.host_ip, "HostPort": str(pub.host_port)})
        out[key] = entries
    return out
