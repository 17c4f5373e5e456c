#!/usr/bin/env bash
# start|stop|restart a dockerd owned by the test rig (pidfile and log in $DOCKYARD_RIG_DIR).
set -euo pipefail
rig=${DOCKYARD_RIG_DIR:?DOCKYARD_RIG_DIR is not set}
pidfile=$rig/dockerd.pid
sock=/var/run/docker.sock

answers() { DOCKER_HOST=unix://$sock timeout 5 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

start() {
  dockerd --host "unix://$sock" --pidfile "$rig/dockerd.own.pid" >>"$rig/dockerd.log" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 120); do
    answers && return 0
    kill -0 "$(cat "$pidfile")" 2>/dev/null || { tail -20 "$rig/dockerd.log" >&2; return 1; }
    sleep 0.25
  done
  echo "dockerd did not answer in 30s; log: $rig/dockerd.log" >&2
  return 1
}

stop() {
  [[ -f $pidfile ]] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$pidfile"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  answers) answers ;;
  *) echo "usage: $0 start|stop|restart|answers" >&2; exit 2 ;;
esac
