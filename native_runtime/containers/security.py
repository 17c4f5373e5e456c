"""`--security-opt seccomp=...` and `--privileged`: which seccomp filter a container runs under."""

from __future__ import annotations

import json
import os
from typing import Any

from native_runtime.containers import seccomp
from native_runtime.errors import BadParameter

NATIVE_ARCH = "SCMP_ARCH_X86_64"
GO_ARCH = "amd64"  # Docker profiles name architectures for `includes` the Go way
UNCONFINED = "unconfined"
BUILTIN = "builtin"


def kernel_version() -> tuple[int, int]:
    major, _, rest = os.uname().release.partition(".")
    minor = "".join(c for c in rest.partition(".")[0] if c.isdigit())
    return int(major or 0), int(minor or 0)


def seccomp_option(host_config: dict[str, Any]) -> str | None:
    """The value of the last `seccomp` option, or None when none was given.

    The docker CLI reads a profile file itself and sends `seccomp=<the JSON>`;
    `seccomp:` is the old spelling dockerd still accepts.
    """
    found = None
    for opt in host_config.get("SecurityOpt") or []:
        key, sep, value = str(opt).partition("=")
        if not sep:
            key, sep, value = str(opt).partition(":")
        if key.strip() == "seccomp":
            if not sep or not value:
                raise BadParameter(f"invalid --security-opt: {opt!r}")
            found = value
    return found


def no_new_privileges(host_config: dict[str, Any]) -> bool:
    """Always on for us unless --privileged, which (as on dockerd) turns it off.

    `--security-opt no-new-privileges` (bare, `:true` or `=true`) keeps it on even then.
    """
    if not host_config.get("Privileged"):
        return True
    asked = False
    for opt in host_config.get("SecurityOpt") or []:
        key, _, value = str(opt).replace(":", "=", 1).partition("=")
        if key.strip() == "no-new-privileges":
            asked = value.strip().lower() in ("", "true", "1")
    return asked


def check(host_config: dict[str, Any]) -> None:
    """Reject a malformed profile at create, before anything is stored."""
    value = seccomp_option(host_config)
    if value not in (None, UNCONFINED, BUILTIN):
        from_docker_profile(str(value), [], (0, 0))


def seccomp_filter(host_config: dict[str, Any], caps: list[str]) -> dict[str, Any] | None:
    """The OCI `linux.seccomp` for the container, or None for no filter at all."""
    if host_config.get("Privileged"):
        return None
    value = seccomp_option(host_config)
    if value == UNCONFINED:
        return None
    if value is None or value == BUILTIN:
        return seccomp.default_profile(caps, kernel_version())
    return from_docker_profile(value, caps, kernel_version())


def from_docker_profile(text: str, caps: list[str], kernel: tuple[int, int]) -> dict[str, Any]:
    """A profile in Docker's format (`names`, `includes`, `archMap`...) as OCI seccomp."""
    try:
        profile = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadParameter(f"Decoding seccomp profile failed: {exc}") from None
    if not isinstance(profile, dict) or not profile.get("defaultAction"):
        raise BadParameter("Decoding seccomp profile failed: no defaultAction")
    out: dict[str, Any] = {"defaultAction": profile["defaultAction"]}
    if profile.get("defaultErrnoRet") is not None:
        out["defaultErrnoRet"] = int(profile["defaultErrnoRet"])
    out["architectures"] = _architectures(profile)
    if profile.get("flags"):
        out["flags"] = list(profile["flags"])
    calls = profile.get("syscalls") or []
    if not isinstance(calls, list) or not all(isinstance(c, dict) for c in calls):
        raise BadParameter("Decoding seccomp profile failed: 'syscalls' must be a list of rules")
    out["syscalls"] = [_rule(call) for call in calls if _applies(call, caps, kernel)]
    return out


def _architectures(profile: dict[str, Any]) -> list[str]:
    arch_map = profile.get("archMap")
    if arch_map and profile.get("architectures"):
        raise BadParameter("use either 'architectures' or 'archMap' in the seccomp profile")
    if not arch_map:
        return list(profile.get("architectures") or [])
    for entry in arch_map:
        if entry.get("architecture") == NATIVE_ARCH:
            return [NATIVE_ARCH, *(entry.get("subArchitectures") or [])]
    return []


def _applies(call: dict[str, Any], caps: list[str], kernel: tuple[int, int]) -> bool:
    """Docker's `includes` (all of) and `excludes` (any of) on capabilities and arches."""
    includes = call.get("includes") or {}
    excludes = call.get("excludes") or {}
    if any(c not in caps for c in includes.get("caps") or []):
        return False
    if includes.get("arches") and GO_ARCH not in includes["arches"]:
        return False
    if includes.get("minKernel") and kernel < _version(str(includes["minKernel"])):
        return False
    if any(c in caps for c in excludes.get("caps") or []):
        return False
    return GO_ARCH not in (excludes.get("arches") or [])


def _version(text: str) -> tuple[int, int]:
    try:
        major, _, minor = text.partition(".")
        return int(major), int(minor.partition(".")[0] or 0)
    except ValueError:
        raise BadParameter(f"invalid minKernel in the seccomp profile: {text!r}") from None


def _rule(call: dict[str, Any]) -> dict[str, Any]:
    if call.get("name") and call.get("names"):
        raise BadParameter("use either 'name' or 'names' in a seccomp profile rule, not both")
    names = call.get("names") or ([call["name"]] if call.get("name") else [])
    if not names or not call.get("action"):
        raise BadParameter("a seccomp profile rule needs 'names' and an 'action'")
    rule: dict[str, Any] = {"names": list(names), "action": call["action"]}
    if call.get("args"):
        rule["args"] = [
            {k: arg[k] for k in ("index", "value", "valueTwo", "op") if k in arg}
            for arg in call["args"]
        ]
    if call.get("errnoRet") is not None:
        rule["errnoRet"] = int(call["errnoRet"])
    return rule
