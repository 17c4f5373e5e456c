"""The aiohttp application's frame: the router that adds `/v1.xx` paths, Docker-shaped errors."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from native_runtime.errors import NativeError, NotModified
from native_runtime.runtime import Runtime

API_VERSION = "1.41"
RUNTIME_KEY = web.AppKey("runtime", Runtime)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
log = logging.getLogger("native_runtime.api")


def error_response(status: int, message: str) -> web.Response:
    # The docker CLI only decodes the body when Content-Type is exactly
    # "application/json" (no charset), otherwise it prints the raw JSON.
    body = json.dumps({"message": message}).encode()
    return web.Response(body=body, status=status, content_type="application/json")


@web.middleware
async def docker_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every failure becomes `{"message": ...}` with the status Docker would use."""
    try:
        return await handler(request)
    except NotModified:
        return web.Response(status=304)
    except NativeError as exc:
        return error_response(exc.status, exc.message)
    except web.HTTPException as exc:
        if exc.status >= 400:
            return error_response(exc.status, exc.reason if exc.status != 404 else "page not found")
        raise
    except json.JSONDecodeError as exc:
        return error_response(400, f"invalid JSON: {exc}")
    except Exception as exc:
        log.exception("unhandled error in %s %s", request.method, request.path)
        return error_response(500, str(exc) or exc.__class__.__name__)


async def _server_headers(_request: web.Request, response: web.StreamResponse) -> None:
    response.headers.setdefault("Api-Version", API_VERSION)
    response.headers.setdefault("Docker-Experimental", "false")
    response.headers.setdefault("Ostype", "linux")
    response.headers["Server"] = "Dockyard-Native/0.1 (linux)"


class Router:
    """Adds each route twice: plain and under the `/v{version}` prefix clients use."""

    def __init__(self, app: web.Application) -> None:
        self.app = app

    def add(self, method: str, path: str, handler: Handler) -> None:
        self.app.router.add_route(method, path, handler)
        self.app.router.add_route(method, "/v{api_version:[0-9.]+}" + path, handler)


def runtime(request: web.Request) -> Runtime:
    return request.app[RUNTIME_KEY]


def application(rt: Runtime) -> web.Application:
    """The bare app: the runtime, Docker's error shape and headers; routes come from `routes`."""
    app = web.Application(middlewares=[docker_errors], client_max_size=0)
    app[RUNTIME_KEY] = rt
    app.on_response_prepare.append(_server_headers)
    return app
