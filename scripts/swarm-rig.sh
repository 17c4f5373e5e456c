#!/usr/bin/env bash
# start|stop|status DIR: a three-node Docker swarm on this machine, each dockerd in its own netns.
#
# Node 1 is the leader, node 2 a second manager, node 3 a worker. Each dockerd has its own
# data root, exec root, pidfile and socket under DIR and an address on a bridge of ours; a
# docker-registry bound to the bridge's address serves the test image to the nodes (as the
# mirror of Docker Hub, so `dockyard-test/busybox:latest` resolves as it does elsewhere).
# The host's own dockerd and everything of other users are left alone. `start` writes
# DIR/rig.env (names, sockets, addresses) first, so `stop` can undo a start that failed
# halfway; `stop` removes processes, mounts, namespaces, links and the iptables rules.
set -Eeuo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: $0 start|stop|status DIR" >&2; exit 2; }
(($# == 2)) || usage
cmd=$1
dir=$(realpath -m "$2")
envfile=$dir/rig.env
NODES=3

log() { echo "swarm rig: $*" >&2; }

# A free /24 in 10.213.0.0/16: not Docker's 172.17/16 and default pools, not the native
# engine's 10.89-91, not Podman's 10.88, not a route this host already has.
pick_subnet() {
  local routes x
  routes=$(ip -4 route show; ip -4 addr show)
  for x in $(seq 0 254); do
    grep -q "10\.213\.$x\." <<<"$routes" || { echo "10.213.$x"; return 0; }
  done
  return 1
}

ns_of() { echo "$NS_PREFIX-$1"; }
sock_of() { echo "$dir/node$1.sock"; }
ip_of() { echo "$NET.$((10 + $1))"; }
dockerc() { local n=$1; shift; DOCKER_HOST=unix://$(sock_of "$n") timeout 60 docker "$@"; }

answers() { DOCKER_HOST=unix://$(sock_of "$1") timeout 5 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

start_node() {
  local n=$1 ns node_dir
  ns=$(ns_of "$n")
  node_dir=$dir/node$n
  mkdir -p "$node_dir"
  ip netns add "$ns"
  ip link add "${BRIDGE}v$n" type veth peer name eth0 netns "$ns"
  ip link set "${BRIDGE}v$n" master "$BRIDGE" up
  ip -n "$ns" addr add "$(ip_of "$n")/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
  # nsenter, not `ip netns exec`: the latter remounts /sys, which hides the cgroup
  # hierarchy from dockerd ("Devices cgroup isn't mounted"). A UTS namespace of its own
  # gives each node its hostname (a swarm names nodes by it). Each step execs the next,
  # so the pid recorded is dockerd's.
  nsenter --net="/run/netns/$ns" unshare --uts \
    sh -c 'hostname "$0"; exec "$@"' "swarm-node$n" dockerd \
    --host "unix://$(sock_of "$n")" \
    --data-root "$node_dir/data" --exec-root "$node_dir/exec" --pidfile "$node_dir/dockerd.pid" \
    --insecure-registry "$REGISTRY" --registry-mirror "http://$REGISTRY" \
    --shutdown-timeout 3 --log-level warn >>"$node_dir/dockerd.log" 2>&1 &
  echo $! >"$node_dir/nsenter.pid"
}

wait_node() {
  local n=$1
  for _ in $(seq 1 240); do
    answers "$n" && return 0
    kill -0 "$(cat "$dir/node$n/nsenter.pid")" 2>/dev/null || break
    sleep 0.25
  done
  log "node $n did not answer; log: $dir/node$n/dockerd.log"
  tail -5 "$dir/node$n/dockerd.log" >&2
  return 1
}

start_registry() {
  mkdir -p "$dir/registry"
  cat >"$dir/registry.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY
YAML
  docker-registry serve "$dir/registry.yml" >>"$dir/registry.log" 2>&1 &
  echo $! >"$dir/registry.pid"
  for _ in $(seq 1 80); do
    curl -fsS --max-time 2 "http://$REGISTRY/v2/" >/dev/null 2>&1 && return 0
    kill -0 "$(cat "$dir/registry.pid")" 2>/dev/null || break
    sleep 0.25
  done
  log "the registry did not answer on $REGISTRY"
  return 1
}

start() {
  [[ ! -e $envfile ]] || { log "$dir already holds a rig; stop it first"; exit 1; }
  mkdir -p "$dir"
  local tag net
  tag=$(head -c 3 /dev/urandom | od -An -tx1 | tr -d ' \n')
  net=$(pick_subnet) || { log "no free subnet in 10.213.0.0/16"; exit 1; }
  cat >"$envfile" <<ENV
NS_PREFIX=dkysw-$tag
BRIDGE=dkysw$tag
NET=$net
REGISTRY=$net.1:5000
ENV
  # shellcheck source=/dev/null
  source "$envfile"
  trap 'log "start failed; cleaning up"; stop' ERR

  ip link add "$BRIDGE" type bridge
  ip addr add "$NET.1/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # The host's dockerd sets FORWARD to DROP and br_netfilter sends bridged frames through
  # it: without these rules the nodes cannot reach each other and joins time out.
  iptables -I FORWARD -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT -m comment --comment "$BRIDGE"
  start_registry
  for n in $(seq 1 $NODES); do start_node "$n"; done
  for n in $(seq 1 $NODES); do wait_node "$n"; done

  dockerc 1 swarm init --advertise-addr "$(ip_of 1)" --listen-addr "$(ip_of 1):2377" \
    --task-history-limit 2 >/dev/null
  local manager_token worker_token
  manager_token=$(dockerc 1 swarm join-token -q manager)
  worker_token=$(dockerc 1 swarm join-token -q worker)
  dockerc 2 swarm join --token "$manager_token" --advertise-addr "$(ip_of 2)" \
    --listen-addr "$(ip_of 2):2377" "$(ip_of 1):2377" >/dev/null
  dockerc 3 swarm join --token "$worker_token" --advertise-addr "$(ip_of 3)" \
    --listen-addr "$(ip_of 3):2377" "$(ip_of 1):2377" >/dev/null

  # The test image goes to the rig's registry through node 1, whose daemon trusts it.
  .venv/bin/python scripts/test_image.py --host "unix://$(sock_of 1)" >/dev/null
  # `:v2` is the same image under another tag: a rolling update replaces every task.
  for tag in latest v2; do
    dockerc 1 tag dockyard-test/busybox:latest "$REGISTRY/dockyard-test/busybox:$tag"
    dockerc 1 push -q "$REGISTRY/dockyard-test/busybox:$tag" >/dev/null
  done
  for n in $(seq 1 $NODES); do echo "NODE${n}_SOCKET=unix://$(sock_of "$n")" >>"$envfile"; done
  trap - ERR
  log "up: 3 nodes on $NET.0/24 (manager, manager, worker), registry $REGISTRY"
}

stop_pid() {
  local pid=$1 tries=${2:-80}
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 "$tries"); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.25; done
  kill -KILL "$pid" 2>/dev/null || true
}

stop() {
  [[ -f $envfile ]] || return 0
  # shellcheck source=/dev/null
  source "$envfile"
  set +e
  local n pid ns
  for n in $(seq 1 $NODES); do
    [[ -f $dir/node$n/nsenter.pid ]] && stop_pid "$(cat "$dir/node$n/nsenter.pid")" &
  done
  wait
  # Whatever still runs in a node's namespace (a containerd shim, a task) is ours alone.
  for n in $(seq 1 $NODES); do
    ns=$(ns_of "$n")
    [[ -e /run/netns/$ns ]] || continue
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
  done
  [[ -f $dir/registry.pid ]] && stop_pid "$(cat "$dir/registry.pid")"
  # Mounts the daemons left (overlay layers, netns files), deepest first.
  findmnt -rn -o TARGET | grep -F "$dir/" | sort -r | while read -r target; do
    umount -l "$target" 2>/dev/null
  done
  for n in $(seq 1 $NODES); do
    ns=$(ns_of "$n")
    [[ -e /run/netns/$ns ]] && ip netns del "$ns"
  done
  ip link show "$BRIDGE" >/dev/null 2>&1 && ip link del "$BRIDGE"
  while iptables -D FORWARD -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT -m comment --comment "$BRIDGE" \
    2>/dev/null; do :; done
  if findmnt -rn -o TARGET | grep -qF "$dir/"; then
    log "mounts remain under $dir; leaving its files in place"
    return 1
  fi
  rm -rf "$dir"
  set -e
}

status() {
  [[ -f $envfile ]] || { echo "no rig in $dir"; return 1; }
  # shellcheck source=/dev/null
  source "$envfile"
  local n
  for n in $(seq 1 $NODES); do
    if answers "$n"; then
      echo "node$n $(ip_of "$n") $(sock_of "$n") $(dockerc "$n" info --format '{{.Swarm.LocalNodeState}}')"
    else
      echo "node$n $(ip_of "$n") $(sock_of "$n") down"
    fi
  done
}

case $cmd in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) usage ;;
esac
