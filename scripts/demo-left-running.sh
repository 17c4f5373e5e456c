#!/usr/bin/env bash
# Says which demo containers (examples/demo) are still running once the UI has closed, and
# how to stop them; says nothing when none is. run.sh calls it as the UI exits.
#   scripts/demo-left-running.sh [ENGINE [PROJECT]]   (default: native, demo)
set -uo pipefail
cd "$(dirname "$0")/.."
engine=${1:-native}
project=${2:-demo}
dockyard=.venv/bin/dockyard
compose=(compose -f examples/demo/compose.yaml)
[[ $project == demo ]] || compose+=(-p "$project")

# `compose ps` prints a header, then NAME SERVICE STATUS...; running ones have "Up ...".
names=$("$dockyard" --engine "$engine" "${compose[@]}" ps 2>/dev/null |
  awk 'NR > 1 && / Up / { print $1 }' | paste -sd ' ' -)
[[ -n $names ]] || exit 0
count=$(wc -w <<<"$names")
stop="$dockyard --engine $engine ${compose[*]} down"
[[ $engine == native ]] && stop+=" && $dockyard engine stop"
echo "The demo project is still running on the $engine engine ($count containers: $names)."
echo "To stop it: $stop"
