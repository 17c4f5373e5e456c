"""Where the native engine's `run --rm busybox true` spends its time; prints figures only.

Several views of the same path, on a throwaway daemon started with
DOCKYARD_NATIVE_TIMINGS=1 (its stage log, off by default):
  - the docker CLI end to end against dockerd in the same run, interleaved, for
    `run --rm`, `start` of a created container, `exec true` and `run -d` on a
    user-defined network, each ratio printed beside issue 19's bar for it;
  - the API calls the CLI makes (create, wait, start, the wait's answer) timed here
    over the socket, so the CLI's own cost is the difference, and the daemon's own CPU
    time per `run --rm` (a loaded machine stretches wall clock, not CPU time);
  - the daemon's stages from its log (network, rootfs and bundle, conmon with
    `runc create`, the process let go, the teardown at exit, removal, `runc exec`);
and, when py-spy is installed, the daemon's own Python time by function.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

os.environ["DOCKYARD_NATIVE_TIMINGS"] = "1"  # read by the daemon the bench starts

import psutil
from native_run import DOCKERD, IMAGE, ThrowawayDaemon, docker

STAGE_LINE = re.compile(r"stage=(\S+) ctr=(\w+) ms=([\d.]+)")
# Issue 19's bars: the native engine's time as a fraction of dockerd's in the same run.
BARS = {"run --rm": 1 / 5, "start": 1 / 4, "exec": 1 / 2, "run -d usernet": 1 / 4}


class UnixHTTP(http.client.HTTPConnection):
    def __init__(self, path: str) -> None:
        super().__init__("localhost")
        self.path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(self.path)


def api_run_rm(sock: str) -> dict[str, float]:
    """The CLI's calls for `run --rm` (without attach), each timed in ms."""
    times: dict[str, float] = {}
    body = json.dumps({"Image": IMAGE, "Cmd": ["/bin/busybox", "true"],
                       "HostConfig": {"AutoRemove": True}})  # fmt: skip
    conn = UnixHTTP(sock)
    t0 = time.perf_counter()
    conn.request("POST", "/containers/create", body, {"Content-Type": "application/json"})
    cid = json.loads(conn.getresponse().read())["Id"]
    t1 = time.perf_counter()
    waiter = UnixHTTP(sock)
    waiter.request("POST", f"/containers/{cid}/wait?condition=removed")
    answer = waiter.getresponse()
    t2 = time.perf_counter()
    conn.request("POST", f"/containers/{cid}/start")
    conn.getresponse().read()
    t3 = time.perf_counter()
    answer.read()
    t4 = time.perf_counter()
    conn.close()
    waiter.close()
    times["api create"] = (t1 - t0) * 1000
    times["api wait registered"] = (t2 - t1) * 1000
    times["api start"] = (t3 - t2) * 1000
    times["api exit to removed"] = (t4 - t3) * 1000
    times["api total"] = (t4 - t0) * 1000
    return times


def cli_run_rm(host: str) -> float:
    begin = time.perf_counter()
    docker(host, "run", "--rm", IMAGE, "/bin/busybox", "true")
    return (time.perf_counter() - begin) * 1000


def start_and_exec(host: str) -> tuple[float, float]:
    """ms for `start` of a created (here: stopped) container and for `exec true` in it."""
    cid = docker(host, "create", IMAGE, "sleep", "1000").decode().strip()
    try:
        begin = time.perf_counter()
        docker(host, "start", cid)
        started = time.perf_counter()
        docker(host, "exec", cid, "/bin/busybox", "true")
        execed = time.perf_counter()
    finally:
        docker(host, "rm", "-f", cid)
    return (started - begin) * 1000, (execed - started) * 1000


def run_detached_on(host: str, network: str) -> float:
    """ms for `run -d` on a user-defined network; the container is removed untimed."""
    begin = time.perf_counter()
    cid = docker(host, "run", "-d", "--network", network, IMAGE, "sleep", "1000")
    took = (time.perf_counter() - begin) * 1000
    docker(host, "rm", "-f", cid.decode().strip())
    return took


def print_against_bars(medians: dict[str, dict[str, float]]) -> None:
    """Each verb's native and dockerd medians, their ratio and the issue's bar for it."""
    for verb, bar in BARS.items():
        native, base = medians[verb]["native"], medians[verb]["dockerd"]
        ratio = native / base
        verdict = "meets" if ratio <= bar else "misses"
        print(f"  {verb:14} native {native:7.1f} ms   dockerd {base:7.1f} ms   "
              f"ratio {ratio:.2f}   bar {bar:.2f} ({verdict})")  # fmt: skip


def stage_medians(log: Path) -> dict[str, float]:
    """Per stage, the median over containers of its total time in that container."""
    per_container: dict[tuple[str, str], float] = defaultdict(float)
    for line in log.read_text(errors="replace").splitlines():
        if found := STAGE_LINE.search(line):
            per_container[found.group(1), found.group(2)] += float(found.group(3))
    per_stage: dict[str, list[float]] = defaultdict(list)
    for (name, _), ms in per_container.items():
        per_stage[name].append(ms)
    return {name: statistics.median(v) for name, v in per_stage.items()}


def profile(pid: int, seconds: int, work: list[str]) -> None:
    """py-spy samples the daemon while `work` runs; print the hottest functions."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not os.access(spy, os.X_OK):
        print("py-spy not installed (pip install py-spy): no profile of the daemon")
        return
    out = Path(tempfile.mkdtemp(prefix="dyb-spy-")) / "daemon.txt"
    rec = subprocess.Popen(
        [spy, "record", "--pid", str(pid), "--format", "raw", "--output", str(out),
         "--duration", str(seconds), "--rate", "250", "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(1)  # let py-spy attach
    deadline = time.monotonic() + seconds - 1.5
    while time.monotonic() < deadline:
        subprocess.run(work, capture_output=True, check=False)
    rec.wait()
    if not out.exists():
        print("py-spy could not sample the daemon")
        return
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in out.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        count = int(count_text)
        frames = [f for f in stack.split(";") if not f.startswith("process ")]
        idle = ("select (selectors.py", "_run_once", "_worker (concurrent/futures/thread.py")
        if not frames or any(mark in frames[-1] for mark in idle):
            continue  # the loop waiting for work is not the daemon's cost
        total += count
        own[frames[-1]] += count
        for name in {f.split(" (")[0] + " (" + f.split(" (")[-1].split(":")[0] for f in frames}:
            inclusive[name] += count
    shutil.rmtree(out.parent, ignore_errors=True)
    print(f"py-spy: {total} busy samples at 250 Hz while looping `run --rm`")
    print("  busiest own time:")
    for name, count in own.most_common(8):
        print(f"    {100 * count / max(total, 1):5.1f}%  {name}")
    print("  busiest inclusive (function and file):")
    for name, count in inclusive.most_common(14):
        print(f"    {100 * count / max(total, 1):5.1f}%  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--profile-seconds", type=int, default=8)
    args = parser.parse_args()
    daemon = ThrowawayDaemon()
    host = f"unix://{daemon.socket}"
    try:
        docker(host, "load", input=docker(DOCKERD, "save", IMAGE))
        network = f"dyb-{secrets.token_hex(3)}"
        for engine in (host, DOCKERD):
            docker(engine, "network", "create", network)
        cli: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        try:
            engines = (("native", host), ("dockerd", DOCKERD))
            for _, engine in engines:  # warm both once
                cli_run_rm(engine)
                run_detached_on(engine, network)
            for _ in range(args.rounds):  # interleaved: both see the same load
                for name, engine in engines:
                    cli["run --rm"][name].append(cli_run_rm(engine))
                    start_ms, exec_ms = start_and_exec(engine)
                    cli["start"][name].append(start_ms)
                    cli["exec"][name].append(exec_ms)
                    cli["run -d usernet"][name].append(run_detached_on(engine, network))
        finally:
            for engine in (host, DOCKERD):
                docker(engine, "network", "rm", network)
        api: dict[str, list[float]] = defaultdict(list)
        own = psutil.Process(daemon.proc.pid)
        cpu_before = sum(own.cpu_times()[:2])
        for _ in range(args.rounds):
            for key, value in api_run_rm(daemon.socket).items():
                api[key].append(value)
        daemon_cpu = (sum(own.cpu_times()[:2]) - cpu_before) * 1000 / args.rounds
        print(f"docker CLI, median of {args.rounds} (engines interleaved), "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs:")  # fmt: skip
        print_against_bars(
            {verb: {e: statistics.median(v) for e, v in by.items()} for verb, by in cli.items()}
        )
        print("native API calls of run --rm (no CLI):")
        for key, values in api.items():
            print(f"  {key:24} {statistics.median(values):7.1f} ms")
        print(f"  {'daemon CPU per run':24} {daemon_cpu:7.1f} ms (user + system, its own process)")
        print("native daemon stages (median; nested stages are inside their parent):")
        for name, ms in sorted(stage_medians(daemon.root / "daemon.log").items()):
            print(f"  {name:28} {ms:7.1f} ms")
        env = dict(os.environ, DOCKER_HOST=host)
        work = ["env", f"DOCKER_HOST={env['DOCKER_HOST']}", "docker", "run", "--rm", IMAGE,
                "/bin/busybox", "true"]  # fmt: skip
        profile(daemon.proc.pid, args.profile_seconds, work)
    finally:
        daemon.close()


if __name__ == "__main__":
    main()
