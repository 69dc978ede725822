#!/usr/bin/env bash
# Start a demo provincial hub (docs/HUB.md): install PostgreSQL from Debian's packages when it is missing, create
# the hub's own cluster and database, then `python -m server.hub` on http://127.0.0.1:5100 (the demo province first
# when server/hub/demo.py exists: `python -m server.hub demo`). The demo admin is `admin`, password `hangdoi`.
# Settings (environment): HANGDOI_HUB_PGDATA (the cluster's folder; instance/hub-pg, or /var/lib/hangdoi-hub/pg
# when run as root, since the cluster belongs to the unprivileged user `postgres` then), HANGDOI_HUB_PG_PORT (5433),
# HANGDOI_HUB_DEMO=0 to skip the demo province, and the hub's own HANGDOI_HUB_* (HOST, PORT, …).
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
newest_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
if [[ -z "$(newest_bin)" ]]; then
  echo "==> apt-get install postgresql"
  $sudo apt-get update -q >/dev/null || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends postgresql >/dev/null
fi
bin=$(newest_bin)
scripts/setup.sh

# initdb refuses root: as root the cluster is the `postgres` user's (created by Debian's package).
as=(); owner=$(id -un)
if [[ $(id -u) -eq 0 ]]; then as=(runuser -u postgres --); owner=postgres; fi
if [[ $(id -u) -eq 0 ]]; then default_data=/var/lib/hangdoi-hub/pg; else default_data=$PWD/instance/hub-pg; fi
data=${HANGDOI_HUB_PGDATA:-$default_data}
port=${HANGDOI_HUB_PG_PORT:-5433}
run="${data%/}-run"   # the unix socket's folder: only the cluster's owner (and root) may connect
if [[ ! -f "$data/PG_VERSION" ]]; then
  echo "==> initdb $data (owner $owner)"
  mkdir -p "$data"
  chown "$owner" "$data"
  chmod 700 "$data"
  "${as[@]}" "$bin/initdb" -D "$data" -U hangdoi --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
mkdir -p "$run"; chown "$owner" "$run"; chmod 700 "$run"
if ! "${as[@]}" "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1; then
  echo "==> pg_ctl start (socket $run, port $port)"
  "${as[@]}" "$bin/pg_ctl" start -w -D "$data" -l "$data/postgres.log" \
    -o "-p $port -c listen_addresses='' -c unix_socket_directories='$run'" >/dev/null
fi
psql=("$bin/psql" -h "$run" -p "$port" -U hangdoi -d postgres -tAq)
if [[ -z "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = 'hangdoi_hub'")" ]]; then
  echo "==> createdb hangdoi_hub"
  "${psql[@]}" -c "CREATE DATABASE hangdoi_hub"
fi

export HANGDOI_HUB_DSN="host=$run port=$port user=hangdoi dbname=hangdoi_hub"
.venv/bin/python -m server.hub migrate
HANGDOI_HUB_ADMIN_PASSWORD=hangdoi .venv/bin/python -m server.hub create-admin admin "Quản trị tỉnh (demo)"
if [[ "${HANGDOI_HUB_DEMO:-1}" != "0" ]] && .venv/bin/python -c \
    "import importlib.util, sys; sys.exit(0 if importlib.util.find_spec('server.hub.demo') else 1)"; then
  echo "==> python -m server.hub demo"
  .venv/bin/python -m server.hub demo
fi
echo "==> hub on http://${HANGDOI_HUB_HOST:-127.0.0.1}:${HANGDOI_HUB_PORT:-5100}/ (PostgreSQL: $HANGDOI_HUB_DSN)"
exec .venv/bin/python -m server.hub serve
