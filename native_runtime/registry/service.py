"""The registry verbs over the native stores: pull, push and login, as API handlers call them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from native_runtime.images.layers import LayerStore
from native_runtime.images.store import ImageRecord, ImageStore
from native_runtime.registry import credentials, pull, push
from native_runtime.registry.cache import RegistryCache
from native_runtime.registry.client import RegistryClient
from native_runtime.registry.credentials import Credential, CredentialStore
from native_runtime.registry.manifest import Platform, host_platform
from native_runtime.registry.progress import Emit
from native_runtime.registry.reference import Reference, parse, registry_domain


@dataclass
class RegistryService:
    """Everything a pull or push needs; one per daemon (see `for_data_root`)."""

    layers: LayerStore
    images: ImageStore
    cache: RegistryCache
    logins: CredentialStore
    tmp: Path
    _unpacking: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    def for_data_root(cls, layers: LayerStore, images: ImageStore, data_root: Path, db_path: Path,
                      tmp: Path) -> RegistryService:  # fmt: skip
        return cls(
            layers,
            images,
            RegistryCache(db_path),
            CredentialStore(data_root / "registry-auth.json"),
            tmp,
        )

    def credential(self, ref: Reference, given: Credential | None) -> Credential | None:
        return credentials.resolve(ref.domain, given, self.logins)

    def client(self, ref: Reference, given: Credential | None, actions: str) -> RegistryClient:
        return RegistryClient(ref, self.credential(ref, given), actions)

    async def resolve(self, client: RegistryClient, wanted: Platform | None = None) -> pull.Plan:
        return await pull.resolve(client, wanted or host_platform())

    async def fetch(self, client: RegistryClient, plan: pull.Plan, emit: Emit) -> pull.PullResult:
        stores = pull.Stores(self.layers, self.images, self.cache, self.tmp, self._unpacking)
        return await pull.fetch(client, plan, stores, emit)

    async def pull(self, text: str, emit: Emit, given: Credential | None = None,
                   wanted: Platform | None = None) -> pull.PullResult:  # fmt: skip
        """Pull `text` (`name[:tag][@digest]`) in one go."""
        ref = parse(text)
        async with self.client(ref, given, "pull") as client:
            plan = await self.resolve(client, wanted)
            return await self.fetch(client, plan, emit)

    async def push(self, record: ImageRecord, ref: Reference, emit: Emit,
                   given: Credential | None = None) -> push.PushResult:  # fmt: skip
        async with self.client(ref, given, "pull,push") as client:
            return await push.push(client, record, self.layers, self.cache, self.tmp, emit)

    async def login(self, server: str, cred: Credential) -> None:
        """Check `cred` against the registry; remember it only if it is accepted."""
        domain = registry_domain(server)
        ref = Reference(domain, "library/x" if domain == "docker.io" else "x", "latest")
        async with RegistryClient(ref, cred, "pull") as client:
            await client.login()
        self.logins.put(domain, cred)

    def close(self) -> None:
        self.cache.close()
