#!/usr/bin/env bash
# Run the test suite in the project's virtual environment (created by scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
[ -x "$VENV/bin/python" ] || bash scripts/setup.sh --no-demo
exec "$VENV/bin/python" -m pytest "$@"
