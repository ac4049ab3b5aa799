#!/usr/bin/env bash
# Regenerates test/fixtures/sklearn-releases/ from real scikit-learn releases off PyPI.
# One virtual environment per release (pinned requirements/sklearn-<version>.txt, installed with
# --no-deps so every package and version is the file's), under the gitignored .venvs/ folder.
# Usage: scripts/sklearn-releases/gen.sh [version ...]   (default: every requirements file).
# Python 3.11 (the machine's) is used: every release 1.3.2 to 1.9.1 has a cp311 wheel; pip is
# told --only-binary, so a release without one would fail here naming it rather than compile.
set -Eeuo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${PYTHON:-python3}"
venvs="$here/.venvs"
out="$root/test/fixtures/sklearn-releases"
mkdir -p "$venvs" "$out"

if [ "$#" -gt 0 ]; then versions=("$@"); else
  versions=(); for f in "$here"/requirements/sklearn-*.txt; do v="${f##*/sklearn-}"; versions+=("${v%.txt}"); done
fi

for v in "${versions[@]}"; do
  req="$here/requirements/sklearn-$v.txt"
  venv="$venvs/sklearn-$v"
  stamp="$venv/.requirements.sha256"
  want="$(sha256sum "$req" | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "== creating $venv from $req"
    rm -rf "$venv"
    "$python" -m venv "$venv"
    for attempt in 1 2 3; do
      # --only-binary: a release without a wheel for this Python is reported, not compiled.
      if "$venv/bin/pip" install -q --disable-pip-version-check --no-deps --only-binary=:all: -r "$req"; then break; fi
      [ "$attempt" = 3 ] && { echo "== pip could not install $req (no wheel for $("$python" --version)?)" >&2; exit 1; }
      sleep 10
    done
    echo "$want" > "$stamp"
  fi
  echo "== generating fixtures with scikit-learn $v"
  "$venv/bin/python" "$here/gen.py" --out "$out/$v"
done

# Files the reader must refuse, written by the newest release.
if [ -x "$venvs/sklearn-1.9.1/bin/python" ]; then
  echo "== generating unsupported-layout files with scikit-learn 1.9.1"
  "$venvs/sklearn-1.9.1/bin/python" "$here/gen-unsupported.py" --out "$out/unsupported"
fi
