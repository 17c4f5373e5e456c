"""Image references parsed the way Docker reads them: `host[:port]/path:tag@digest`."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from native_runtime import names

DEFAULT_DOMAIN = "docker.io"
# Docker Hub's API lives on another host than the name users type.
DEFAULT_API_HOST = "registry-1.docker.io"
OFFICIAL_PREFIX = "library/"


class InvalidReference(names.InvalidName):
    """The text is not a valid image reference."""


@dataclass(frozen=True)
class Reference:
    """A fully qualified reference: registry domain, repository path, tag and/or digest."""

    domain: str
    path: str
    tag: str | None = None
    digest: str | None = None

    @property
    def api_host(self) -> str:
        return DEFAULT_API_HOST if self.domain == DEFAULT_DOMAIN else self.domain

    @property
    def scheme(self) -> str:
        return "http" if is_loopback(self.domain) else "https"

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.api_host}"

    @property
    def familiar(self) -> str:
        """The short name Docker shows: `busybox`, `user/app`, `127.0.0.1:5000/app`."""
        if self.domain != DEFAULT_DOMAIN:
            return f"{self.domain}/{self.path}"
        return self.path.removeprefix(OFFICIAL_PREFIX)

    @property
    def reference(self) -> str:
        """What goes in `/v2/<name>/manifests/<reference>`: the digest wins over the tag."""
        return self.digest or self.tag or "latest"

    @property
    def tagged(self) -> str:
        return f"{self.familiar}:{self.tag or 'latest'}"

    def with_digest(self, digest: str) -> Reference:
        return Reference(self.domain, self.path, self.tag, digest)

    def __str__(self) -> str:
        text = self.familiar
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def is_loopback(domain: str) -> bool:
    """localhost and 127.0.0.0/8 (and ::1) are the only registries spoken to over plain HTTP."""
    host = domain
    if host.startswith("["):
        host = host[1:].split("]", 1)[0]
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _split_domain(name: str) -> tuple[str, str]:
    first, sep, rest = name.partition("/")
    # Docker's rule: the first component is a registry only if it looks like a host.
    if sep and ("." in first or ":" in first or first == "localhost"):
        return first, rest
    return DEFAULT_DOMAIN, name


def parse(text: str, tag: str | None = None) -> Reference:
    """Parse `text`; `tag` (the API's separate tag parameter) may hold a tag or a digest."""
    if not text or text != text.strip():
        raise InvalidReference(f"invalid reference format: {text!r}")
    name, _, digest = text.partition("@")
    domain, remainder = _split_domain(name)
    if domain == "index.docker.io":
        domain = DEFAULT_DOMAIN
    path, found_tag = remainder, None
    last = remainder.rsplit("/", 1)[-1]
    if ":" in last:
        path, found_tag = remainder.rsplit(":", 1)
    if tag:
        if ":" in tag:
            digest = digest or tag
        else:
            found_tag = tag
    if not names.valid_domain(domain):
        raise InvalidReference(f"invalid registry in reference: {text!r}")
    if len(name) > names.NAME_TOTAL_LENGTH_MAX:
        raise InvalidReference(f"repository name must not be more than 255 characters: {text!r}")
    if not names.valid_repository_path(path):
        raise InvalidReference(
            f"invalid reference format: repository name must be lowercase: {text!r}"
        )
    if domain == DEFAULT_DOMAIN and "/" not in path:
        path = OFFICIAL_PREFIX + path
    if found_tag is not None and not names.valid_tag(found_tag):
        raise InvalidReference(f"invalid tag in reference: {text!r}")
    if digest and not names.valid_digest(digest):
        raise InvalidReference(f"invalid or unsupported digest in reference: {text!r}")
    if not found_tag and not digest:
        found_tag = "latest"
    return Reference(domain, path, found_tag, digest or None)


def registry_domain(server_address: str) -> str:
    """`https://index.docker.io/v1/`, `http://127.0.0.1:5000`, `host:5000/` -> a domain."""
    text = server_address.strip()
    for scheme in ("https://", "http://"):
        text = text.removeprefix(scheme)
    text = text.split("/", 1)[0]
    if text in ("index.docker.io", "registry-1.docker.io", ""):
        return DEFAULT_DOMAIN
    return text
