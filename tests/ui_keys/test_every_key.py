"""Every key of every view pressed on a real container, on dockerd and on the native engine."""

from __future__ import annotations

import os
from pathlib import Path

import docker
import pytest

from engine_adapters.docker_engine import DockerEngine
from tests.fixtures.docker import TEST_IMAGE, Resources
from tests.ui_keys import keys_containers, keys_screens
from tests.ui_keys.walk import EFFECTS, Walk
from tui.app import DockyardApp
from tui.keymap import BY_ID, specs_for

# 80 numbered lines at once (enough to scroll the logs), then one a second; TERM stops it.
COMMAND = (
    "trap 'exit 0' TERM; i=0; while [ $i -lt 80 ]; do echo line $i; i=$((i+1)); done; "
    "while true; do echo line $i; i=$((i+1)); sleep 1 & wait $!; done"
)
# The modules whose checks fill EFFECTS as they are imported.
CHECKS = (keys_containers, keys_screens)
# Last, in this order: they end what the others need.
LAST = ("containers.remove", "app.quit")
# The Swarm view's keys need a swarm manager, which the host dockerd is not: they are walked
# on the three-node swarm rig by tests/swarm/test_swarm_view.py, which presses each of them.
SWARM_WALKED = frozenset(spec.id for spec in specs_for("swarm"))
# The Fleet view's keys need several engines: tests/fleet/test_fleet_keys.py presses each of
# them on dockerd, a throwaway native daemon and Podman at once.
FLEET_WALKED = frozenset(spec.id for spec in specs_for("fleet"))


def test_every_action_in_the_table_has_a_key_walk() -> None:
    """An action added to tui/keymap.py fails here until the walk presses its key."""
    assert sorted(set(BY_ID) - set(EFFECTS) - SWARM_WALKED - FLEET_WALKED) == []


@pytest.mark.docker
@pytest.mark.timeout(900)  # some ninety keys, each waited for on a real engine
async def test_every_key_has_its_effect_on_a_real_container(
    engine: DockerEngine,
    docker_client: docker.DockerClient,
    res: Resources,
    tmp_path: Path,
    isolated_config: Path,
) -> None:
    name = res.container()
    project = f"{res.prefix}-proj"
    docker_client.containers.run(
        TEST_IMAGE,
        ["sh", "-c", COMMAND],
        name=name,
        detach=True,
        tty=True,
        stdin_open=True,
        environment={"API_TOKEN": "s3cret", "PLAIN": "shown"},
        labels={
            "com.docker.compose.project": project,
            "com.docker.compose.service": "web",
        },
    )
    network = res.network()
    docker_client.networks.create(network)
    app = DockyardApp(engine, config_path=isolated_config, engines=[("elsewhere", lambda: engine)])
    async with app.run_test(size=(120, 40)) as pilot:
        walk = Walk(
            pilot,
            docker_client,
            name,
            project,
            network,
            volume=res.volume(),
            new_network=res.network(),
            log_file=tmp_path / "saved.log",
        )
        cid = str(docker_client.containers.get(name).id)
        await walk.until(lambda: app.main_screen is not None)
        await walk.until(lambda: walk.main.hidden_mounted.is_set())
        checks = list(
            dict.fromkeys(
                EFFECTS[s]
                for s in BY_ID
                if s not in LAST and s not in SWARM_WALKED and s not in FLEET_WALKED
            )
        )
        if only := os.environ.get("DOCKYARD_KEY_WALK_ONLY"):  # a shorter walk while debugging
            checks = [c for c in checks if c.__name__.strip("_") in only.split(",")]
        for check in [*checks, *(EFFECTS[spec_id] for spec_id in LAST)]:
            if check is not EFFECTS["app.quit"]:  # each starts on the main screen, on our row
                await walk.until(lambda: app.screen is walk.main)
                await walk.select("containers", name, cid)
            await check(walk)
    assert sorted(set(BY_ID) - SWARM_WALKED - FLEET_WALKED - set(walk.seen)) == []
