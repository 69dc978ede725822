#!/usr/bin/env bash
# Build the offline bundle: one archive that installs and starts Hàng đợi on a Debian 12 (amd64) PC with no route
# to any registry. Run it on a Debian machine of the same release and architecture that reaches Debian, PyPI and npm.
# Usage: scripts/bundle.sh [--out DIR]   → DIR/hangdoi-offline-<version>-<commit>.tar.gz (default DIR: build/)
# The archive unpacks to hangdoi/: the repository at HEAD (git archive), node_modules as `npm ci` installs it from
# package-lock.json, and offline/ with
#   wheels/   every wheel of requirements/gevent.txt (the server, eventlet, the gevent fallback) and build.txt,
#             for this machine's python3 (cp311, x86_64 on Debian 12)
#   debs/     fonts-dejavu-core, espeak-ng, python3-venv and everything they depend on down to an empty system,
#             as apt resolves them, with a Packages index (a local apt repository)
#   MANIFEST  what was packed, from which commit; SHA256SUMS of every file in offline/
# On the center's PC: tar -xzf the archive, then hangdoi/scripts/start.sh (docs/OPERATIONS.md, Offline install).
set -euo pipefail
cd "$(dirname "$0")/.."

out=build; [[ "${1:-}" == "--out" ]] && out=$2
mkdir -p "$out"; out=$(cd "$out" && pwd)
python=${PYTHON:-python3}
version=$("$python" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
commit=$(git rev-parse HEAD)  # read once: others may commit while the bundle builds
stage=$(mktemp -d); trap 'rm -rf "$stage"' EXIT
root=$stage/hangdoi
start=$SECONDS

echo "==> git archive ${commit:0:7}"
git archive --format=tar --prefix=hangdoi/ "$commit" | tar -x -C "$stage"
mkdir -p "$root/offline/wheels" "$root/offline/debs"

echo "==> pip wheel -r requirements/gevent.txt -r requirements/build.txt"
"$python" -m venv "$stage/venv"
"$stage/venv/bin/python" -m pip wheel -q --disable-pip-version-check --require-hashes -w "$root/offline/wheels" \
  -r "$root/requirements/gevent.txt" -r "$root/requirements/build.txt"

echo "==> npm ci (node_modules from package-lock.json)"
(cd "$root" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)

# apt's own resolver, against an empty package status: the full set a bare Debian needs, alternatives chosen as
# apt chooses them. The list of available packages comes from this machine's sources (updated if it has none).
debs=(fonts-dejavu-core espeak-ng python3-venv)
echo "==> apt-get --download-only ${debs[*]} (and their dependencies)"
apt_download() {
  mkdir -p "$stage/apt/archives/partial"; : >"$stage/apt/status"
  apt-get -q -y --download-only --no-install-recommends -o Debug::NoLocking=1 -o APT::Sandbox::User=root \
    -o Dir::State::status="$stage/apt/status" -o Dir::Cache::archives="$stage/apt/archives" install "${debs[@]}"
}
apt_download >/dev/null 2>&1 || { apt-get update -q >/dev/null; apt_download >/dev/null; }
mv "$stage"/apt/archives/*.deb "$root/offline/debs/"
(cd "$root/offline/debs" && for f in *.deb; do
  dpkg-deb -f "$f"
  printf 'Filename: ./%s\nSize: %s\nSHA256: %s\n\n' "$f" "$(stat -c %s "$f")" "$(sha256sum "$f" | cut -d' ' -f1)"
done >Packages)

{
  echo "Hàng đợi $version, commit $commit, bundled $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "python: $("$python" -c 'import sys, sysconfig; print(sys.version.split()[0], sysconfig.get_platform())')"
  echo "debian: $(. /etc/os-release && echo "$PRETTY_NAME") $(dpkg --print-architecture)"
  echo; echo "wheels:"; (cd "$root/offline/wheels" && ls -1 | sed 's/^/  /')
  echo; echo "debs:"; (cd "$root/offline/debs" && ls -1 ./*.deb | sed 's|^\./|  |')
  echo; echo "node_modules:"
  (cd "$root" && python3 -c 'import json; [print("  " + k[13:], v["version"]) for k, v in
     json.load(open("package-lock.json"))["packages"].items() if k]')
} >"$root/offline/MANIFEST"
(cd "$root" && find offline -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum >offline/SHA256SUMS)

archive=$out/hangdoi-offline-$version-${commit:0:7}.tar.gz
tar -C "$stage" -czf "$archive" hangdoi
echo "==> $archive ($(du -h "$archive" | cut -f1), $((SECONDS - start)) s)"
