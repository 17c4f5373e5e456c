"""Type confusion: the same malformed request to dockerd and to the native engine.

Where dockerd refuses a request (400, or the 500 its JSON decoder gives a wrong
type), the native engine answers 400 naming the field, never a 500 and never a
different meaning (a string "false" must not turn into a privileged container).
"""

from __future__ import annotations

import pytest

from tests.security.api_fixtures import TEST_IMAGE, RawApi, dockerd_api, native_api, native_daemon

__all__ = ["dockerd_api", "native_api", "native_daemon"]

# (case id, the HostConfig or the whole body's extra fields, the field the message names)
HOST_CONFIG_CASES = [
    ("privileged-string", {"Privileged": "false"}, "Privileged"),
    ("privileged-number", {"Privileged": 0}, "Privileged"),
    ("memory-string", {"Memory": "abc"}, "Memory"),
    ("memory-float", {"Memory": 1.5}, "Memory"),
    ("memory-negative", {"Memory": -1}, "memory"),
    ("memory-too-small", {"Memory": 1000}, "memory"),
    ("swap-without-memory", {"MemorySwap": 1000}, "Memory"),
    ("swappiness-range", {"MemorySwappiness": 101}, "swappiness"),
    ("oom-score-range", {"OomScoreAdj": 1001}, "oom score"),
    ("shm-negative", {"ShmSize": -1}, "SHM"),
    ("cpu-period-range", {"CpuPeriod": 100}, "period"),
    ("cpu-quota-range", {"CpuQuota": 100}, "quota"),
    ("nano-cpus-range", {"NanoCpus": -1}, "CPUs"),
    ("cpuset-format", {"CpusetCpus": "abc"}, "cpuset"),
    ("restart-unknown", {"RestartPolicy": {"Name": "bogus"}}, "restart policy"),
    ("restart-retries", {"RestartPolicy": {"Name": "always", "MaximumRetryCount": 2}}, "retry"),
    ("restart-string", {"RestartPolicy": "always"}, "RestartPolicy"),
    ("port-binding-string", {"PortBindings": {"80/tcp": "8080"}}, "PortBindings"),
    ("port-binding-host-port", {"PortBindings": {"80/tcp": [{"HostPort": 8080}]}}, "HostPort"),
    ("binds-string", {"Binds": "/tmp:/x"}, "Binds"),
    ("bind-relative-dot", {"Mounts": [{"Type": "bind", "Source": ".", "Target": "/x"}]}, "."),
    ("bind-relative-path", {"Mounts": [{"Type": "bind", "Source": "a/b", "Target": "/x"}]}, "a/b"),
    ("mount-type-unknown", {"Mounts": [{"Type": "bogus", "Target": "/x"}]}, "bogus"),
    ("mount-target-relative", {"Mounts": [{"Type": "volume", "Target": "x"}]}, "'x'"),
    ("tmpfs-relative", {"Tmpfs": {"rel": ""}}, "rel"),
    ("cap-add-number", {"CapAdd": 5}, "CapAdd"),
    ("cap-add-unknown", {"CapAdd": ["BOGUS"]}, "capability"),
    ("dns-object", {"Dns": {"a": "b"}}, "Dns"),
    ("ulimits-string", {"Ulimits": "nofile=1"}, "Ulimits"),
    ("devices-string", {"Devices": "/dev/null"}, "Devices"),
    ("console-size-negative", {"ConsoleSize": [-1, 2]}, "ConsoleSize"),
    ("extra-hosts-format", {"ExtraHosts": ["bad"]}, "add-host"),
    ("cgroupns-mode", {"CgroupnsMode": "bogus"}, "cgroup namespace"),
    ("log-config-string", {"LogConfig": "json-file"}, "LogConfig"),
]
BODY_CASES = [
    ("host-config-string", {"HostConfig": "x"}, "HostConfig"),
    ("host-config-list", {"HostConfig": []}, "HostConfig"),
    ("env-string", {"Env": "A=b"}, "Env"),
    ("env-numbers", {"Env": [1, 2]}, "Env"),
    ("labels-list", {"Labels": ["a"]}, "Labels"),
    ("labels-number-value", {"Labels": {"a": 1}}, "Labels"),
    ("cmd-number", {"Cmd": 1.5}, "Cmd"),
    ("tty-string", {"Tty": "yes"}, "Tty"),
    ("exposed-ports-list", {"ExposedPorts": ["80/tcp"]}, "ExposedPorts"),
    ("healthcheck-interval-string", {"Healthcheck": {"Interval": "1s"}}, "Interval"),
    ("networking-config-string", {"NetworkingConfig": "bridge"}, "NetworkingConfig"),
    ("endpoints-list", {"NetworkingConfig": {"EndpointsConfig": []}}, "EndpointsConfig"),
]
RAW_BODIES = [
    ("array", b"[1]"),
    ("not-json", b"nope"),
    ("truncated", b'{"Image": '),
    ("deep-nesting", b"[" * 100_000 + b"]" * 100_000),
    ("deep-unknown-field", b'{"Image":"x","Foo":' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
    ("deep-labels", b'{"Image":"x","Labels":{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}}"),
]


def _refused_alike(dockerd: RawApi, native: RawApi, body: dict[str, object] | bytes) -> str:
    """Send the same create to both; return the native engine's message."""
    theirs = dockerd.request("POST", f"/containers/create?name={dockerd.container_name()}", body)
    ours = native.request("POST", f"/containers/create?name={native.container_name()}", body)
    # dockerd answers its JSON decoder's type errors with a 500: a refusal all the same.
    assert theirs.status in (400, 500), f"dockerd accepted it: {theirs.status} {theirs.message}"
    assert ours.status == 400, f"native: {ours.status} {ours.message}"
    assert "Traceback" not in ours.message
    return ours.message


@pytest.mark.parametrize(
    ("host", "named"), [c[1:] for c in HOST_CONFIG_CASES], ids=[c[0] for c in HOST_CONFIG_CASES]
)
def test_host_config_confusion_is_a_400_naming_the_field(
    dockerd_api: RawApi, native_api: RawApi, host: dict[str, object], named: str
) -> None:
    body = {"Image": TEST_IMAGE, "Cmd": ["true"], "HostConfig": host}
    assert named.lower() in _refused_alike(dockerd_api, native_api, body).lower()


@pytest.mark.parametrize(
    ("extra", "named"), [c[1:] for c in BODY_CASES], ids=[c[0] for c in BODY_CASES]
)
def test_body_confusion_is_a_400_naming_the_field(
    dockerd_api: RawApi, native_api: RawApi, extra: dict[str, object], named: str
) -> None:
    body = {"Image": TEST_IMAGE, "Cmd": ["true"], **extra}
    assert named.lower() in _refused_alike(dockerd_api, native_api, body).lower()


@pytest.mark.parametrize("raw", [c[1] for c in RAW_BODIES], ids=[c[0] for c in RAW_BODIES])
def test_malformed_json_is_a_400(dockerd_api: RawApi, native_api: RawApi, raw: bytes) -> None:
    _refused_alike(dockerd_api, native_api, raw)
    assert native_api.request("GET", "/_ping").status == 200


def test_privileged_false_string_never_runs_privileged(native_api: RawApi) -> None:
    """The attack at 9a1e320: nothing is created, so nothing can start privileged."""
    name = native_api.container_name()
    body = {"Image": TEST_IMAGE, "Cmd": ["true"], "HostConfig": {"Privileged": "false"}}
    assert native_api.request("POST", f"/containers/create?name={name}", body).status == 400
    assert native_api.request("GET", f"/containers/{name}/json").status == 404


def test_null_fields_mean_unset_as_in_dockerd(dockerd_api: RawApi, native_api: RawApi) -> None:
    """Go leaves a null field at its zero value; so do we (no 400 for a valid request)."""
    body = {"Image": TEST_IMAGE, "Cmd": "true", "Env": None, "HostConfig": {"Privileged": None}}
    for api in (dockerd_api, native_api):
        name = api.container_name()
        answer = api.request("POST", f"/containers/create?name={name}", body)
        assert answer.status == 201, (api.name, answer.message)
        inspect = api.request("GET", f"/containers/{name}/json")
        assert b'"Privileged": false' in inspect.body.replace(b'":false', b'": false')


def test_unknown_fields_are_ignored(native_api: RawApi) -> None:
    name = native_api.container_name()
    body = {"Image": TEST_IMAGE, "Cmd": ["true"], "NoSuchField": {"x": [1]}}
    assert native_api.request("POST", f"/containers/create?name={name}", body).status == 201


def test_json_body_over_the_limit_is_refused(native_api: RawApi) -> None:
    body = b'{"Image":"x","Labels":{"a":"' + b"x" * (2 << 20) + b'"}}'
    answer = native_api.request("POST", "/containers/create", body)
    assert answer.status == 413
    assert "larger than" in answer.message


@pytest.mark.parametrize(
    ("method", "path", "body", "named"),
    [
        ("POST", "/volumes/create", {"Name": 5}, "Name"),
        ("POST", "/volumes/create", {"Labels": ["a"]}, "Labels"),
        ("POST", "/networks/create", {"Name": ["n"]}, "Name"),
        ("POST", "/networks/create", {"Name": "n", "Internal": "yes"}, "Internal"),
        ("POST", "/networks/create", {"Name": "n", "IPAM": {"Config": "10.0.0.0/8"}}, "Config"),
        ("POST", "/networks/bridge/connect", {"Container": 5}, "Container"),
        ("POST", "/networks/bridge/disconnect", {"Force": "yes"}, "Force"),
        ("POST", "/auth", {"username": 1}, "username"),
        ("POST", "/swarm/init", {"ListenAddr": 1}, "ListenAddr"),
    ],
)
def test_other_bodies_are_typed(
    dockerd_api: RawApi,
    native_api: RawApi,
    method: str,
    path: str,
    body: dict[str, object],
    named: str,
) -> None:
    theirs = dockerd_api.request(method, path, body)
    ours = native_api.request(method, path, body)
    assert theirs.status in (400, 500), theirs.message
    assert ours.status == 400, ours.message
    assert named.lower() in ours.message.lower()


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("/containers/json?filters=nope", "filter"),
        ('/containers/json?filters={"bogus":["x"]}', "bogus"),
        ('/images/json?filters={"dangling":["maybe"]}', "dangling"),
        ('/volumes?filters={"bogus":["x"]}', "bogus"),
        ('/networks?filters={"bogus":["x"]}', "bogus"),
        ('/containers/json?filters={"label":5}', "filter"),
    ],
)
def test_bad_filters_are_a_400(
    dockerd_api: RawApi, native_api: RawApi, path: str, named: str
) -> None:
    theirs = dockerd_api.request("GET", path)
    ours = native_api.request("GET", path)
    assert theirs.status in (400, 500), theirs.message
    assert ours.status == 400, ours.message
    assert named.lower() in ours.message.lower()


def test_query_integers_are_checked(native_api: RawApi) -> None:
    """dockerd answers `t=abc` with a 500 from strconv; a 400 is what it means."""
    name = native_api.container_name()
    body = {"Image": TEST_IMAGE, "Cmd": ["true"]}
    assert native_api.request("POST", f"/containers/create?name={name}", body).status == 201
    answer = native_api.request("POST", f"/containers/{name}/stop?t=abc")
    assert answer.status == 400
    assert "t" in answer.message
