#!/usr/bin/env bash
# Write the lock files in requirements/ from pyproject.toml: every package pinned, with the sha256 of each of its
# files (uv pip compile --universal --generate-hashes), so every install gets the same bytes.
#   requirements/server.txt   the server (eventlet)            scripts/setup.sh
#   requirements/gevent.txt   the server + the gevent fallback  scripts/setup.sh with HANGDOI_ASYNC_MODE=gevent
#   requirements/test.txt     + the test and bench extras       scripts/setup.sh --test
#   requirements/build.txt    setuptools, to build the project itself (pip install -e .) with no index
# Usage: scripts/lock.sh [--upgrade]   (without --upgrade, pins already in a lock file are kept)
# Needs PyPI: run it on a machine that reaches it, commit the four files, then scripts/bundle.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION=0.13.9
tools=build/lock-tools
if [[ ! -x $tools/bin/uv ]] || [[ $($tools/bin/uv --version) != "uv $UV_VERSION"* ]]; then
  python3 -m venv "$tools"
  "$tools/bin/pip" install -q --disable-pip-version-check "uv==$UV_VERSION"
fi
compile=("$tools/bin/uv" pip compile --universal --python-version 3.11 --generate-hashes --quiet
         --custom-compile-command scripts/lock.sh "$@")
mkdir -p requirements

# The widest set first; the narrower ones are constrained by it, so a package has one version in all four files.
"${compile[@]}" pyproject.toml --extra test --extra bench -o requirements/test.txt
"${compile[@]}" pyproject.toml --extra gevent -c requirements/test.txt -o requirements/gevent.txt
"${compile[@]}" pyproject.toml -c requirements/test.txt -o requirements/server.txt
python3 -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")' \
  | "${compile[@]}" - -o requirements/build.txt
echo "==> requirements/{server,gevent,test,build}.txt"
