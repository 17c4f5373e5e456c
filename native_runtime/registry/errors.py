"""Registry failures, each with the HTTP status the Docker API answers with."""

from __future__ import annotations


class RegistryError(Exception):
    """A registry talk failed; `status` is what the daemon's API returns for it."""

    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unauthorized(RegistryError):
    """The registry refused our credentials (or we had none)."""

    status = 401


class ManifestUnknown(RegistryError):
    """The repository or the tag/digest does not exist (or is hidden behind auth)."""

    status = 404


class DigestMismatch(RegistryError):
    """Content does not hash to the digest it was asked by; it is refused."""

    status = 500


class TooLarge(RegistryError):
    """A manifest, config or blob is larger than allowed or than announced."""

    status = 500
