#!/usr/bin/env bash
# start|stop|env a throwaway Podman API service for the tests: `podman system service` on a
# unix socket in $DOCKYARD_RIG_DIR/podman, with its own storage, run root, network config and
# bridge, so it shares nothing with a Podman already on the host and leaves nothing behind.
#   env: prints the variables that point podman at this instance (for `eval`)
set -euo pipefail
rig=${DOCKYARD_RIG_DIR:?DOCKYARD_RIG_DIR is not set}
dir=$rig/podman
pidfile=$dir/service.pid
bridge=dypodman0
subnet=10.231.250.0/24
image=dockyard-test/busybox:latest

export CONTAINERS_CONF=$dir/containers.conf
export CONTAINERS_STORAGE_CONF=$dir/storage.conf
export CONTAINERS_REGISTRIES_CONF=$dir/registries.conf

# the bridges Podman's CNI backend names for the networks it creates
cni_bridges() { ip -o link show type bridge | awk -F': ' '{print $2}' | grep '^cni-podman' || true; }

answers() { curl -fsS --max-time 2 --unix-socket "$dir/podman.sock" http://d/_ping >/dev/null 2>&1; }

write_config() {
  mkdir -p "$dir/storage" "$dir/run" "$dir/tmp" "$dir/cni" "$dir/volumes"
  cat >"$CONTAINERS_STORAGE_CONF" <<CONF
[storage]
driver = "overlay"
graphroot = "$dir/storage"
runroot = "$dir/run"
CONF
  # Podman 4.3 raises RLIMIT_NOFILE and RLIMIT_NPROC for every container above what a
  # process without CAP_SYS_RESOURCE may set, and crun 1.8 refuses hybrid cgroup hosts.
  cat >"$CONTAINERS_CONF" <<CONF
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$dir/events.log"
tmp_dir = "$dir/tmp"
volume_path = "$dir/volumes"

[network]
network_backend = "cni"
network_config_dir = "$dir/cni"
default_network = "dockyard-rig"
CONF
  cat >"$dir/cni/dockyard-rig.conflist" <<CONF
{
  "cniVersion": "0.4.0",
  "name": "dockyard-rig",
  "plugins": [
    {
      "type": "bridge", "bridge": "$bridge", "isGateway": true, "ipMasq": true,
      "hairpinMode": true,
      "ipam": {"type": "host-local", "routes": [{"dst": "0.0.0.0/0"}],
               "ranges": [[{"subnet": "$subnet", "gateway": "${subnet%.0/24}.1"}]]}
    },
    {"type": "portmap", "capabilities": {"portMappings": true}},
    {"type": "tuning"}
  ]
}
CONF
  cat >"$CONTAINERS_REGISTRIES_CONF" <<CONF
unqualified-search-registries = []
[[registry]]
location = "${DOCKYARD_TEST_REGISTRY:-127.0.0.1:5000}"
insecure = true
CONF
}

start() {
  mkdir -p "$dir"
  write_config
  # which CNI chains were there before, so stop removes only those this service made
  iptables-save 2>/dev/null | grep -o '^:CNI-[A-Za-z0-9_-]*' | sort -u >"$dir/chains-before" || true
  cni_bridges >"$dir/bridges-before"
  podman system service --time=0 "unix://$dir/podman.sock" >>"$dir/service.log" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 80); do
    answers && break
    kill -0 "$(cat "$pidfile")" 2>/dev/null || { tail -5 "$dir/service.log" >&2; return 1; }
    sleep 0.25
  done
  answers || { echo "podman did not answer on $dir/podman.sock" >&2; return 1; }
  # no Docker Hub here: the test image comes from the local dockerd
  docker save "$image" | podman load -q >/dev/null
  # Podman's Docker API reads a short name as docker.io's, as dockerd does
  podman tag "localhost/$image" "docker.io/$image"
}

stop() {
  if [[ -f $pidfile ]]; then
    podman rm -af -t 0 >/dev/null 2>&1 || true
    podman pod rm -af >/dev/null 2>&1 || true
    podman volume rm -af >/dev/null 2>&1 || true
    podman network prune -f >/dev/null 2>&1 || true
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  fi
  [[ -d $dir ]] || return 0
  podman system reset -f >/dev/null 2>&1 || true
  # mounts podman may leave under its own folders, then its bridges and its CNI chains
  { grep -o " $dir/[^ ]*" /proc/self/mounts || true; } | sort -r | while read -r m; do
    umount -l "$m" || true
  done
  ip link del "$bridge" 2>/dev/null || true
  for link in $(cni_bridges); do
    grep -qx "$link" "$dir/bridges-before" 2>/dev/null || ip link del "$link" 2>/dev/null || true
  done
  for table in nat filter; do
    for chain in $(iptables-save -t "$table" | grep -o '^:CNI-[A-Za-z0-9_-]*' | cut -c2-); do
      grep -qx ":$chain" "$dir/chains-before" 2>/dev/null && continue
      iptables -t "$table" -S | { grep -- "-j $chain\$\|-j $chain " || true; } | sed 's/^-A/-D/' |
        while read -r rule; do eval iptables -t "$table" "$rule" || true; done
      iptables -t "$table" -F "$chain" 2>/dev/null || true
      iptables -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
  rm -rf "$dir"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  answers) answers ;;
  env) echo "export CONTAINERS_CONF=$CONTAINERS_CONF CONTAINERS_STORAGE_CONF=$CONTAINERS_STORAGE_CONF CONTAINERS_REGISTRIES_CONF=$CONTAINERS_REGISTRIES_CONF" ;;
  *) echo "usage: $0 start|stop|answers|env" >&2; exit 2 ;;
esac
