#!/usr/bin/env bash
# Opens the UI on the default engine: DOCKER_HOST, the current docker context, the Docker
# socket, Podman's socket, else Dockyard's native engine (started on demand).
set -euo pipefail
dockyard=${1:-.venv/bin/dockyard}
shift || true
exec "$dockyard" "$@"
