#!/usr/bin/env bash
# Install everything Hàng đợi needs on a Debian machine: system packages, the Python virtualenv, browser assets.
# Usage: scripts/setup.sh [--test]   (--test adds Debian's chromium and PostgreSQL, and the test libraries)
# Python packages come from the lock files in requirements/ (exact versions, sha256 checked; scripts/lock.sh).
# HANGDOI_ASYNC_MODE=gevent installs the gevent fallback too. In an unpacked offline bundle (an offline/ folder
# beside this one, made by scripts/bundle.sh) nothing is fetched: Debian packages, wheels and browser assets all
# come from the bundle (docs/OPERATIONS.md, Offline install).
set -euo pipefail
cd "$(dirname "$0")/.."

test=""; [[ "${1:-}" == "--test" ]] && test=1
offline=""; [[ -d offline/wheels ]] && offline=1
[[ $offline && $test ]] && { echo "setup.sh: the offline bundle carries the server only, not the tests" >&2; exit 2; }
sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"

packages=(fonts-dejavu-core espeak-ng)
[[ $offline ]] && packages+=(python3-venv)  # a bare Debian has no `python3 -m venv` without it
# The hub's tests start a throwaway PostgreSQL cluster of their own (tests/pg.py) from Debian's server programs,
# and nginx with the documented TLS configuration in front of a hub (tests/test_hub_tls.py; nginx-light's binary).
# The browser tests drive chromium-headless-shell (Debian's build of the same Chromium, without a window's UI:
# a third of the CPU); the lobby TV's own start command is tested with chromium itself.
[[ $test ]] && packages+=(chromium chromium-headless-shell postgresql nginx-light)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})) && [[ $offline ]]; then
  # The bundle's .debs as a local repository, read through a private list folder: apt picks only what this
  # machine lacks, and the machine's own sources and lists are left alone.
  echo "==> apt-get install ${missing[*]} (from offline/debs)"
  lists=$(mktemp -d); trap 'rm -rf "$lists"' EXIT
  mkdir -p "$lists/partial"
  echo "deb [trusted=yes] file:$PWD/offline/debs ./" >"$lists/sources.list"
  apt=(-q -o Dir::Etc::SourceList="$lists/sources.list" -o Dir::Etc::SourceParts=- -o Dir::State::Lists="$lists"
       -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root)
  $sudo apt-get "${apt[@]}" update >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get "${apt[@]}" install -y --no-download --no-install-recommends \
    "${missing[@]}" >/dev/null
elif ((${#missing[@]})); then
  echo "==> apt-get install ${missing[*]}"
  $sudo apt-get update -q >/dev/null || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ ! -x .venv/bin/python ]]; then
  echo "==> python3 -m venv .venv"
  python3 -m venv .venv
fi
lock=requirements/server.txt
[[ "${HANGDOI_ASYNC_MODE:-}" == "gevent" ]] && lock=requirements/gevent.txt
[[ $test ]] && lock=requirements/test.txt
pip=(.venv/bin/python -m pip install -q --disable-pip-version-check)
[[ $offline ]] && pip+=(--no-index --find-links "$PWD/offline/wheels")
echo "==> pip install -r $lock${offline:+ (from offline/wheels)}"
"${pip[@]}" --require-hashes -r "$lock"
"${pip[@]}" --no-deps -e .

# npm ci starts from an empty node_modules each time: skip it when node_modules already holds what the lock names
# (the screens' assets; with --test also the dev tools, ESLint; the offline bundle carries the assets only).
assets_match_lock() {
  HANGDOI_NPM_DEV="$test" python3 - <<'EOF'
import json, os, sys
try:
    installed = json.load(open("node_modules/.package-lock.json"))["packages"]
except (OSError, ValueError, KeyError):
    sys.exit(1)
locked = json.load(open("package-lock.json"))["packages"]
wanted = {k: v.get("version") for k, v in locked.items()
          if k.startswith("node_modules/") and (os.environ["HANGDOI_NPM_DEV"] or not v.get("dev"))}
sys.exit(0 if all(installed.get(k, {}).get("version") == v for k, v in wanted.items()) else 1)
EOF
}
if assets_match_lock; then
  echo "==> node_modules matches package-lock.json"
elif [[ $offline ]]; then
  echo "setup.sh: node_modules in the bundle does not match package-lock.json" >&2; exit 1
else
  dev=--omit=dev; [[ $test ]] && dev=--include=dev
  echo "==> npm ci $dev"
  npm ci "$dev" --no-audit --no-fund --loglevel=error
fi
