#!/usr/bin/env bash
# Install what is missing (chromium included), lint, then run every test: unit, live server, Socket.IO and browser.
# pytest-xdist runs the suite on one worker more than cores, a test module per worker at a time (--dist loadfile: a
# module's server and the offline bundle's build are made once), in the collection order tests/conftest.py gives
# (the slow modules first, then the live ones, unit modules last). Arguments are passed on: scripts/test.sh -n 0 runs
# in one process.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
# Lint first: a finding fails the run like a failing test (ruff: [tool.ruff] in pyproject.toml; ESLint:
# eslint.config.mjs over the screens' JavaScript).
echo "==> ruff check"
.venv/bin/ruff check .
echo "==> eslint"
npx --no-install eslint .
export HANGDOI_REQUIRE_BROWSER=1
# One worker more than cores: the live and browser tests wait (servers, sockets, voices, time-outs) as much as they
# compute; on 2 cores 3 workers ran the suite in 669 s against 752 s for 2 (BENCHMARKS.md, Test suite).
exec .venv/bin/python -m pytest -n "$(( $(nproc) + 1 ))" --dist loadfile --no-loadscope-reorder "$@"
