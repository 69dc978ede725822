#!/usr/bin/env bash
# Install what is missing (chromium included), then run every test: unit, live server, Socket.IO and browser.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
export HANGDOI_REQUIRE_BROWSER=1
exec .venv/bin/python -m pytest "$@"
