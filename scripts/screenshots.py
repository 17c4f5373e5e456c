"""Save SVG screenshots of each main view of the real app, on a real engine, into screenshots/;
the Swarm view and the swarm's topology on a three-node swarm rig started for them, and the
Fleet view on dockerd, a throwaway native daemon and the rig's Podman."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))  # the fleet's other engines (bench/_fleet_rig.py)

from _fleet_rig import rig_podman, start_native, stop_native  # noqa: E402
from swarm_rig import RigUnavailable, started_rig  # noqa: E402

from engine_adapters import Engine, EngineError  # noqa: E402
from engine_adapters.docker_engine import DockerEngine  # noqa: E402
from engine_adapters.fleet import fleet_members, open_fleet  # noqa: E402
from engine_adapters.models import COMPOSE_PROJECT_LABEL, COMPOSE_SERVICE_LABEL, RunSpec  # noqa: E402
from engine_adapters.swarm.reach import swarm_of  # noqa: E402
from engine_adapters.swarm.stack import deploy  # noqa: E402
from engine_adapters.swarm.stack_file import load_stack  # noqa: E402
from tui.app import DockyardApp  # noqa: E402
from tui.commands.connect import connect  # noqa: E402

DEMO_IMAGE = "dockyard-test/busybox:latest"
DEMO_PROJECT = "dockyard-demo"
SWARM_STACK = ROOT / "examples" / "swarm" / "stack.yml"
LOOP = 'i=0; while true; do i=$((i+1)); echo "{svc} handled request $i"; sleep 1; done'


async def start_demo(engine: Engine) -> list[str]:
    """A small compose-labelled project plus one exited container, so the views have content."""
    if not any(DEMO_IMAGE in image.tags for image in await engine.images()):
        print(f"{DEMO_IMAGE} not found: screenshots show the engine as it is")
        return []
    created = []
    for svc in ("web", "api", "db"):
        spec = RunSpec(
            image=DEMO_IMAGE,
            name=f"{DEMO_PROJECT}-{svc}-1",
            command=("sh", "-c", LOOP.format(svc=svc)),
            labels={COMPOSE_PROJECT_LABEL: DEMO_PROJECT, COMPOSE_SERVICE_LABEL: svc},
        )
        created.append((await engine.run(spec)).id)
    job = await engine.run(
        RunSpec(image=DEMO_IMAGE, name=f"{DEMO_PROJECT}-job", command=("sh", "-c", "exit 3"))
    )
    created.append(job.id)
    return created


async def stop_demo(engine: Engine, ids: list[str]) -> None:
    for cid in ids:
        try:
            await engine.remove(cid, force=True)
        except EngineError as error:
            print(f"cleanup: {error}")


async def wait(condition: Callable[[], object], pilot: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        await pilot.pause(0.05)  # type: ignore[attr-defined]


async def shoot(
    engine: Engine, out: Path, size: tuple[int, int], views: list[str], suffix: str = ""
) -> None:
    app = DockyardApp(engine, config_path=out / ".screenshots-config.toml")
    async with app.run_test(size=size) as pilot:
        await wait(
            lambda: app.main_screen is not None and app.main_screen.containers_table.row_count,
            pilot,
        )
        screen = app.main_screen
        assert screen is not None
        await wait(lambda: len(next(iter(screen.stats.samples.values()), ())) >= 3, pilot, 12)
        for number, view in enumerate(("containers", "images", "volumes", "networks"), start=1):
            if view not in views:
                continue
            await pilot.press(str(number))
            await pilot.pause(1.0)
            app.save_screenshot(f"{view}{suffix}.svg", str(out))
        if "dashboard" in views:
            await pilot.press("S")
            await pilot.pause(1.0)
            app.save_screenshot(f"stats-dashboard{suffix}.svg", str(out))
            await pilot.press("escape")
        if "charts" in views:
            # The demo project's row (filtered to it): its services on one chart, last minute.
            await pilot.press("1", "slash", *DEMO_PROJECT, "enter")
            await pilot.pause(1.0)
            await pilot.press("g", "H", "w", "w")
            await pilot.pause(1.0)
            app.save_screenshot(f"stats-charts{suffix}.svg", str(out))
            await pilot.press("escape")
        if "topology" in views:
            await pilot.press("T")
            await pilot.pause(1.5)
            app.save_screenshot(f"topology{suffix}.svg", str(out))
            await pilot.press("escape")
        if "shell" in views:
            # A shell in the demo's web container, its logs beside it.
            await pilot.press("1", "slash", *f"{DEMO_PROJECT}-web", "enter")
            await pilot.pause(1.0)
            await pilot.press("g", "j", "e")
            await pilot.pause(2.5)
            await pilot.press(*"ls /; echo hello from a shell in web", "enter")
            await pilot.pause(1.5)
            app.save_screenshot(f"shell{suffix}.svg", str(out))
            await pilot.press("ctrl+right_square_bracket", "escape")
        if "help" in views:
            await pilot.press("question_mark")
            await pilot.pause(0.3)
            app.save_screenshot(f"help{suffix}.svg", str(out))


async def shoot_swarm(out: Path, size: tuple[int, int]) -> None:
    """The lecture's stack on a real three-node swarm: the Swarm view with the tasks of the
    service spread over the nodes, and the swarm's topology."""
    try:
        with started_rig() as rig:
            engine = await connect(rig["NODE1_SOCKET"])
            try:
                await _shoot_swarm(engine, out, size)
            finally:
                await engine.close()
    except RigUnavailable as reason:
        print(f"no swarm screenshots: {reason}")


async def _shoot_swarm(engine: Engine, out: Path, size: tuple[int, int]) -> None:
    swarm = swarm_of(engine)
    assert swarm is not None
    await deploy(swarm, load_stack([str(SWARM_STACK)], "lecture"))
    await swarm.scale("lecture_tomcat", 3)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        services = await swarm.services()
        if services and all(s.running == s.desired for s in services):
            break
        await asyncio.sleep(1.0)
    app = DockyardApp(engine, config_path=out / ".screenshots-config.toml")
    async with app.run_test(size=size) as pilot:
        await wait(lambda: app.main_screen is not None, pilot)
        screen = app.main_screen
        assert screen is not None
        await wait(lambda: screen.swarm_feed.is_manager, pilot, 20)
        await pilot.press("5")
        await wait(lambda: screen.current_view == "swarm", pilot)
        table = screen.table("swarm")
        await wait(lambda: len(table.items) == 2, pilot, 20)
        await pilot.press("down")  # lecture_mysql, then lecture_tomcat
        tasks = screen.query_one("#swarm-tasks")
        await wait(lambda: len(getattr(tasks, "tasks", ())) >= 3, pilot, 20)
        await pilot.pause(2.0)
        app.save_screenshot("swarm.svg", str(out))
        await pilot.press("T")
        await pilot.pause(1.5)
        await pilot.press("w")
        await pilot.pause(3.0)
        app.save_screenshot("swarm-topology.svg", str(out))


# The fleet shot's containers on the other two engines: (name, command).
FLEET_DEMO = {
    "native": [("edge-proxy", LOOP.format(svc="proxy")), ("edge-cache", LOOP.format(svc="cache"))],
    "podman": [("batch-worker", LOOP.format(svc="worker")), ("batch-report", "exit 0")],
}


async def shoot_fleet(engine: Engine, out: Path) -> None:
    """The Fleet view on dockerd (`engine`, with the demo), a throwaway native daemon and the
    rig's Podman, each with a few containers; nothing is shot without all three."""
    import tempfile

    podman = rig_podman()
    if podman is None:
        print("no Podman service (run under scripts/test-rig.sh): no fleet screenshot")
        return
    root = Path(tempfile.mkdtemp(prefix="dyfs-", dir="/tmp"))
    native = await start_native(root)
    others: dict[str, Engine] = {"native": native, "podman": DockerEngine(podman, name="podman")}
    made: dict[str, list[str]] = {name: [] for name in others}
    try:
        for name, demo in FLEET_DEMO.items():
            for container, script in demo:
                spec = RunSpec(image=DEMO_IMAGE, name=container, command=("sh", "-c", script))
                made[name].append((await others[name].run(spec)).id)
        specs = [f"docker={engine.endpoint}", f"native=unix://{native.socket_path}"]
        members = fleet_members([*specs, f"podman={podman}"])
        app = DockyardApp(
            engine, config_path=out / ".screenshots-config.toml", fleet=open_fleet(members, engine)
        )
        async with app.run_test(size=(120, 34)) as pilot:
            await wait(lambda: app.main_screen is not None, pilot)
            screen = app.main_screen
            assert screen is not None
            await wait(lambda: screen.current_view == "fleet", pilot)
            table = screen.fleet_table
            expected = sum(len(demo) for demo in FLEET_DEMO.values())
            await wait(lambda: len(table.items) > expected and not table.down, pilot, 20)
            await wait(lambda: len(screen.fleet_feed.stats.samples) >= 5, pilot, 15)
            # The native engine's proxy selected: its logs come from the native engine.
            await pilot.press("slash", *"edge-proxy", "enter", "G", "slash", "escape", "alt+l")
            await pilot.pause(2.5)
            app.save_screenshot("fleet.svg", str(out))
    finally:
        for name, other in others.items():
            await stop_demo(other, made[name])
        await others["podman"].close()
        await native.close()
        stop_native(native, root)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", "-e", help="as `dockyard --engine` (default: discovery's pick)")
    parser.add_argument("--out", default=str(ROOT / "screenshots"))
    parser.add_argument("--no-demo", action="store_true", help="do not create demo containers")
    parser.add_argument(
        "--only",
        choices=("swarm", "fleet"),
        help="only these: the swarm's (on a rig of their own, as root) or the fleet's",
    )
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.only in (None, "swarm"):
        await shoot_swarm(out, (120, 34))
    if args.only == "swarm":
        (out / ".screenshots-config.toml").unlink(missing_ok=True)
        print(f"screenshots written to {out}")
        return 0
    engine = await connect(args.engine)
    demo = [] if args.no_demo else await start_demo(engine)
    try:
        if args.only is None:
            await shoot(
                engine,
                out,
                (120, 34),
                [
                    "containers",
                    "images",
                    "volumes",
                    "networks",
                    "dashboard",
                    "charts",
                    "topology",
                    "shell",
                    "help",
                ],
            )
            await shoot(engine, out, (80, 24), ["containers"], suffix="-80x24")
        await shoot_fleet(engine, out)
    finally:
        await stop_demo(engine, demo)
        await engine.close()
        (out / ".screenshots-config.toml").unlink(missing_ok=True)
    print(f"screenshots written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
