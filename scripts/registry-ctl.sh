#!/usr/bin/env bash
# start|stop a throwaway Debian docker-registry on 127.0.0.1 for the tests (state in $DOCKYARD_RIG_DIR).
set -euo pipefail
rig=${DOCKYARD_RIG_DIR:?DOCKYARD_RIG_DIR is not set}
addr=${DOCKYARD_TEST_REGISTRY:-127.0.0.1:5000}
pidfile=$rig/registry.pid

answers() { curl -fsS --max-time 2 "http://$addr/v2/" >/dev/null 2>&1; }

start() {
  mkdir -p "$rig/registry"
  cat >"$rig/registry.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $rig/registry
  delete:
    enabled: true
http:
  addr: $addr
YAML
  docker-registry serve "$rig/registry.yml" >>"$rig/registry.log" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 80); do
    answers && return 0
    kill -0 "$(cat "$pidfile")" 2>/dev/null || { tail -5 "$rig/registry.log" >&2; return 1; }
    sleep 0.25
  done
  echo "registry did not answer on $addr" >&2
  return 1
}

stop() {
  [[ -f $pidfile ]] || return 0
  pid=$(cat "$pidfile")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  answers) answers ;;
  *) echo "usage: $0 start|stop|answers" >&2; exit 2 ;;
esac
