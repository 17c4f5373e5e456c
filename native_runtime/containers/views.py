"""Containers in Docker's JSON shapes: inspect and the `/containers/json` list."""

from __future__ import annotations

import shlex
import time
from datetime import datetime
from typing import Any

from native_runtime.containers import health, spec
from native_runtime.containers.model import Container
from native_runtime.runtime import Runtime
from native_runtime.volumes import mounts


def _epoch(stamp: str) -> int:
    try:
        return int(datetime.fromisoformat(stamp.replace("Z", "")[:26] + "+00:00").timestamp())
    except ValueError:
        return 0


def _exposed_only(rt: Runtime, ctr: Container) -> list[str]:
    """EXPOSEd ports nothing publishes, listed while the container has an address."""
    if not ctr.running or not rt.networks.store.endpoints_of(ctr.id):
        return []
    published = {f"{p['PrivatePort']}/{p['Type']}" for p in rt.networks.port_list(ctr.id)}
    exposed = ctr.config.get("ExposedPorts") or {}
    return [key for key in exposed if key not in published]


def _network_settings(rt: Runtime, ctr: Container) -> dict[str, Any]:
    settings = rt.networks.network_settings(ctr.id)
    # dockerd lists an exposed, unpublished port with a null binding: "9090/tcp": null.
    for key in _exposed_only(rt, ctr):
        settings["Ports"].setdefault(key, None)
    return settings


def _port_list(rt: Runtime, ctr: Container) -> list[dict[str, Any]]:
    ports = rt.networks.port_list(ctr.id)
    for key in _exposed_only(rt, ctr):
        number, _, proto = key.partition("/")
        ports.append({"PrivatePort": int(number), "Type": proto or "tcp"})
    return ports


def _host_config(ctr: Container) -> dict[str, Any]:
    defaults: dict[str, Any] = {
        "NetworkMode": "default",
        "RestartPolicy": {"Name": "no", "MaximumRetryCount": 0},
        "AutoRemove": False,
        "Binds": None,
        "Memory": 0,
        "NanoCpus": 0,
        "CpuQuota": 0,
        "CpuPeriod": 0,
        "CpuShares": 0,
        "PidsLimit": None,
        "Privileged": False,
        "ReadonlyRootfs": False,
        "CapAdd": None,
        "CapDrop": None,
        "SecurityOpt": None,
        # conmon writes k8s-file, but /logs serves it exactly like json-file, and
        # clients (docker-py's run) only read logs back for json-file/journald.
        "LogConfig": {"Type": "json-file", "Config": {}},
    }
    defaults.update(ctr.host_config)
    return defaults


def inspect(rt: Runtime, ctr: Container) -> dict[str, Any]:
    st = ctr.state
    args = spec.process_args(ctr)
    dirs = rt.dirs(ctr)
    return {
        "Id": ctr.id,
        "Created": ctr.created,
        "Path": args[0] if args else "",
        "Args": args[1:],
        "State": {
            "Status": st.status,
            "Running": ctr.running or st.status == "restarting",
            "Paused": st.status == "paused",
            "Restarting": st.status == "restarting",
            # Docker reports a container waiting out a restart back-off as running.
            "OOMKilled": st.oom_killed,
            "Dead": st.status == "dead",
            "Pid": st.pid,
            "ExitCode": st.exit_code,
            "Error": st.error,
            "StartedAt": st.started_at,
            "FinishedAt": st.finished_at,
            **({"Health": st.health} if st.health is not None else {}),
        },
        "Image": ctr.image_id,
        "ResolvConfPath": str(dirs.etc / "resolv.conf"),
        "HostnamePath": str(dirs.etc / "hostname"),
        "HostsPath": str(dirs.etc / "hosts"),
        "LogPath": str(dirs.log),
        "Name": "/" + ctr.name,
        "RestartCount": st.restart_count,
        "Driver": "overlay",
        "Platform": "linux",
        "MountLabel": "",
        "ProcessLabel": "",
        "AppArmorProfile": "",
        "ExecIDs": None,
        "HostConfig": _host_config(ctr),
        "GraphDriver": {
            "Name": "overlay",
            "Data": {
                "MergedDir": str(dirs.rootfs),
                "UpperDir": str(dirs.upper),
                "WorkDir": str(dirs.work),
            },
        },
        "Mounts": mounts.public(ctr.mounts),
        "Config": ctr.config,
        "NetworkSettings": _network_settings(rt, ctr),
    }


def _ago(stamp: str) -> str:
    """Docker's human durations: "Less than a second", "5 seconds", "About a minute"..."""
    seconds = max(int(time.time()) - _epoch(stamp), 0)
    if seconds < 1:
        return "Less than a second"
    if seconds == 1:
        return "1 second"
    if seconds < 60:
        return f"{seconds} seconds"
    minutes = seconds // 60
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = round(seconds / 3600)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    return f"{hours // 24} days"


def _status_text(ctr: Container) -> str:
    st = ctr.state
    if st.status == "running":
        return f"Up {_ago(st.started_at)}{health.status_suffix(ctr)}"
    if st.status == "paused":
        return f"Up {_ago(st.started_at)} (Paused)"
    if st.status == "created":
        return "Created"
    if st.status == "restarting":
        return f"Restarting ({st.exit_code}) {_ago(st.finished_at)} ago"
    if st.status == "dead":
        return "Dead"
    return f"Exited ({st.exit_code}) {_ago(st.finished_at)} ago"


def summary(rt: Runtime, ctr: Container) -> dict[str, Any]:
    args = spec.process_args(ctr)
    mode = ctr.host_config.get("NetworkMode") or "default"
    return {
        "Id": ctr.id,
        "Names": ["/" + ctr.name],
        "Image": ctr.image,
        "ImageID": ctr.image_id,
        # dockerd quotes arguments that hold spaces, shell style.
        "Command": shlex.join(args),
        "Created": _epoch(ctr.created),
        "Ports": _port_list(rt, ctr),
        "Labels": ctr.config.get("Labels") or {},
        "State": ctr.state.status,
        "Status": _status_text(ctr),
        "HostConfig": {"NetworkMode": mode},
        "NetworkSettings": {"Networks": rt.networks.network_settings(ctr.id)["Networks"]},
        "Mounts": mounts.public(ctr.mounts),
    }
