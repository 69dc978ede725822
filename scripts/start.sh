#!/usr/bin/env bash
# Install what is missing, then start the server with the demo center on instance/hangdoi.db.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/python run.py --demo "$@"
