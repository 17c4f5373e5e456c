#!/usr/bin/env bash
# Creates the project's virtualenv with Dockyard and its test extras.
set -euo pipefail
venv=${1:-.venv}
[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q -e '.[test]'
