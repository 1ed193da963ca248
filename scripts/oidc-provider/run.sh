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

# shellcheck source=../lib/npm.sh
source "$here/../lib/npm.sh"
ensure_npm "$dir" "$here" "oidc-provider (Node.js 18+)"

# server.mjs is run from the install directory, where `import 'oidc-provider'` resolves; copied
# under a temporary name and renamed, so that a server starting beside this one reads it whole.
cp "$here/server.mjs" "$dir/server.mjs.$$"
mv -f "$dir/server.mjs.$$" "$dir/server.mjs"
cd "$dir"
# exec: the server is the process Gauntlet stops.
exec node server.mjs "$port"
