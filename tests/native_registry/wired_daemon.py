"""A native daemon with the registry routes wired in, for tests until app.py wires them itself.

Run as `python -m tests.native_registry.wired_daemon daemon --data-root D --socket S`.
"""

from __future__ import annotations

import sys

from native_runtime import __main__ as cli
from native_runtime.api import images
from native_runtime.api import registry as registry_api
from native_runtime.api.app import Router

_original_register = images.register


def _register_with_registry(router: Router) -> None:
    # Registry routes go first so their /images/create sees fromImage before part 1's.
    if registry_api._HOLDER not in router.app:
        registry_api.add_routes(router)
    _original_register(router)


if __name__ == "__main__":
    images.register = _register_with_registry
    sys.exit(cli.main(sys.argv[1:]))
