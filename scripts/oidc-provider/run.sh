#!/usr/bin/env bash
# Starts panva's oidc-provider on 127.0.0.1:PORT with Gauntlet's clients (server.mjs), installing
# it at the exact versions of package-lock.json into target/oidc-provider-node (or
# $GAUNTLET_OIDC_PROVIDER_DIR) on first use; again only when package.json or package-lock.json
# changed. Storage is in memory: every start is fresh. Serves until killed.
# Needs node and npm (Node.js 18 or later). Works from any directory.
set -euo pipefail
port="${1:?usage: run.sh PORT}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dir="${GAUNTLET_OIDC_PROVIDER_DIR:-$root/target/oidc-provider-node}"

for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "run.sh: $tool is not installed; oidc-provider needs Node.js 18+ with npm" >&2
    exit 127
  fi
done

installed() {
  [ -f "$dir/installed.lock.json" ] &&
    cmp -s "$here/package.json" "$dir/package.json" &&
    cmp -s "$here/package-lock.json" "$dir/installed.lock.json"
}

install() {
  if ! installed; then
    echo "installing oidc-provider into $dir" >&2
    rm -rf "$dir"
    mkdir -p "$dir"
    cp "$here/package.json" "$here/package-lock.json" "$dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
    # Written last: an install cut short is made again next time.
    cp "$here/package-lock.json" "$dir/installed.lock.json"
  fi
}

mkdir -p "$(dirname "$dir")"
if command -v flock >/dev/null; then
  # Two starts at once install one after the other, not over each other.
  exec 9>"$dir.lock"
  flock 9
  install
  flock -u 9
  exec 9>&-
else
  install
fi

# server.mjs is run from the install directory, where `import 'oidc-provider'` resolves; copied
# under a temporary name and renamed, so that a server starting beside this one reads it whole.
cp "$here/server.mjs" "$dir/server.mjs.$$"
mv -f "$dir/server.mjs.$$" "$dir/server.mjs"
cd "$dir"
# exec: the server is the process Gauntlet stops.
exec node server.mjs "$port"
