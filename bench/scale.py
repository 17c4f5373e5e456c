"""Scale curves: the native engine and dockerd, engine and UI, at N = 10, 100, 1,000 containers.

For each engine the same busybox `sleep` containers are added in batches up to each N, and
at each N this measures `ps` (CLI and SDK), the daemon's RSS, memory per container (daemon
growth plus the container's monitor: conmon or containerd-shim, RSS and PSS), a daemon
restart until `ps` lists all N running again (native only: the rig's dockerd is shared and
not ours to restart), the latency of a `create` event and a one-shot `stats` of all N, then
the UI on that engine: launch to list, keystroke, CPU of app + engine on the list and on
the dashboard, the app's RSS and the bytes/s it writes to the terminal.

Containers run with `--network none`: a Linux bridge takes 1,024 ports, and the shared
docker0 is not ours to fill; network set-up is timed by
native_run.py and native_netsetup.py. Everything created is labelled
`dockyard.bench=scale-<pid>` and removed at the end, also on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import queue
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import docker
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from _scale_ui import UiFigures, ui_figures  # noqa: E402
from native_run import DOCKERD, IMAGE, REPO, ThrowawayDaemon, _ping  # noqa: E402
from native_run import docker as cli  # noqa: E402

LABEL = "dockyard.bench"
TAG = f"scale-{os.getpid()}"
PREFIX = f"dys{os.getpid()}-"
DOCKERD_PROCESSES = ("dockerd", "containerd")
STATS_TIMEOUT = 300
CREATE_ATTEMPTS = 3
FAILURES: list[str] = []


@dataclass
class Side:
    """One engine under test: its socket, its client and how to find its processes."""

    name: str
    host: str
    daemon: ThrowawayDaemon | None = None
    ids: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.api = docker.APIClient(base_url=self.host, version="1.41", timeout=600)

    def daemon_processes(self) -> list[psutil.Process]:
        if self.daemon is not None:
            return [psutil.Process(self.daemon.proc.pid)]
        return [p for p in psutil.process_iter(["name"]) if p.info["name"] in DOCKERD_PROCESSES]

    def monitors(self) -> list[psutil.Process]:
        """conmon (native) or containerd-shim (dockerd) of each of our containers."""
        root = str(self.daemon.root) if self.daemon is not None else None
        ours = set(self.ids)

        def wanted(p: psutil.Process) -> bool:
            if root is not None:
                return p.info["name"] == "conmon" and root in " ".join(p.info["cmdline"])
            shim = str(p.info["name"]).startswith("containerd-shim")
            return shim and any(a in ours for a in p.info["cmdline"] or [])

        found = []
        for p in psutil.process_iter(["name", "cmdline"]):
            try:
                if p.info["cmdline"] and wanted(p):
                    found.append(p)
            except psutil.Error:
                continue
        return found

    def engine_processes(self) -> list[psutil.Process]:
        """Whatever the engine runs for us: its daemon(s) and monitors (for CPU figures)."""
        return self.daemon_processes() + self.monitors()


def memory(processes: Iterable[psutil.Process]) -> tuple[float, float]:
    """RSS and PSS in MiB summed over `processes` (PSS from smaps_rollup)."""
    rss = pss = 0
    for p in processes:
        try:
            info = p.memory_full_info()
        except psutil.Error:
            continue
        rss += info.rss
        pss += info.pss
    return rss / 2**20, pss / 2**20


def add_containers(side: Side, upto: int, batch: int) -> None:
    """Create and start containers in parallel batches until `side` has `upto` of ours."""

    def one(n: int) -> str:
        config = side.api.create_host_config(network_mode="none")
        name = f"{PREFIX}{n:04d}"
        for attempt in range(CREATE_ATTEMPTS):
            try:
                made = side.api.create_container(
                    IMAGE, ["sleep", "100000"], name=name, labels={LABEL: TAG},
                    host_config=config,
                )  # fmt: skip
                side.api.start(made["Id"])
                return str(made["Id"])
            except docker.errors.APIError as error:
                # An engine that fails under load is a finding: say so, then try again.
                FAILURES.append(f"{side.name} N~{n}: {error.explanation or error}")
                print(f"  {side.name}: {name} attempt {attempt + 1}: {FAILURES[-1]}")
                with contextlib.suppress(docker.errors.APIError):
                    side.api.remove_container(name, force=True)
        raise SystemExit(f"{side.name}: could not create {name}")

    with ThreadPoolExecutor(4) as pool:
        while len(side.ids) < upto:
            count = min(batch, upto - len(side.ids))
            side.ids += pool.map(one, range(len(side.ids), len(side.ids) + count))


def remove_ours(side: Side) -> None:
    """Everything labelled with our tag, by id (never a prune)."""
    try:
        listed = side.api.containers(all=True, filters={"label": f"{LABEL}={TAG}"})
    except docker.errors.DockerException as error:
        print(f"cleanup on {side.name}: {error}")
        return
    with ThreadPoolExecutor(4) as pool:
        for failed in pool.map(lambda c: _remove(side, c["Id"]), listed):
            if failed:
                print(f"cleanup on {side.name}: {failed}")
    side.ids.clear()


def _remove(side: Side, cid: str) -> str | None:
    try:
        side.api.remove_container(cid, force=True)
    except docker.errors.DockerException as error:
        return str(error).splitlines()[0]
    return None


def median_ms(action: Callable[[], object], rounds: int = 5) -> float:
    action()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def event_latency_ms(side: Side, rounds: int = 3) -> float:
    """From a create request to its `create` event arriving on an open events stream."""
    times = []
    for n in range(rounds):
        wanted = {"event": "create", "label": f"{LABEL}.probe={TAG}"}
        stream = side.api.events(decode=True, filters=wanted)
        arrived: queue.Queue[float] = queue.Queue()
        reader = threading.Thread(target=_first_event, args=(stream, arrived), daemon=True)
        reader.start()
        time.sleep(0.2)  # the stream is open on the daemon before the create goes out
        start = time.perf_counter()
        made = side.api.create_container(
            IMAGE, ["true"], name=f"{PREFIX}probe{n}", labels={LABEL: TAG, f"{LABEL}.probe": TAG}
        )
        try:
            times.append((arrived.get(timeout=30) - start) * 1000)
        except queue.Empty:
            pass
        finally:
            stream.close()
            side.api.remove_container(made["Id"], force=True)
    return statistics.median(times) if times else math.nan


def _first_event(stream: Iterable[object], arrived: queue.Queue[float]) -> None:
    try:
        for _ in stream:
            arrived.put(time.perf_counter())
            return
    except Exception:  # the stream is closed under us when the measure is done
        return


def restart_seconds(side: Side, count: int) -> float:
    """Native: SIGTERM the daemon, start it on the same data root, until `ps` shows all running."""
    assert side.daemon is not None
    daemon = side.daemon
    daemon.proc.send_signal(signal.SIGTERM)
    daemon.proc.wait(60)
    start = time.perf_counter()
    log = open(daemon.root / "daemon.log", "ab")  # noqa: SIM115 - owned by the process
    daemon.proc = subprocess.Popen(
        daemon.proc.args, cwd=REPO, stdout=log, stderr=log, start_new_session=True
    )
    log.close()
    while not _ping(daemon.socket):
        time.sleep(0.01)
    while True:
        running = side.api.containers(filters={"label": f"{LABEL}={TAG}", "status": "running"})
        if len(running) >= count:
            return time.perf_counter() - start
        if time.perf_counter() - start > 300:
            return math.nan
        time.sleep(0.05)


def stats_once_s(side: Side) -> float:
    """`docker stats --no-stream` of our N containers, as a user at the CLI runs it."""
    argv = ["docker", "stats", "--no-stream", "--format", "{{.ID}}", *side.ids]
    start = time.perf_counter()
    try:
        subprocess.run(
            argv, env=dict(os.environ, DOCKER_HOST=side.host), capture_output=True,
            check=True, timeout=STATS_TIMEOUT,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        print(f"  {side.name}: docker stats of {len(side.ids)} gave no answer in {STATS_TIMEOUT} s")
        return math.nan
    except subprocess.CalledProcessError as error:
        said = (error.stderr or b"").decode(errors="replace").strip().splitlines()
        print(f"  {side.name}: docker stats failed: {said[-1] if said else error.returncode}")
        return math.nan
    return time.perf_counter() - start


@dataclass
class Table:
    title: str
    unit: str
    rows: dict[str, dict[int, float]] = field(default_factory=dict)

    def put(self, side: str, n: int, value: float) -> None:
        self.rows.setdefault(side, {})[n] = value


TABLES: dict[str, Table] = {}


def record(key: str, title: str, unit: str, side: str, n: int, value: float) -> None:
    TABLES.setdefault(key, Table(title, unit)).put(side, n, value)


def growth(values: dict[int, float]) -> str:
    """How a figure grows from the smallest N to the largest: the log-log slope, named."""
    points = sorted((n, v) for n, v in values.items() if v == v and v > 0)
    if len(points) < 2 or points[0][0] == points[-1][0]:
        return ""
    (n1, v1), (n2, v2) = points[0], points[-1]
    slope = math.log(v2 / v1) / math.log(n2 / n1)
    name = (
        "flat"
        if slope < 0.2
        else "sublinear"
        if slope < 0.8
        else "linear"
        if slope < 1.25
        else "worse than linear"
    )
    return f"{name} (x{v2 / v1:.1f} for x{n2 // n1} containers, slope {slope:.2f})"


def print_tables(sizes: list[int]) -> None:
    for table in TABLES.values():
        print(f"\n{table.title} ({table.unit})")
        print(f"{'':10}" + "".join(f"{f'N={n}':>12}" for n in sizes) + "   growth")
        for side, values in table.rows.items():
            cells = "".join(
                f"{values[n]:12.1f}" if n in values and values[n] == values[n] else f"{'-':>12}"
                for n in sizes
            )
            print(f"{side:10}{cells}   {growth(values)}")


def engine_figures(side: Side, n: int) -> None:
    sdk = median_ms(lambda: side.api.containers(all=True))
    ps = median_ms(lambda: cli(side.host, "ps", "-a"))
    record("ps_cli", "`docker ps -a` through the CLI", "ms, median of 5", side.name, n, ps)
    record("ps_sdk", "SDK list (GET /containers/json?all=1)", "ms, median of 5", side.name, n, sdk)
    daemon_rss, daemon_pss = memory(side.daemon_processes())
    record(
        "daemon_rss", "daemon RSS (dockerd: dockerd + containerd)", "MiB", side.name, n, daemon_rss
    )
    monitors = side.monitors()
    mon_rss, mon_pss = memory(monitors)
    base_rss, base_pss = BASELINE[side.name]
    per_rss = (daemon_rss - base_rss + mon_rss) / n * 1024
    per_pss = (daemon_pss - base_pss + mon_pss) / n * 1024
    title = "per container: daemon growth + its monitor"
    record("per_rss", f"{title}, RSS", "KiB", side.name, n, per_rss)
    record("per_pss", f"{title}, PSS", "KiB", side.name, n, per_pss)
    print(f"  {side.name} N={n}: {len(monitors)} monitors; ps {ps:.0f} ms, SDK {sdk:.0f} ms")
    record(
        "events",
        "`create` event latency with N running",
        "ms, median of 3",
        side.name,
        n,
        event_latency_ms(side),
    )
    record("stats", "`docker stats --no-stream` of all N", "s", side.name, n, stats_once_s(side))
    if side.daemon is not None:
        took = restart_seconds(side, n)
        record("restart", "daemon restart until `ps` lists all N running", "s", side.name, n, took)


def put_ui(side: str, n: int, ui: UiFigures) -> None:
    record("ui_launch", "UI: launch to list", "s, median", side, n, ui.launch)
    record("ui_key", "UI: keystroke to first byte, median", "ms", side, n, ui.key_median)
    record("ui_key90", "UI: keystroke to first byte, p90", "ms", side, n, ui.key_p90)
    record("ui_cpu_list", "UI: CPU on the list, app + engine", "% of a core", side, n, ui.list_cpu)
    record("ui_cpu_app", "UI: CPU on the list, app alone", "% of a core", side, n, ui.list_app_cpu)
    record(
        "ui_cpu_idle",
        "UI: the engine's CPU with no UI running (what app + engine sits on)",
        "% of a core",
        side,
        n,
        ui.engine_idle,
    )
    record(
        "ui_cpu_dash", "UI: CPU on the dashboard, app + engine", "% of a core", side, n, ui.dash_cpu
    )
    record(
        "ui_rss",
        "UI: app RSS (stats rings hold 15 min from the first sample)",
        "MiB",
        side,
        n,
        ui.rss,
    )
    record("ui_bytes", "UI: bytes to the terminal on the list", "KiB/s", side, n, ui.list_kib)
    record(
        "ui_bytes_dash", "UI: bytes to the terminal on the dashboard", "KiB/s", side, n, ui.dash_kib
    )


BASELINE: dict[str, tuple[float, float]] = {}


def run_side(side: Side, sizes: list[int], args: argparse.Namespace) -> None:
    BASELINE[side.name] = memory(side.daemon_processes())
    for n in sizes:
        start = time.perf_counter()
        add_containers(side, n, args.batch)
        print(f"{side.name}: {n} containers up ({time.perf_counter() - start:.0f} s to add them)")
        if not args.ui_only:
            engine_figures(side, n)
        if not args.no_ui:
            put_ui(side.name, n, ui_figures(side.host, PREFIX, side.engine_processes, args.seconds))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000", help="comma-separated N (e.g. 10,100)")
    parser.add_argument("--batch", type=int, default=50, help="containers added per batch")
    parser.add_argument("--seconds", type=float, default=10.0, help="each CPU window")
    parser.add_argument("--engines", default="native,dockerd")
    parser.add_argument("--no-ui", action="store_true", help="engine figures only")
    parser.add_argument("--ui-only", action="store_true", help="the UI's figures only")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    # A SIGTERM unwinds like Ctrl-C, so the finally blocks remove what we made.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    os.chdir(ROOT)
    print("load before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    for name in args.engines.split(","):
        daemon = None
        try:
            if name == "native":
                daemon = ThrowawayDaemon()
                cli(f"unix://{daemon.socket}", "load", input=cli(DOCKERD, "save", IMAGE))
                side = Side(name, f"unix://{daemon.socket}", daemon)
            else:
                side = Side(name, DOCKERD)
            try:
                run_side(side, sizes, args)
            except SystemExit as error:
                print(f"{name}: stopped: {error}")
            finally:
                remove_ours(side)
        except KeyboardInterrupt:
            print(f"interrupted on {name}: removed what was created")
            return 130
        finally:
            if daemon is not None:
                daemon.close()
    print("load after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    if FAILURES:
        print(f"\n{len(FAILURES)} failed requests while adding containers (each retried):")
        print("\n".join(f"  {line}" for line in FAILURES))
    print_tables(sizes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
