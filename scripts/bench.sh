#!/usr/bin/env bash
# Runs every benchmark in bench/ and prints its figures; benchmarks never pass or fail.
set -uo pipefail
py=${1:-.venv/bin/python}
status=0
# bench/_*.py are helpers the benchmarks run, not benchmarks
for script in bench/[!_]*.py; do
  [[ -e $script ]] || continue
  echo "== $script"
  "$py" "$script" || { echo "(benchmark $script failed)"; status=1; }
  echo
done
exit $status
