"""The Swarm view on a real three-node swarm with 100 tasks beside the plain container list.

Starts its own rig (scripts/swarm-rig.sh) and removes it at the end, or says why it cannot.
For each view, in a real pty: launch to list (fork to the view's rows on screen; for the
swarm view that includes pressing 5 once the list is up), keystroke to screen (j/k), the
app's CPU and RSS over a window, and the terminal bytes it writes. The swarm view polls its
manager once a second; the container list follows the engine's events.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

from swarm_rig import RigUnavailable, started_rig  # noqa: E402
from ui_bench import PtyApp, cpu_over, keystrokes, print_launch  # noqa: E402

from engine_adapters.docker_engine import DockerEngine  # noqa: E402
from engine_adapters.swarm.spec import ServiceSpec  # noqa: E402

IMAGE = "dockyard-test/busybox:latest"
SLEEPER = ("sh", "-c", "trap 'exit 0' TERM; while true; do sleep 3600; done")


async def deploy(manager: str, services: int, replicas: int, timeout: float) -> float:
    """Services of `replicas` sleepers each; seconds until every task runs."""
    engine = DockerEngine(manager)
    swarm = engine.swarm
    started = time.monotonic()
    try:
        for n in range(services):
            spec = ServiceSpec(
                name=f"bench-svc{n}",
                image=IMAGE,
                args=SLEEPER,
                replicas=replicas,
                stop_grace_period=1.0,
            )
            await swarm.create_service(spec)
        want = services * replicas
        while time.monotonic() - started < timeout:
            tasks = await swarm.tasks()
            if sum(t.state == "running" and t.desired_state == "running" for t in tasks) >= want:
                return time.monotonic() - started
            await asyncio.sleep(1.0)
        raise TimeoutError(f"{want} tasks were not all running in {timeout:.0f}s")
    finally:
        await engine.close()


def launch(argv: list[str], keys: bytes, needle: bytes, runs: int) -> list[float]:
    """Seconds from fork to `needle`, with `keys` sent once the container list is up."""
    found = []
    for _ in range(runs):
        app = PtyApp(argv)
        try:
            start = time.monotonic()
            if keys and app.wait_for(b"NAME", 30) is not None:
                os.write(app.fd, keys)
            if app.wait_for(needle, 30) is not None:
                found.append(time.monotonic() - start)
        finally:
            app.close()
    return found


def steady(label: str, argv: list[str], keys: bytes, needle: bytes, seconds: float) -> None:
    app = PtyApp(argv)
    try:
        if app.wait_for(b"NAME", 30) is None:
            print(f"{label}: the list never showed")
            return
        if keys:
            os.write(app.fd, keys)
        if app.wait_for(needle, 30) is None:
            print(f"{label}: the view never showed")
            return
        app.drain(2.0)
        latencies = keystrokes(app, 10)
        mine, engines, rss, kib = cpu_over(app, seconds)
        keystroke = f"{statistics.median(latencies):.1f} ms" if latencies else "none seen"
        print(
            f"{label:15} keystroke {keystroke:>8} median  app CPU {mine:5.1f} %  "
            f"RSS {rss:5.1f} MiB  terminal {kib:.2f} KiB/s  (all dockerds {engines:.0f} %)"
        )
    finally:
        app.close()


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    try:
        with started_rig() as rig:
            print(f"rig up in {time.monotonic() - started:.1f} s")
            measure(rig["NODE1_SOCKET"], args)
    except RigUnavailable as reason:
        print(f"skipped: {reason}")
    return 0


def measure(manager: str, args: argparse.Namespace) -> None:
    replicas = args.tasks // args.services
    took = asyncio.run(deploy(manager, args.services, replicas, args.deploy_timeout))
    print(f"{args.services * replicas} tasks on 3 nodes running in {took:.1f} s")
    argv = [sys.executable, "-m", "tui.cli", "--engine", manager]
    os.chdir(ROOT)
    swarm_needle = f"{replicas}/{replicas}".encode()
    print_launch("swarm view:", launch(argv, b"5", swarm_needle, args.launches))
    print_launch("container list:", launch(argv, b"", b"bench-svc", args.launches))
    steady("swarm view", argv, b"5", swarm_needle, args.seconds)
    steady("container list", argv, b"", b"bench-svc", args.seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100)
    parser.add_argument("--services", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0, help="CPU and RSS window")
    parser.add_argument("--launches", type=int, default=5, help="launch-time runs of each")
    parser.add_argument("--deploy-timeout", type=float, default=300.0)
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
