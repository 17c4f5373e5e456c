"""Requests drawn from the API's typed models, against a throwaway native daemon.

Three invariants: malformed input never gets a 5xx, the daemon keeps answering
`/_ping`, and nothing is written outside its data root (a canary folder whose
paths the requests name is snapshotted before and after). `make test` runs a
bounded, derandomized pass; `make fuzz` (DOCKYARD_FUZZ_EXAMPLES) a long one.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from native_runtime.api import schema
from tests.native.conftest import NativeDaemon
from tests.security.api_fixtures import TEST_IMAGE, RawApi, native_daemon
from tests.security.api_strategies import ANY_JSON, Strategies, malformed

__all__ = ["native_daemon"]

EXAMPLES = int(os.environ.get("DOCKYARD_FUZZ_EXAMPLES", "15"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
# A dockerd outside a swarm answers these with 503 whatever the input: not a failure.
SWARM_PATHS = ("/swarm", "/nodes", "/services", "/tasks", "/secrets", "/configs")


@dataclass
class Tally:
    """Requests sent and 5xx answers seen, reported at the end of the module."""

    sent: int = 0
    server_errors: list[str] = field(default_factory=list)


TALLY = Tally()


def _snapshot(root: Path) -> dict[str, str]:
    seen: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        st_ = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
        seen[str(path.relative_to(root))] = f"{st_.st_mode:o}:{st_.st_uid}:{digest}"
    return seen


@dataclass
class Target:
    api: RawApi
    canary: Path
    strategies: Strategies
    container: str
    exec_id: str


@pytest.fixture(scope="module")
def target(native_daemon: NativeDaemon, request: pytest.FixtureRequest) -> Iterator[Target]:
    canary = Path(tempfile.mkdtemp(prefix="dyt-canary-", dir="/tmp"))
    (canary / "sub").mkdir()
    (canary / "file").write_bytes(b"canary\n")
    api = RawApi(native_daemon.socket, "native")
    name = api.container_name()
    body = {"Image": TEST_IMAGE, "Cmd": ["sleep", "600"]}
    assert api.request("POST", f"/containers/create?name={name}", body).status == 201
    assert api.request("POST", f"/containers/{name}/start").status == 204
    created = api.request("POST", f"/containers/{name}/exec", {"Cmd": ["true"]})
    exec_id = json.loads(created.body)["Id"]
    before = _snapshot(canary)
    try:
        yield Target(api, canary, Strategies(str(canary)), name, exec_id)
        assert _snapshot(canary) == before, "the canary folder changed"
    finally:
        api.cleanup()
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        with capture.global_and_fixture_disabled():
            print(f"\napi fuzz: {TALLY.sent} requests, {len(TALLY.server_errors)} answered 5xx")
        for path in sorted(canary.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        canary.rmdir()


def _send(target: Target, method: str, path: str, body: object = None) -> None:
    sent = body if isinstance(body, bytes | dict | list | None) else json.dumps(body)
    path = path.format(ctr=target.container, exec=target.exec_id)
    answer = target.api.request(method, path, sent)
    TALLY.sent += 1
    swarm = path.startswith(SWARM_PATHS) and answer.status == 503
    if answer.status >= 500 and not swarm:
        TALLY.server_errors.append(f"{method} {path} -> {answer.status} {answer.message}")
        pytest.fail(f"{method} {path} {str(body)[:300]} -> {answer.status} {answer.message}")
    assert target.api.request("GET", "/_ping").status == 200, "the daemon stopped answering"


BODY_ENDPOINTS: list[tuple[str, str, type[msgspec.Struct]]] = [
    ("POST", "/containers/create", schema.ContainerCreateBody),
    ("POST", "/containers/{ctr}/exec", schema.ExecCreateBody),
    ("POST", "/exec/{exec}/start", schema.ExecStartBody),
    ("POST", "/volumes/create", schema.VolumeCreateBody),
    ("POST", "/networks/create", schema.NetworkCreateBody),
    ("POST", "/networks/bridge/connect", schema.NetworkConnectBody),
    ("POST", "/networks/bridge/disconnect", schema.NetworkDisconnectBody),
    ("POST", "/auth", schema.AuthConfig),
    ("POST", "/commit?container={ctr}", schema.ContainerConfig),
    ("POST", "/swarm/init", schema.SwarmInitBody),
    ("POST", "/swarm/join", schema.SwarmJoinBody),
]


@pytest.mark.parametrize(
    ("method", "path", "model"), BODY_ENDPOINTS, ids=[e[1] for e in BODY_ENDPOINTS]
)
def test_malformed_bodies(
    target: Target, method: str, path: str, model: type[msgspec.Struct]
) -> None:
    @FUZZ
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        body = data.draw(
            st.one_of(
                malformed(target.strategies, model),
                ANY_JSON.filter(lambda v: not isinstance(v, dict | type(None))),
                st.binary(max_size=64),
            )
        )
        _send(target, method, path, body)

    run()


def test_well_typed_container_creates(target: Target) -> None:
    """Any well-typed config is created or refused with a 4xx; none is started."""
    info = msgspec.inspect.type_info(schema.ContainerCreateBody)

    @FUZZ
    @given(body=target.strategies.well(info))
    def run(body: dict[str, object]) -> None:
        body["Image"] = TEST_IMAGE
        _send(target, "POST", f"/containers/create?name={target.api.container_name()}", body)

    run()


QUERY_ENDPOINTS = [
    ("GET", "/containers/json?all={v}&limit={v}&filters={f}"),
    ("GET", "/images/json?all={v}&filters={f}"),
    ("GET", "/volumes?filters={f}"),
    ("GET", "/networks?filters={f}"),
    # `until` in the past: a future one streams for as long as it says, as in dockerd.
    ("GET", "/events?since={v}&until=1&filters={f}"),
    ("POST", "/containers/prune?filters={f}"),
    ("POST", "/images/prune?filters={f}"),
    ("GET", "/containers/{ctr}/logs?stdout={v}&tail={v}&since={v}&until={v}"),
    ("GET", "/containers/{ctr}/stats?stream=0&one-shot={v}"),
    ("POST", "/containers/{ctr}/resize?h={v}&w={v}"),
    ("POST", "/exec/{exec}/resize?h={v}&w={v}"),
    ("GET", "/containers/{ctr}/archive?path={v}"),
    ("HEAD", "/containers/{ctr}/archive?path={v}"),
    ("GET", "/containers/{v}/json"),
    ("GET", "/images/{v}/json"),
    ("DELETE", "/volumes/{v}"),
    ("GET", "/networks/{v}"),
    ("POST", "/images/{v}/tag?repo={v}&tag={v}"),
    ("POST", "/containers/{ctr}/rename?name={v}"),
    ("POST", "/build?t={v}&buildargs={f}&labels={f}"),
    ("POST", "/swarm/update?version={v}"),
]


@pytest.mark.parametrize(("method", "path"), QUERY_ENDPOINTS, ids=[e[1] for e in QUERY_ENDPOINTS])
def test_query_parameters(target: Target, method: str, path: str) -> None:
    @FUZZ
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        values = iter(data.draw(st.lists(target.strategies.text, min_size=8, max_size=8)))
        filters = data.draw(ANY_JSON.map(json.dumps) | target.strategies.text)
        url = path.replace("{v}", "\0").replace("{f}", quote(filters, safe=""))
        url = "".join(
            quote(next(values), safe="") if part == "\0" else part
            for part in _split_keep(url, "\0")
        )
        _send(target, method, url)

    run()


def _split_keep(text: str, sep: str) -> list[str]:
    out: list[str] = []
    for i, piece in enumerate(text.split(sep)):
        if i:
            out.append(sep)
        out.append(piece)
    return out
