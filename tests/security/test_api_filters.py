"""One filter implementation: the same `filters` query picks the same containers as dockerd."""

from __future__ import annotations

import json
import secrets
from urllib.parse import quote

import pytest

from tests.security.api_fixtures import TEST_IMAGE, RawApi, dockerd_api, native_api, native_daemon

__all__ = ["dockerd_api", "native_api", "native_daemon"]


def _make(api: RawApi, tag: str) -> dict[str, str]:
    """Three containers: a running web, an exited job, a created one; names by role."""
    names = {}
    specs = {
        "web": ({"role": "web", "tier": "front"}, ["sleep", "60"], {"80/tcp": {}}),
        "job": ({"role": "job"}, ["true"], {}),
        "idle": ({"tier": "front"}, ["true"], {}),
    }
    for role, (labels, cmd, exposed) in specs.items():
        name = f"dyt-flt-{tag}-{role}"
        api.created.append(name)
        body = {"Image": TEST_IMAGE, "Cmd": cmd, "Labels": labels, "ExposedPorts": exposed}
        assert api.request("POST", f"/containers/create?name={name}", body).status == 201
        names[role] = name
    for role in ("web", "job"):
        assert api.request("POST", f"/containers/{names[role]}/start").status == 204
    assert api.request("POST", f"/containers/{names['job']}/wait").status == 200
    return names


def _listed(api: RawApi, names: dict[str, str], filters: dict[str, list[str]]) -> set[str]:
    query = quote(json.dumps(filters))
    answer = api.request("GET", f"/containers/json?all=1&filters={query}")
    assert answer.status == 200, answer.message
    ours = {v: k for k, v in names.items()}
    return {
        ours[n.lstrip("/")]
        for c in json.loads(answer.body)
        for n in c["Names"]
        if n.lstrip("/") in ours
    }


CASES = [
    {"label": ["tier=front"]},
    {"label": ["tier=front", "role=web"]},
    {"label": ["role"]},
    {"status": ["exited"]},
    {"status": ["created", "running"]},
    {"exited": ["0"]},
    {"expose": ["80"]},
    {"ancestor": [TEST_IMAGE]},
    {"name": ["-web"]},
]


@pytest.mark.parametrize("filters", CASES, ids=[json.dumps(c) for c in CASES])
def test_container_filters_match_dockerd(
    dockerd_api: RawApi, native_api: RawApi, filters: dict[str, list[str]]
) -> None:
    tag = secrets.token_hex(3)
    theirs = _listed(dockerd_api, _make(dockerd_api, tag), filters)
    ours = _listed(native_api, _make(native_api, tag), filters)
    assert ours == theirs
    assert theirs, "a case that selects nothing proves little"
