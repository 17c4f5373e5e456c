"""The OCI runtime config.json, written with Docker's default hardening."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from native_runtime.containers import devices, init_process, inroot, privileged, security
from native_runtime.containers.model import Container, ContainerDirs
from native_runtime.errors import BadParameter

SWAP_ACCOUNTING = Path("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes").exists()
# /etc/passwd and /etc/group larger than this are refused, not read into the daemon.
ACCOUNTS_FILE_LIMIT = 4 << 20
DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

DEFAULT_CAPS = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
]

ALL_CAPS = [
    "CAP_AUDIT_CONTROL", "CAP_AUDIT_READ", "CAP_AUDIT_WRITE", "CAP_BLOCK_SUSPEND", "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER", "CAP_FSETID", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_KILL", "CAP_LEASE",
    "CAP_LINUX_IMMUTABLE", "CAP_MAC_ADMIN", "CAP_MAC_OVERRIDE", "CAP_MKNOD", "CAP_NET_ADMIN",
    "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_RAW", "CAP_PERFMON", "CAP_SETFCAP",
    "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYSLOG", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
    "CAP_SYS_CHROOT", "CAP_SYS_MODULE", "CAP_SYS_NICE", "CAP_SYS_PACCT", "CAP_SYS_PTRACE",
    "CAP_SYS_RAWIO", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_WAKE_ALARM",
]  # fmt: skip

MASKED_PATHS = [
    "/proc/acpi",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
]

READONLY_PATHS = [
    "/proc/asound",
    "/proc/bus",
    "/proc/fs",
    "/proc/irq",
    "/proc/sys",
    "/proc/sysrq-trigger",
]


# Docker's devices cgroup: deny everything, then allow mknod of any node and
# read/write of the standard character devices, ptys and tun.
DEFAULT_DEVICE_RULES: list[dict[str, Any]] = [
    {"allow": False, "access": "rwm"},
    devices.allow("c", None, None, "m"),
    devices.allow("b", None, None, "m"),
    devices.allow("c", 1, 3, "rwm"),
    devices.allow("c", 1, 8, "rwm"),
    devices.allow("c", 1, 7, "rwm"),
    devices.allow("c", 5, 0, "rwm"),
    devices.allow("c", 1, 5, "rwm"),
    devices.allow("c", 1, 9, "rwm"),
    devices.allow("c", 136, None, "rwm"),
    devices.allow("c", 5, 2, "rwm"),
    devices.allow("c", 10, 200, "rwm"),
]


def _mount(dest: str, kind: str, source: str, options: list[str]) -> dict[str, Any]:
    return {"destination": dest, "type": kind, "source": source, "options": options}


def default_mounts(
    dirs: ContainerDirs, host_network: bool, host_config: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    host_config = host_config or {}
    shm_size = int(host_config.get("ShmSize") or 67108864)
    mounts = [
        _mount("/proc", "proc", "proc", ["nosuid", "noexec", "nodev"]),
        _mount("/dev", "tmpfs", "tmpfs", ["nosuid", "strictatime", "mode=755", "size=65536k"]),
        _mount(
            "/dev/pts",
            "devpts",
            "devpts",
            ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"],
        ),
        _mount("/sys", "sysfs", "sysfs", ["nosuid", "noexec", "nodev", "ro"]),
        _mount("/sys/fs/cgroup", "cgroup", "cgroup", ["ro", "nosuid", "noexec", "nodev"]),
        _mount("/dev/mqueue", "mqueue", "mqueue", ["nosuid", "noexec", "nodev"]),
        _mount(
            "/dev/shm",
            "tmpfs",
            "shm",
            ["nosuid", "noexec", "nodev", "mode=1777", f"size={shm_size}"],
        ),
    ]
    for name in ("resolv.conf", "hostname", "hosts"):
        mounts.append(_mount(f"/etc/{name}", "bind", str(dirs.etc / name), ["rbind", "rprivate"]))
    for dest, options in (host_config.get("Tmpfs") or {}).items():
        # Docker's --tmpfs defaults, overridable by the options given.
        opts = ["noexec", "nosuid", "nodev"] + [o for o in str(options).split(",") if o]
        mounts.append(_mount(dest, "tmpfs", "tmpfs", opts))
    del host_network
    return mounts


def _cap_name(name: str) -> str:
    name = name.upper()
    if name == "ALL":
        return name
    name = name if name.startswith("CAP_") else "CAP_" + name
    if name not in ALL_CAPS:
        raise BadParameter(f"unknown capability: {name!r}")
    return name


def capabilities(host_config: dict[str, Any]) -> list[str]:
    """Docker's default set, then --cap-add, then --cap-drop (ALL allowed in both).

    --privileged takes every capability and ignores both lists, as dockerd does.
    """
    if host_config.get("Privileged"):
        return privileged.capabilities()
    caps = list(DEFAULT_CAPS)
    adds = [_cap_name(c) for c in host_config.get("CapAdd") or []]
    drops = [_cap_name(c) for c in host_config.get("CapDrop") or []]
    if "ALL" in adds:
        caps = list(ALL_CAPS)
    caps += [c for c in adds if c != "ALL" and c not in caps]
    if "ALL" in drops:
        caps = [c for c in adds if c != "ALL"]
    return [c for c in caps if c not in drops]


def custom_devices(
    host_config: dict[str, Any],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """--device nodes and their cgroup rules plus --device-cgroup-rule, as dockerd adds them.

    --privileged already gets every host device and every access, so dockerd looks at
    neither list then (not even for a missing device), and nor do we.
    """
    if privileged.takes_host_devices(host_config):
        return [], []
    return devices.gather(host_config)


def resources(
    host_config: dict[str, Any], device_rules: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Memory, CPU and pids limits from Docker's HostConfig; extra device rules go last."""
    res: dict[str, Any] = {"devices": DEFAULT_DEVICE_RULES + (device_rules or [])}
    memory = int(host_config.get("Memory") or 0)
    if memory:
        res["memory"] = {"limit": memory}
        swap = int(host_config.get("MemorySwap") or 0)
        if SWAP_ACCOUNTING and swap != -1:
            # Docker's default: as much swap as memory (memory+swap = twice the limit).
            res["memory"]["swap"] = swap if swap > 0 else 2 * memory
    cpu: dict[str, Any] = {}
    nano = int(host_config.get("NanoCpus") or 0)
    if nano:
        cpu["period"] = 100000
        cpu["quota"] = nano * 100000 // 1_000_000_000
    if host_config.get("CpuQuota"):
        cpu["quota"] = int(host_config["CpuQuota"])
        cpu["period"] = int(host_config.get("CpuPeriod") or 100000)
    if host_config.get("CpuShares"):
        cpu["shares"] = int(host_config["CpuShares"])
    # Real-time scheduling budget; the kernel needs CONFIG_RT_GROUP_SCHED, as under dockerd.
    if host_config.get("CpuRealtimePeriod"):
        cpu["realtimePeriod"] = int(host_config["CpuRealtimePeriod"])
    if host_config.get("CpuRealtimeRuntime"):
        cpu["realtimeRuntime"] = int(host_config["CpuRealtimeRuntime"])
    if cpu:
        res["cpu"] = cpu
    pids = host_config.get("PidsLimit")
    if pids and int(pids) > 0:
        res["pids"] = {"limit": int(pids)}
    return res


def build(
    ctr: Container,
    dirs: ContainerDirs,
    user: dict[str, Any],
    extra_mounts: list[dict[str, Any]],
    netns_path: str | None = None,
) -> dict[str, Any]:
    """The whole config.json for `ctr`; `user` is already resolved against the rootfs.

    `netns_path` is the network namespace to join (made by the network engine); without
    it a non-host container gets a fresh, empty one.
    """
    config = ctr.config
    host_network = ctr.host_config.get("NetworkMode") == "host"
    env = list(config.get("Env") or [])
    if not any(e.startswith("PATH=") for e in env):
        env.insert(0, DEFAULT_PATH)
    namespaces = [{"type": t} for t in ("pid", "ipc", "mount")]
    if not host_network:
        network: dict[str, str] = {"type": "network"}
        if netns_path:
            network["path"] = netns_path
        namespaces += [{"type": "uts"}, network]
    caps = capabilities(ctr.host_config)
    device_nodes, device_rules = custom_devices(ctr.host_config)
    args = process_args(ctr)
    mounts = default_mounts(dirs, host_network, ctr.host_config)
    if init_process.wanted(ctr.host_config):
        init_process.check(ctr.host_config)  # tini may have gone since the create
        args = init_process.wrap(args)
        mounts.append(init_process.mount())
    spec: dict[str, Any] = {
        "ociVersion": "1.0.2",
        "process": {
            "terminal": ctr.tty,
            "user": user,
            "args": args,
            "env": env,
            "cwd": config.get("WorkingDir") or "/",
            "capabilities": {"bounding": caps, "effective": caps, "permitted": caps},
            "noNewPrivileges": security.no_new_privileges(ctr.host_config),
        },
        "root": {"path": str(dirs.rootfs), "readonly": bool(ctr.host_config.get("ReadonlyRootfs"))},
        "mounts": mounts + extra_mounts,
        "linux": {
            "namespaces": namespaces,
            "cgroupsPath": f"/dockyard/{ctr.id}",
            "resources": resources(ctr.host_config, device_rules),
            "maskedPaths": MASKED_PATHS,
            "readonlyPaths": READONLY_PATHS,
        },
    }
    if ctr.host_config.get("Privileged"):
        privileged.unconfine(spec)
    if device_nodes:
        spec["linux"]["devices"] = spec["linux"].get("devices", []) + device_nodes
    seccomp_filter = security.seccomp_filter(ctr.host_config, caps)
    if seccomp_filter is not None:
        spec["linux"]["seccomp"] = seccomp_filter
    if not host_network:
        spec["hostname"] = config.get("Hostname") or ctr.short_id
    return spec


def process_args(ctr: Container) -> list[str]:
    return list(ctr.config.get("Entrypoint") or []) + list(ctr.config.get("Cmd") or [])


def resolve_user(rootfs: Path, spec_user: str) -> dict[str, Any]:
    """Turn Docker's `user[:group]` (names or numbers) into uid/gid via the image's files.

    The files are read as the container sees them (`inroot`): an image whose
    /etc is a symlink to a host folder still gets its own /etc.
    """
    name, _, group = (spec_user or "0").partition(":")
    uid, gid = _lookup(_entries(rootfs, "/etc/passwd"), "passwd", name, id_field=2, gid_field=3)
    if group:
        entries = _entries(rootfs, "/etc/group")
        gid = _lookup(entries, "group", group, id_field=2, gid_field=2)[0]
    return {"uid": uid, "gid": gid}


def with_group_add(rootfs: Path, user: dict[str, Any], host_config: dict[str, Any]) -> None:
    """`--group-add`: numbers as given, names looked up in the image's /etc/group."""
    gids = []
    for group in host_config.get("GroupAdd") or []:
        text = str(group)
        if text.isdigit():
            gids.append(int(text))
        else:
            gids.append(_lookup(_entries(rootfs, "/etc/group"), "group", text, 2, 2)[0])
    if gids:
        user["additionalGids"] = gids


def _lookup(
    entries: list[list[str]], file: str, key: str, id_field: int, gid_field: int
) -> tuple[int, int]:
    if key.isdigit():
        number = int(key)
        for fields in entries:
            if len(fields) > gid_field and fields[id_field] == key and fields[gid_field].isdigit():
                return number, int(fields[gid_field])
        return number, number if id_field == gid_field else 0
    for fields in entries:
        if len(fields) > gid_field and fields[0] == key:
            if not (fields[id_field].isdigit() and fields[gid_field].isdigit()):
                raise LookupError(f"unable to find user {key}: invalid entry in {file} file")
            return int(fields[id_field]), int(fields[gid_field])
    raise LookupError(f"unable to find user {key}: no matching entries in {file} file")


def _entries(rootfs: Path, path: str) -> list[list[str]]:
    """The lines of a passwd-style file; only a regular file of bounded size is read."""
    try:
        data = inroot.read_regular(rootfs, path, ACCOUNTS_FILE_LIMIT)
    except OSError as exc:
        raise LookupError(f"{path} in the container: {exc.strerror}") from None
    if data is None:
        return []
    return [line.split(":") for line in data.decode(errors="replace").splitlines()]
