"""The naming grammar dockerd enforces: container and volume names, references, tags, digests.

Every pattern is applied with `fullmatch`: Python's `$` also matches before a
trailing newline, Go's anchors do not, so `re.match(r"...$")` would let
`name\\n` through where dockerd refuses it.
"""

from __future__ import annotations

import re

from native_runtime.errors import BadParameter

# dockerd's restrictedNamePattern, for container and local volume names.
NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]+")
# The distribution reference grammar (ASCII only: `\w` would accept any letter).
PATH_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")
TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_LABEL = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
DOMAIN = re.compile(rf"(?:{_LABEL}(?:\.{_LABEL})*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?")
NAME_TOTAL_LENGTH_MAX = 255
# The algorithms go-digest (and so dockerd) accepts, with their exact hex lengths.
DIGEST_HEX_LENGTH = {"sha256": 64, "sha384": 96, "sha512": 128}
_HEX = re.compile(r"[a-f0-9]+")
ID_HEX = re.compile(r"[a-f0-9]{64}")


class InvalidName(BadParameter):
    """A name, tag or digest outside dockerd's grammar (a 400, as in dockerd)."""


def valid_name(name: str) -> bool:
    """A container or local volume name dockerd would accept."""
    return NAME.fullmatch(name) is not None


def valid_tag(tag: str) -> bool:
    return TAG.fullmatch(tag) is not None


def valid_domain(domain: str) -> bool:
    return DOMAIN.fullmatch(domain) is not None


def valid_repository_path(path: str) -> bool:
    """`library/busybox`, `user/app`: lowercase components separated by `/`."""
    return all(PATH_COMPONENT.fullmatch(part) for part in path.split("/"))


def valid_digest(digest: str) -> bool:
    algorithm, sep, hex_part = digest.partition(":")
    length = DIGEST_HEX_LENGTH.get(algorithm)
    return bool(sep) and length == len(hex_part) and _HEX.fullmatch(hex_part) is not None


def check_digest(digest: object, what: str = "digest") -> str:
    """`digest` if it is `algorithm:hex` as go-digest accepts it; raise InvalidName otherwise."""
    if not isinstance(digest, str) or not valid_digest(digest):
        raise InvalidName(f"invalid {what}: {digest!r}")
    return digest


def digest_hex(digest: object, what: str = "digest") -> str:
    """The hex part of a sha256 digest, safe to use as a file name."""
    checked = check_digest(digest, what)
    if not checked.startswith("sha256:"):
        raise InvalidName(f"unsupported {what} algorithm: {checked!r}")
    return checked.removeprefix("sha256:")


def like_prefix(prefix: str) -> str:
    """A SQL LIKE pattern matching `prefix` literally at the start (use with ESCAPE '\\')."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"
