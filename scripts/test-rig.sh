#!/usr/bin/env bash
# Runs a command with the services the tests need: a dockerd (started unless one answers)
# and the test image; stops what it started, whatever the command's outcome.
set -uo pipefail
cd "$(dirname "$0")/.."

own_rig_dir=0
if [[ -z ${DOCKYARD_RIG_DIR:-} ]]; then
  DOCKYARD_RIG_DIR=$(mktemp -d /tmp/dockyard-rig.XXXXXX)
  own_rig_dir=1
fi
export DOCKYARD_RIG_DIR
export DOCKYARD_TEST_REGISTRY=${DOCKYARD_TEST_REGISTRY:-127.0.0.1:5000}
started_dockerd=0
started_registry=0
started_sshd=0
started_podman=0

cleanup() {
  local status=$?
  # a swarm rig the tests could not stop themselves (tests/swarm/conftest.py starts them here)
  for swarm in "$DOCKYARD_RIG_DIR"/swarm-*/; do
    [[ -f $swarm/rig.env ]] && scripts/swarm-rig.sh stop "$swarm"
  done
  if ((started_registry)); then scripts/registry-ctl.sh stop || true; fi
  if ((started_sshd)); then scripts/sshd-ctl.sh stop || true; fi
  if ((started_podman)); then scripts/podman-ctl.sh stop || true; fi
  if ((started_dockerd)); then
    echo "test rig: stopping the dockerd it started"
    scripts/dockerd-ctl.sh stop || true
  fi
  # keep the services' logs when something failed; otherwise leave nothing behind
  if ((own_rig_dir)) && ((status == 0)); then rm -rf "$DOCKYARD_RIG_DIR"; fi
}
trap cleanup EXIT

unset DOCKER_HOST DOCKER_CONTEXT
if ! scripts/dockerd-ctl.sh answers; then
  echo "test rig: starting dockerd (log: $DOCKYARD_RIG_DIR/dockerd.log)"
  scripts/dockerd-ctl.sh start || { echo "test rig: dockerd failed to start" >&2; exit 1; }
  started_dockerd=1
  export DOCKYARD_RIG_OWNS_DOCKERD=1
fi
if ! scripts/registry-ctl.sh answers; then
  scripts/registry-ctl.sh start || { echo "test rig: registry failed to start" >&2; exit 1; }
  started_registry=1
fi
.venv/bin/python scripts/test_image.py || exit 1
# an sshd of its own on 127.0.0.1 for the ssh:// engine tests (tests/ssh); both need root
if [[ $(id -u) == 0 ]]; then
  started_sshd=1
  scripts/sshd-ctl.sh start || { echo "test rig: sshd failed to start" >&2; exit 1; }
  # a Podman API service of its own, the engine tests' third engine (scripts/podman-ctl.sh)
  started_podman=1
  scripts/podman-ctl.sh start || { echo "test rig: podman failed to start" >&2; exit 1; }
fi

"$@"
