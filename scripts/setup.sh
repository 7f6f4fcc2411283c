#!/usr/bin/env bash
# Set up everything on a fresh Debian machine, then translate the sample article.
#   bash scripts/setup.sh            # Debian packages, .venv, the project; then the demo
#   bash scripts/setup.sh --no-demo  # the same without the demo (Dockerfile, CI)
# Environment: PYTHON (default python3), VENV (default .venv).
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium: the browser tests drive Debian's build with Playwright (never `playwright install`);
# g++: builds the fix loaded into apertium-tagger (translator/engines/tagger_fix.cpp)
DEBIAN_PACKAGES=(apertium apertium-fr-es apertium-eng-spa g++ chromium)
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
demo=1
[ "${1:-}" = "--no-demo" ] && demo=0

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating $VENV with $($PYTHON --version)"
  "$PYTHON" -m venv "$VENV"
fi
echo "==> installing the project into $VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
# ray: translator batch --ray, tested for real on a local two-node cluster; docs: .docx,
# .pptx and .odt documents
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -e ".[test,ray,docs]"

# LibreTranslate's npm client, run unchanged by tests/test_libre_clients.py (Node 18 or later)
if ! command -v npm >/dev/null 2>&1; then
  echo "==> installing Debian packages: nodejs npm"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
echo "==> installing the npm test clients (tests/js)"
npm ci --prefix tests/js --no-audit --no-fund --loglevel=error

if [ "$demo" = 1 ]; then
  echo "==> translating examples/sggp-putin-dprk.fr.txt to English (built-in default engine: Apertium)"
  "$VENV/bin/translator" translate examples/sggp-putin-dprk.fr.txt --to en --format side-by-side
fi
