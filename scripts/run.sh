#!/usr/bin/env bash
# Opens the UI on the default engine: DOCKER_HOST, the current docker context, the Docker
# socket, Podman's socket, else Dockyard's native engine. On the native engine it first
# brings up the demo project (examples/demo), so every view has something to show, and when
# the UI quits says what of it is still running and how to stop it.
set -uo pipefail
cd "$(dirname "$0")/.."
venv=.venv
dockyard=$venv/bin/dockyard
# Bytecode now, even where PYTHONDONTWRITEBYTECODE is set: compiling on every launch would
# add about 50 ms before the first screen.
"$venv/bin/python" -m compileall -q tui engine_adapters native_runtime >/dev/null

kind=$("$venv/bin/python" -c 'from engine_adapters import resolve; print(resolve(None).kind)')
if [[ $kind != native ]]; then
  exec "$dockyard" "$@"
fi

echo "No Docker engine answers: starting Dockyard's native engine with the demo project."
"$dockyard" engine start || exit 2
socket=${DOCKYARD_SOCKET:-/run/dockyard/dockyard.sock}
"$venv/bin/python" scripts/test_image.py --host "unix://$socket" || exit 2
port=8080
while "$venv/bin/python" -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $port)) != 0)"; do
  port=$((port + 1))
done
if ! DEMO_WEB_PORT=$port "$dockyard" --engine native compose -f examples/demo/compose.yaml up -d; then
  echo "The demo project did not start (see above); opening the UI anyway." >&2
fi
"$dockyard" --engine native "$@"
status=$?
# The demo outlives the UI (its containers run under the native engine, not under the UI).
scripts/demo-left-running.sh native demo
exit $status
