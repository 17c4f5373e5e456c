"""Errors the native engine raises; each carries the HTTP status Docker uses for it."""

from __future__ import annotations


class NativeError(Exception):
    """Base error: `status` is the HTTP code the API answers with."""

    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(NativeError):
    """No such container, image, volume or exec session (404)."""

    status = 404


class Conflict(NativeError):
    """The object's state or name forbids the request (409)."""

    status = 409


class BadParameter(NativeError):
    """The request is malformed or asks for something unsupported (400)."""

    status = 400


class NotModified(NativeError):
    """Start of a running container or stop of a stopped one (304, empty body)."""

    status = 304


class NotImplementedByDriver(NativeError):
    """The object's driver cannot do what was asked, e.g. read logs kept by `none` (501)."""

    status = 501
