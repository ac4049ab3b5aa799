#!/usr/bin/env bash
# Creates the Python virtual environment of the OIP client tests (tritonclient[http], kserve,
# pytest, every dependency pinned in test/oip-clients/requirements.txt) at .tmp/venv-oip-clients,
# when it is missing or was built from other requirements. Idempotent; retries the network.
# Run by scripts/test.mjs (npm test) and .ci/run. PYTHON picks the interpreter (default python3,
# 3.11 or newer).
set -Eeuo pipefail
cd "$(dirname "$0")/.."
VENV=.tmp/venv-oip-clients
REQUIREMENTS=test/oip-clients/requirements.txt
STAMP="$VENV/.requirements.sha256"
PYTHON="${PYTHON:-python3}"

want="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
if [ -x "$VENV/bin/python" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$want" ]; then
  exit 0
fi

echo "== creating $VENV from $REQUIREMENTS with $("$PYTHON" --version 2>&1)"
rm -rf "$VENV"
mkdir -p .tmp
if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
  # Debian's python3 needs its venv module as a package.
  echo "== $PYTHON -m venv failed: installing python3-venv"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
fi
for attempt in 1 2 3; do
  if "$VENV/bin/pip" install -q --disable-pip-version-check -r "$REQUIREMENTS"; then
    echo "$want" >"$STAMP"
    exit 0
  fi
  echo "== pip install failed (attempt $attempt); retrying"
  sleep 10
done
echo "== could not install $REQUIREMENTS"
exit 1
