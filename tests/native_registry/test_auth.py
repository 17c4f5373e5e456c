"""Registry auth: htpasswd basic auth, the bearer-token flow, config.json and logins."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pytest

from native_runtime.registry import credentials
from native_runtime.registry.credentials import Credential
from native_runtime.registry.errors import Unauthorized
from native_runtime.registry.progress import Message
from native_runtime.registry.reference import parse
from tests.native_registry.conftest import StoreFactory
from tests.native_registry.craft import Entry, Image, layer_tar, push_image
from tests.native_registry.proxy import Proxy, TokenServer, running
from tests.native_registry.rig import PASSWORD, USER, Registry, Store

GOOD = Credential(USER, PASSWORD)
BAD = Credential(USER, "wrong-password")


def small_image(text: bytes) -> Image:
    return Image([layer_tar([Entry("secret.txt", text)])])


async def push_image_via(
    store: Store, plain_registry: Registry, name: str, image: Image, cred: Credential
) -> None:
    """Store a crafted one-layer image, then push it through the service with `cred`."""
    diff_id = store.layers.add(io.BytesIO(image.tars[0]))
    assert diff_id == json.loads(image.config)["rootfs"]["diff_ids"][0]
    image_id = store.images.put(image.config, [])
    await store.service.push(
        store.images.get(image_id), parse(f"{plain_registry.host}/{name}"), lambda _m: None, cred
    )


async def test_basic_auth_push_and_pull_with_the_right_password(
    auth_registry: Registry, store_factory: StoreFactory
) -> None:
    source, target = store_factory(), store_factory()
    await push_image_via(source, auth_registry, "basic/img:t1", small_image(b"basic"), GOOD)
    messages: list[Message] = []
    result = await target.service.pull(
        f"{auth_registry.host}/basic/img:t1", messages.append, given=GOOD
    )
    (diff_id,) = target.images.get(result.image_id).diff_ids
    assert (target.layers.rootfs(diff_id) / "secret.txt").read_bytes() == b"basic"


@pytest.mark.parametrize("cred", [BAD, None], ids=["wrong-password", "anonymous"])
async def test_basic_auth_refuses_wrong_or_missing_credentials(
    auth_registry: Registry, store_factory: StoreFactory, cred: Credential | None,
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:  # fmt: skip
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))  # no stray logins from ~/.docker
    store = store_factory()
    with pytest.raises(Unauthorized):
        await store.service.pull(f"{auth_registry.host}/basic/none:t1", lambda _m: None, given=cred)
    with pytest.raises(Unauthorized):
        await store.service.login(auth_registry.host, BAD)
    assert store.service.logins.get(auth_registry.host) is None


async def test_credentials_from_docker_config_json(
    auth_registry: Registry, store_factory: StoreFactory,
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:  # fmt: skip
    store = store_factory()
    await push_image_via(store, auth_registry, "cfg/img:t1", small_image(b"cfg"), GOOD)
    encoded = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    config = {"auths": {f"http://{auth_registry.host}": {"auth": encoded}}}
    (tmp_path / "config.json").write_text(json.dumps(config))
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    target = store_factory()
    await target.service.pull(f"{auth_registry.host}/cfg/img:t1", lambda _m: None)
    assert len(target.images.all()) == 1


async def test_login_is_remembered_by_the_daemon_store(
    auth_registry: Registry, store_factory: StoreFactory,
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:  # fmt: skip
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    store = store_factory()
    await push_image_via(store, auth_registry, "login/img:t1", small_image(b"login"), GOOD)
    await store.service.login(f"http://{auth_registry.host}/", GOOD)
    assert store.service.logins.get(auth_registry.host) == GOOD
    assert (store.root / "registry-auth.json").stat().st_mode & 0o077 == 0
    await store.service.pull(f"{auth_registry.host}/login/img:t1", lambda _m: None)


async def test_bearer_token_flow(plain_registry: Registry, store_factory: StoreFactory) -> None:
    await push_image(plain_registry.host, "bearer/img", "t1", small_image(b"bearer"))
    tokens = TokenServer(USER, PASSWORD)
    async with running(Proxy(plain_registry.host, tokens.hook)) as proxy:
        tokens.port = proxy.port
        store = store_factory()
        with pytest.raises(Unauthorized):
            await store.service.pull(f"{proxy.host}/bearer/img:t1", lambda _m: None, given=BAD)
        assert tokens.issued == {}
        result = await store.service.pull(f"{proxy.host}/bearer/img:t1", lambda _m: None, GOOD)
        await store.service.login(proxy.host, GOOD)
    assert ["repository:bearer/img:pull"] in tokens.issued.values()
    (diff_id,) = store.images.get(result.image_id).diff_ids
    assert (store.layers.rootfs(diff_id) / "secret.txt").read_bytes() == b"bearer"


def test_x_registry_auth_header_decoding() -> None:
    payload = {"username": "u", "password": "p:w", "serveraddress": "127.0.0.1:5000"}
    raw = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    assert credentials.from_header(raw) == Credential("u", "p:w")
    assert credentials.from_header(base64.b64encode(b"{}").decode()) is None
    assert credentials.from_header("not base64 json") is None
    token = base64.b64encode(json.dumps({"identitytoken": "tok"}).encode()).decode()
    assert credentials.from_header(token) == Credential(identity_token="tok")
