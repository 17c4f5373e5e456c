"""Just enough of the DNS wire format (RFC 1035) to answer A queries and pass others on."""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass

TYPE_A = 1
TYPE_AAAA = 28
CLASS_IN = 1
RCODE_NOERROR = 0
RCODE_SERVFAIL = 2
RCODE_NXDOMAIN = 3
RCODE_REFUSED = 5

_HEADER = struct.Struct("!HHHHHH")
_FLAG_QR = 0x8000
_FLAG_AA = 0x0400
_FLAG_RD = 0x0100
_FLAG_RA = 0x0080


@dataclass(frozen=True)
class Question:
    """The first question of a query; `end` is where it stops in the message."""

    txid: int
    flags: int
    name: str
    qtype: int
    qclass: int
    end: int


def parse_query(data: bytes) -> Question:
    """Raise ValueError for anything that is not a well-formed standard query."""
    if len(data) < _HEADER.size:
        raise ValueError("short DNS message")
    txid, flags, qdcount, *_ = _HEADER.unpack_from(data)
    if flags & _FLAG_QR or qdcount < 1 or (flags >> 11) & 0xF != 0:
        raise ValueError("not a standard query")
    labels: list[str] = []
    pos = _HEADER.size
    while True:
        if pos >= len(data):
            raise ValueError("truncated name")
        length = data[pos]
        pos += 1
        if length == 0:
            break
        if length & 0xC0:
            raise ValueError("compressed names are not expected in a question")
        labels.append(data[pos : pos + length].decode("ascii", errors="replace"))
        pos += length
    if pos + 4 > len(data):
        raise ValueError("truncated question")
    qtype, qclass = struct.unpack_from("!HH", data, pos)
    return Question(txid, flags, ".".join(labels).lower(), qtype, qclass, pos + 4)


def _header(q: Question, rcode: int, ancount: int, authoritative: bool) -> bytes:
    flags = _FLAG_QR | _FLAG_RA | (q.flags & _FLAG_RD) | rcode
    if authoritative:
        flags |= _FLAG_AA
    return _HEADER.pack(q.txid, flags, 1, ancount, 0, 0)


def answer(query: bytes, q: Question, ips: list[str], ttl: int = 600) -> bytes:
    """A NOERROR reply: an A record per IPv4 address, or an AAAA per IPv6 one, as asked."""
    records = b""
    count = 0
    wanted = {TYPE_A: 4, TYPE_AAAA: 6}.get(q.qtype) if q.qclass == CLASS_IN else None
    for ip in ips:
        address = ipaddress.ip_address(ip)
        if address.version != wanted:
            continue
        # 0xC00C points back at the question's name, right after the header.
        records += struct.pack("!HHHIH", 0xC00C, q.qtype, CLASS_IN, ttl, len(address.packed))
        records += address.packed
        count += 1
    return _header(q, RCODE_NOERROR, count, True) + query[_HEADER.size : q.end] + records


def error(query: bytes, q: Question, rcode: int) -> bytes:
    return _header(q, rcode, 0, False) + query[_HEADER.size : q.end]


def build_query(txid: int, name: str, qtype: int = TYPE_A) -> bytes:
    """A recursive query for `name` (tests and the benchmark send these)."""
    body = b"".join(bytes([len(part)]) + part.encode() for part in name.strip(".").split("."))
    return _HEADER.pack(txid, _FLAG_RD, 1, 0, 0, 0) + body + b"\0" + struct.pack("!HH", qtype, 1)


def parse_answer(data: bytes) -> tuple[int, list[str]]:
    """(rcode, A and AAAA addresses) of a reply, skipping records of any other type."""
    txid, flags, qdcount, ancount, *_ = _HEADER.unpack_from(data)
    del txid
    pos = _HEADER.size
    for _ in range(qdcount):
        pos = _skip_name(data, pos) + 4
    ips: list[str] = []
    for _ in range(ancount):
        pos = _skip_name(data, pos)
        rtype, _rclass, _ttl, rdlen = struct.unpack_from("!HHIH", data, pos)
        pos += 10
        if rtype == TYPE_A and rdlen == 4:
            ips.append(str(ipaddress.IPv4Address(data[pos : pos + 4])))
        elif rtype == TYPE_AAAA and rdlen == 16:
            ips.append(str(ipaddress.IPv6Address(data[pos : pos + 16])))
        pos += rdlen
    return flags & 0xF, ips


def _skip_name(data: bytes, pos: int) -> int:
    while True:
        length = data[pos]
        if length & 0xC0 == 0xC0:
            return pos + 2
        pos += 1 + length
        if length == 0:
            return pos
