#!/usr/bin/env bash
# Runs every benchmark in bench/ and prints its figures; benchmarks never pass or fail.
set -uo pipefail
py=${1:-.venv/bin/python}
status=0
# Launch times must not include compiling our modules (PYTHONDONTWRITEBYTECODE may be set).
"$py" -m compileall -q tui engine_adapters native_runtime >/dev/null
# bench/_*.py are helpers the benchmarks run, not benchmarks
for script in bench/[!_]*.py; do
  [[ -e $script ]] || continue
  echo "== $script"
  "$py" "$script" || { echo "(benchmark $script failed)"; status=1; }
  echo
done
exit $status
