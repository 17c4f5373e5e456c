#!/usr/bin/env bash
# Runs docker-py's integration suite on dockerd and a throwaway native daemon, side by side.
# Usage: scripts/dockerpy-suite.sh DOCKER_PY_GIT_DIR_OR_CHECKOUT [--engine docker|native|both]
set -uo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python scripts/dockerpy_suite.py "$@"
