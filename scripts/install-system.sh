#!/usr/bin/env bash
# Installs the Debian packages Dockyard needs, only those missing.
#   run:  what the app and its native engine need
#   test: that, plus dockerd, a registry and the tools the tests drive
set -euo pipefail
profile=${1:-run}

# command-or-path -> Debian package
declare -A NEEDS=(
  [runc]=runc
  [conmon]=conmon
  [iptables]=iptables
  [/bin/busybox]=busybox-static
  [/usr/bin/tini-static]=tini
  [ip]=iproute2
  [git]=git
)
if [[ $profile == test ]]; then
  NEEDS+=(
    [dockerd]=docker.io
    [docker-compose]=docker-compose
    [docker-registry]=docker-registry
    [skopeo]=skopeo
    [dot]=graphviz
    [tmux]=tmux
    [curl]=curl
    [nsenter]=util-linux
    [/usr/sbin/sshd]=openssh-server
    [ssh]=openssh-client
    [podman]=podman
  )
fi

missing=()
for need in "${!NEEDS[@]}"; do
  if [[ $need == /* ]]; then [[ -x $need ]] && continue
  else command -v "$need" >/dev/null 2>&1 && continue; fi
  missing+=("${NEEDS[$need]}")
done
# busybox-static replaces a dynamic busybox; only the static one runs in a bare rootfs
if [[ -x /bin/busybox ]] && ! dpkg -s busybox-static >/dev/null 2>&1; then missing+=(busybox-static); fi
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then missing+=(python3-venv); fi

if ((${#missing[@]} == 0)); then exit 0; fi
readarray -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
if [[ $(id -u) != 0 ]]; then
  echo "dockyard: missing Debian packages: ${missing[*]} (run make as root, or apt-get install them)" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
