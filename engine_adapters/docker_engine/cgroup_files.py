"""A local container's counters read straight from its cgroup files and /proc (v1, v2, hybrid)."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

# The v1 controllers whose files we read; cpuacct and memory are required, blkio and pids
# are read when mounted.
V1_CONTROLLERS = ("cpuacct", "memory", "blkio", "pids")
NANOS_PER_TICK = 1_000_000_000 // os.sysconf("SC_CLK_TCK")
# Of memory.stat's forty-odd lines only the inactive file cache is used (`memory_used`), and
# of cpu.stat's only the usage: found by one regex search instead of a dict of every line,
# which was a third of a stats pass at 1,000 containers.
_INACTIVE_FILE = re.compile(r"^((?:total_)?inactive_file) (\d+)$", re.MULTILINE)
_USAGE_USEC = re.compile(r"^usage_usec (\d+)$", re.MULTILINE)
# A kept file no pass has read in this many is closed (its container stopped or left the list).
KEEP_PASSES = 3

Read = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class Mounts:
    """Where each hierarchy is mounted in our mount namespace: (root inside it, mount point)."""

    v1: dict[str, tuple[str, str]]
    v2: tuple[str, str] | None


@dataclass(frozen=True, slots=True)
class CgroupDirs:
    """The directories that hold one container's files; on v2 all four are the same."""

    version: int
    cpu: str
    memory: str
    blkio: str | None
    pids: str | None


@dataclass(frozen=True, slots=True)
class Counters:
    """One raw reading of a container: cumulative counters and current levels."""

    cpu_nanos: int
    mem_usage: int
    mem_stat: dict[str, int]  # the inactive file cache only: all `memory_used` reads
    mem_limit: int | None  # None when the cgroup has no limit
    block_read: int
    block_write: int
    pids: int
    net_rx: int
    net_tx: int


def read_mounts(mountinfo: str = "/proc/self/mountinfo") -> Mounts:
    v1: dict[str, tuple[str, str]] = {}
    v2: tuple[str, str] | None = None
    with open(mountinfo) as f:
        for line in f:
            before, _, after = line.partition(" - ")
            fields, tail = before.split(), after.split()
            if len(fields) < 5 or len(tail) < 3:
                continue
            root, point = fields[3], fields[4].replace("\\040", " ")
            if tail[0] == "cgroup2":
                v2 = (root, point)
            elif tail[0] == "cgroup":
                for option in tail[2].split(","):
                    if option in V1_CONTROLLERS:
                        v1[option] = (root, point)
    return Mounts(v1, v2)


def _visible(mount: tuple[str, str], path: str) -> str | None:
    """The directory of cgroup `path` under `mount`, or None when it lies outside our view."""
    root, point = mount
    if root != "/":
        if path != root and not path.startswith(root + "/"):
            return None
        path = path[len(root) :]
    return point + path if path != "/" else point


def _container_group(path: str, container_id: str) -> str | None:
    """The path cut after its deepest part naming the container.

    dockerd (/docker/<id>, docker-<id>.scope), Podman (libpod-<id>.scope) and our native
    engine (/dockyard/<id>) all name the container's group after its id; an init that moved
    itself into a child group (systemd, docker-in-docker) is counted with the whole container.
    A path that does not name the container is not trusted: the pid may be another one's, as
    when we run in a container of our own with the engine's socket mounted.
    """
    parts = path.split("/")
    for i in range(len(parts) - 1, 0, -1):
        if container_id in parts[i]:
            return "/".join(parts[: i + 1])
    return None


def locate(pid: int, container_id: str, mounts: Mounts) -> CgroupDirs | None:
    """The container's cgroup directories from /proc/<pid>/cgroup; None when not readable here."""
    lines = _read(f"/proc/{pid}/cgroup").splitlines()
    v1: dict[str, str] = {}
    v2_path: str | None = None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        group = _container_group(path, container_id)
        if group is None:
            continue
        if controllers == "":
            v2_path = group
        for controller in controllers.split(","):
            if controller in mounts.v1:
                directory = _visible(mounts.v1[controller], group)
                if directory is not None:
                    v1[controller] = directory
    # On a hybrid host the v2 hierarchy holds no controllers: the v1 ones count.
    if "cpuacct" in v1 and "memory" in v1:
        return CgroupDirs(1, v1["cpuacct"], v1["memory"], v1.get("blkio"), v1.get("pids"))
    if v2_path is not None and mounts.v2 is not None and not mounts.v1:
        directory = _visible(mounts.v2, v2_path)
        if directory is not None:
            return CgroupDirs(2, directory, directory, directory, directory)
    return None


def start_time(pid: int, read: Read | None = None) -> str:
    """The process's start time in clock ticks (field 22 of /proc/<pid>/stat)."""
    text = (read or _read)(f"/proc/{pid}/stat")
    # The command name (field 2) may hold spaces and parentheses: count from its end.
    return text[text.rindex(")") + 2 :].split()[19]


def host_cpu_nanos() -> int:
    """Host CPU time as dockerd counts it: the first seven `cpu` fields of /proc/stat."""
    fields = _read("/proc/stat").split("\n", 1)[0].split()[1:8]
    return sum(int(v) for v in fields) * NANOS_PER_TICK


def host_memory() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def online_cpus() -> int:
    return os.sysconf("SC_NPROCESSORS_ONLN") or 1


def _read(path: str) -> str:
    """A small kernel file in one read.

    Half the cost of open().read(), which counts when a batch reads nine files per container.
    """
    fd = os.open(path, os.O_RDONLY)
    try:
        # The kernel hands out a whole seq_file that fits the buffer in one read.
        return os.read(fd, 65536).decode()
    finally:
        os.close(fd)


class KeptFiles:
    """The files a pass reads, kept open and read again from their start (pread).

    Opening a cgroup or /proc file costs more than reading it (a path walk through the
    kernel's file system): a pass over 1,000 containers, eight files each, took 140 ms of CPU,
    about half of that with the files kept open. The engines' streams together keep at most
    `budget` (a share of the process's file limit); the others are opened each time. A kept
    file whose container stopped fails to read (ENODEV, ESRCH) as its path would: it is closed
    and the error raised, and a restarted container's new files are opened afresh. Reads and
    `close` come from different threads: the lock keeps a closed descriptor, perhaps reused
    for another file, from being read.
    """

    _lock = threading.Lock()  # one for every engine's files: they share the budget
    _kept = 0
    budget = -1  # file_budget(), once asked

    def __init__(self) -> None:
        self._fds: dict[str, int] = {}
        self._last_read: dict[str, int] = {}  # path: the pass that last read it
        self._passes = 0
        self._closed = False

    def read(self, path: str) -> str:
        with self._lock:
            fd = self._fds.get(path)
            if fd is None:
                if KeptFiles.budget < 0:
                    KeptFiles.budget = file_budget()
                if self._closed or KeptFiles._kept >= KeptFiles.budget:
                    return _read(path)
                fd = self._fds[path] = os.open(path, os.O_RDONLY)
                KeptFiles._kept += 1
            self._last_read[path] = self._passes
            try:
                return os.pread(fd, 65536, 0).decode()
            except OSError:
                self._drop(path)
                raise

    def end_pass(self) -> None:
        """Closes the files that no pass has read in the last KEEP_PASSES."""
        with self._lock:
            self._passes += 1
            oldest = self._passes - KEEP_PASSES
            for path in [p for p, n in self._last_read.items() if n < oldest]:
                self._drop(path)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for path in list(self._fds):
                self._drop(path)

    def __len__(self) -> int:
        return len(self._fds)

    def _drop(self, path: str) -> None:
        self._last_read.pop(path, None)
        fd = self._fds.pop(path, None)
        if fd is not None:
            os.close(fd)
            KeptFiles._kept -= 1


def file_budget() -> int:
    """How many files KeptFiles may keep: a third of the soft limit on open files, leaving
    the rest to sockets, pipes and logs (1,024 files, Linux's usual limit, keep 340)."""
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        soft = 65536
    return max(0, min(soft // 3, 16384))


def inactive_file(memory_stat: str) -> dict[str, int]:
    """The `inactive_file` (and v1's `total_inactive_file`) lines of a memory.stat."""
    return {key: int(value) for key, value in _INACTIVE_FILE.findall(memory_stat)}


def usage_usec(cpu_stat: str) -> int:
    found = _USAGE_USEC.search(cpu_stat)
    return int(found.group(1)) if found else 0


def _optional_int(path: str | None, read: Read) -> int:
    if path is None:
        return 0
    try:
        return int(read(path))
    except (OSError, ValueError):
        return 0


def _v1_block_io(directory: str | None, read: Read) -> tuple[int, int]:
    """Sums `<dev> Read N` and `<dev> Write N` lines over devices (not the `Total` line)."""
    if directory is None:
        return 0, 0
    try:
        text = read(f"{directory}/blkio.throttle.io_service_bytes")
    except OSError:
        return 0, 0
    read_bytes = write_bytes = 0
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == "Read":
            read_bytes += int(parts[2])
        elif len(parts) == 3 and parts[1] == "Write":
            write_bytes += int(parts[2])
    return read_bytes, write_bytes


def _v2_block_io(directory: str, read: Read) -> tuple[int, int]:
    read_bytes = write_bytes = 0
    try:
        text = read(f"{directory}/io.stat")
    except OSError:
        return 0, 0
    for line in text.splitlines():
        for field in line.split()[1:]:
            key, _, value = field.partition("=")
            if key == "rbytes":
                read_bytes += int(value)
            elif key == "wbytes":
                write_bytes += int(value)
    return read_bytes, write_bytes


def network(pid: int, read: Read | None = None) -> tuple[int, int]:
    """Bytes received and sent on the interfaces of the process's network namespace, but lo."""
    rx = tx = 0
    for line in (read or _read)(f"/proc/{pid}/net/dev").splitlines()[2:]:
        name, _, rest = line.partition(":")
        values = rest.split()
        if name.strip() != "lo" and len(values) >= 9:
            rx += int(values[0])
            tx += int(values[8])
    return rx, tx


def read_counters(
    dirs: CgroupDirs, pid: int, host_network: bool, host_bytes: int, read: Read | None = None
) -> Counters:
    """Raises OSError when the container's files are gone (it stopped) or not readable.

    `host_bytes` is `host_memory()`, read once per pass by the caller (two sysconf calls
    per container were a tenth of a pass); `read` reads a file (KeptFiles.read in a pass).
    """
    read = read or _read
    if dirs.version == 1:
        cpu = int(read(f"{dirs.cpu}/cpuacct.usage"))
        usage = int(read(f"{dirs.memory}/memory.usage_in_bytes"))
        raw_limit = int(read(f"{dirs.memory}/memory.limit_in_bytes"))
        # v1 says "unlimited" with a huge page-rounded number instead of a word.
        limit = raw_limit if raw_limit < host_bytes else None
        block_read, block_write = _v1_block_io(dirs.blkio, read)
    else:
        cpu = usage_usec(read(f"{dirs.cpu}/cpu.stat")) * 1000
        usage = int(read(f"{dirs.memory}/memory.current"))
        text = read(f"{dirs.memory}/memory.max").strip()
        limit = None if text == "max" else int(text)
        block_read, block_write = _v2_block_io(dirs.memory, read)
    stat = inactive_file(read(f"{dirs.memory}/memory.stat"))
    pids = _optional_int(f"{dirs.pids}/pids.current" if dirs.pids else None, read)
    # Docker leaves the host's counters out for --net host: they are not the container's.
    rx, tx = (0, 0) if host_network else network(pid, read)
    return Counters(cpu, usage, stat, limit, block_read, block_write, pids, rx, tx)
