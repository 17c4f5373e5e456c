#!/usr/bin/env bash
# start|stop a throwaway OpenSSH server on 127.0.0.1 for the ssh:// engine tests.
# Everything lives in $DOCKYARD_RIG_DIR/sshd: its own sshd_config, host key, authorized_keys,
# the client's key, known_hosts and ssh_config; the system's sshd and ~/.ssh are not touched.
# Two ports: the first runs commands as usual (the account reaches the local dockerd), the
# second runs them with a PATH that has no docker CLI, as a server without Docker would.
set -euo pipefail
rig=${DOCKYARD_RIG_DIR:?DOCKYARD_RIG_DIR is not set}
dir=$rig/sshd
pidfile=$dir/sshd.pid

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

answers() {
  [[ -f $dir/ports ]] || return 1
  read -r port _ <"$dir/ports"
  ssh -F "$dir/ssh_config" -p "$port" "$(id -un)@127.0.0.1" true >/dev/null 2>&1
}

start() {
  mkdir -p "$dir"
  chmod 700 "$dir"
  rm -f "$dir"/host_key* "$dir"/client_key* "$dir"/stranger_key*
  ssh-keygen -q -t ed25519 -N '' -C dockyard-rig-host -f "$dir/host_key"
  ssh-keygen -q -t ed25519 -N '' -C dockyard-rig-client -f "$dir/client_key"
  # a key the server does not know, for the "refused" case
  ssh-keygen -q -t ed25519 -N '' -C dockyard-rig-stranger -f "$dir/stranger_key"
  cp "$dir/client_key.pub" "$dir/authorized_keys"
  local port nodocker
  port=$(free_port)
  nodocker=$(free_port)
  cat >"$dir/sshd_config" <<CONF
ListenAddress 127.0.0.1
Port $port
Port $nodocker
HostKey $dir/host_key
PidFile $pidfile
AuthorizedKeysFile $dir/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
AllowTcpForwarding no
X11Forwarding no
PrintMotd no
LogLevel VERBOSE
Match LocalPort $nodocker
  ForceCommand env PATH=/nonexistent /bin/sh -c "\$SSH_ORIGINAL_COMMAND"
CONF
  for p in "$port" "$nodocker"; do
    echo "[127.0.0.1]:$p $(cut -d' ' -f1-2 "$dir/host_key.pub")"
  done >"$dir/known_hosts"
  : >"$dir/empty_known_hosts"
  write_client_config ssh_config client_key known_hosts
  write_client_config ssh_config_stranger stranger_key known_hosts
  write_client_config ssh_config_unknown_host client_key empty_known_hosts
  echo "$port $nodocker" >"$dir/ports"
  # sshd insists on an absolute path and on its privilege separation folder
  mkdir -p /run/sshd
  /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log"
  for _ in $(seq 1 40); do
    answers && return 0
    sleep 0.25
  done
  echo "sshd did not answer on 127.0.0.1:$port (log: $dir/sshd.log)" >&2
  tail -5 "$dir/sshd.log" >&2 || true
  return 1
}

write_client_config() {
  cat >"$dir/$1" <<CONF
Host 127.0.0.1
  IdentityFile $dir/$2
  IdentitiesOnly yes
  UserKnownHostsFile $dir/$3
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  LogLevel ERROR
CONF
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
