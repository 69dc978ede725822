#!/usr/bin/env bash
# Install everything Hàng đợi needs on a Debian machine: system packages, the Python virtualenv, browser assets.
# Usage: scripts/setup.sh [--test]   (--test adds Debian's chromium and the test libraries)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(fonts-dejavu-core espeak-ng)
[[ "${1:-}" == "--test" ]] && packages+=(chromium)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "==> apt-get install ${missing[*]}"
  $sudo apt-get update -q >/dev/null || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ ! -x .venv/bin/python ]]; then
  echo "==> python3 -m venv .venv"
  python3 -m venv .venv
fi
extra=""; [[ "${1:-}" == "--test" ]] && extra="[test]"
echo "==> pip install -e .${extra}"
.venv/bin/pip install -q --disable-pip-version-check -e ".${extra}"

echo "==> npm ci"
npm ci --no-audit --no-fund --loglevel=error
