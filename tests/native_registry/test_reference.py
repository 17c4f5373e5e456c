"""Pure parsing: references as Docker reads them, auth challenges, platforms and indexes."""

from __future__ import annotations

import pytest

from native_runtime.registry import manifest as mf
from native_runtime.registry.auth import parse_challenge
from native_runtime.registry.reference import InvalidReference, parse, registry_domain

DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize(
    ("text", "tag", "expected"),
    [
        ("busybox", None, ("docker.io", "library/busybox", "latest", None)),
        ("busybox:1.36", None, ("docker.io", "library/busybox", "1.36", None)),
        ("user/app", "v2", ("docker.io", "user/app", "v2", None)),
        ("docker.io/library/alpine:3", None, ("docker.io", "library/alpine", "3", None)),
        ("index.docker.io/user/app", None, ("docker.io", "user/app", "latest", None)),
        ("localhost/app", None, ("localhost", "app", "latest", None)),
        ("localhost:5000/a/b:t", None, ("localhost:5000", "a/b", "t", None)),
        ("127.0.0.1:5000/x", DIGEST, ("127.0.0.1:5000", "x", None, DIGEST)),
        (f"ghcr.io/o/r:t@{DIGEST}", None, ("ghcr.io", "o/r", "t", DIGEST)),
        (f"busybox@{DIGEST}", None, ("docker.io", "library/busybox", None, DIGEST)),
    ],
)
def test_parse_like_docker(
    text: str, tag: str | None, expected: tuple[str, str, str | None, str | None]
) -> None:
    ref = parse(text, tag)
    assert (ref.domain, ref.path, ref.tag, ref.digest) == expected


def test_urls_familiar_names_and_plain_http_only_on_loopback() -> None:
    hub = parse("busybox")
    assert hub.base_url == "https://registry-1.docker.io"
    assert hub.familiar == "busybox" and hub.tagged == "busybox:latest"
    assert parse("user/app").familiar == "user/app"
    assert parse("127.0.0.1:5000/x").base_url == "http://127.0.0.1:5000"
    assert parse("127.8.9.10:81/x").scheme == "http"
    assert parse("localhost:5000/x").scheme == "http"
    assert parse("[::1]:5000/x").scheme == "http"
    assert parse("10.0.0.1:5000/x").scheme == "https"
    assert parse("registry.example.com/x").scheme == "https"
    assert parse("127.0.0.1.example.com/x").scheme == "https"


@pytest.mark.parametrize(
    "text", ["", "Upper/case", "a//b", "x:bad tag", "x@sha256:short", "x@md5:" + "a" * 32, " x"]
)
def test_invalid_references(text: str) -> None:
    with pytest.raises(InvalidReference):
        parse(text)


def test_registry_domain_from_login_addresses() -> None:
    assert registry_domain("https://index.docker.io/v1/") == "docker.io"
    assert registry_domain("http://127.0.0.1:5000/") == "127.0.0.1:5000"
    assert registry_domain("127.0.0.1:5000") == "127.0.0.1:5000"


def test_challenges() -> None:
    bearer = parse_challenge(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
        'scope="repository:library/busybox:pull"'
    )
    assert bearer is not None and bearer.scheme == "bearer"
    assert bearer.params == {
        "realm": "https://auth.docker.io/token",
        "service": "registry.docker.io",
        "scope": "repository:library/busybox:pull",
    }
    basic = parse_challenge('Basic realm="dockyard-test"')
    assert basic is not None and basic.scheme == "basic"


def _entry(arch: str, variant: str = "") -> mf.Descriptor:
    return mf.Descriptor(mf.OCI_MANIFEST, DIGEST, 1, mf.Platform("linux", arch, variant))


def test_platform_choice() -> None:
    index = mf.Index(mf.OCI_INDEX, [_entry("arm", "v6"), _entry("arm", "v7"), _entry("amd64")])
    assert mf.choose(index, mf.Platform("linux", "arm", "v7")).platform == mf.Platform(
        "linux", "arm", "v7"
    )
    assert mf.choose(index, mf.Platform("linux", "amd64")).platform == mf.Platform("linux", "amd64")
    arm64 = mf.Index(mf.OCI_INDEX, [_entry("arm64")])
    assert mf.choose(arm64, mf.Platform("linux", "arm64", "v8")).platform == mf.Platform(
        "linux", "arm64"
    )
    with pytest.raises(Exception, match="no matching manifest"):
        mf.choose(index, mf.Platform("linux", "s390x"))


def test_schema1_is_refused_clearly() -> None:
    with pytest.raises(Exception, match="schema 1"):
        mf.parse(b'{"schemaVersion": 1, "fsLayers": []}', "")
