#!/usr/bin/env bash
# Regenerates test/fixtures/drift/ with the reference PSI implementation (numpy, pinned in
# scripts/requirements-drift.txt) in a virtualenv of its own (.venv-drift, not committed).
# Deterministic: the same files every run.
set -Eeuo pipefail
cd "$(dirname "$0")/.."
venv=.venv-drift
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
for attempt in 1 2 3; do
  if "$venv/bin/pip" install -q --disable-pip-version-check -r scripts/requirements-drift.txt; then
    break
  fi
  [ "$attempt" = 3 ] && { echo "pip could not install scripts/requirements-drift.txt"; exit 1; }
  sleep 5
done
"$venv/bin/python" scripts/gen-drift-fixtures.py test/fixtures/drift
