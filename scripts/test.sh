#!/usr/bin/env bash
# Run the test suite in the project's virtual environment (created by scripts/setup.sh).
#
# Runs on one pytest-xdist worker per CPU, each test file on one worker (its module
# fixtures, a server or a browser, start once); give `-n 0` to run in this process, or
# `-n N` for N workers. Arguments go to pytest as they are.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
[ -x "$VENV/bin/python" ] || bash scripts/setup.sh --no-demo
# Python's default is to cache compiled modules in __pycache__ (git ignores them). Some
# environments turn it off; then every worker and every subprocess of the tests (a batch
# job, a server, a Ray worker) compiles the project again, and pytest rewrites every test
# module again: seconds per process.
unset PYTHONDONTWRITEBYTECODE
workers=(-n "$(nproc)" --dist loadfile)
for arg in "$@"; do
  case $arg in
    -n|-n*|--numprocesses|--numprocesses=*|--dist|--dist=*) workers=() ;;
  esac
done
exec "$VENV/bin/python" -m pytest "${workers[@]}" "$@"
