#!/usr/bin/env bash
# Starts the openid-client chatbot (app.mjs) on 127.0.0.1:PORT (0: a free port; it prints its
# base URL on stdout), installing openid-client at the exact versions of package-lock.json into
# target/openid-client-chatbot-node (or $GAUNTLET_OPENID_CLIENT_DIR) on first use; again only
# when package.json or package-lock.json changed. Configured through the environment
# (README.md). Serves until killed. Needs node and npm (Node.js 20 or later). Works from any
# directory: every path comes from this script's own location.
set -euo pipefail
port="${1:?usage: run.sh PORT}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dir="${GAUNTLET_OPENID_CLIENT_DIR:-$root/target/openid-client-chatbot-node}"

# shellcheck source=../lib/npm.sh
source "$here/../lib/npm.sh"
ensure_npm "$dir" "$here" "openid-client (Node.js 20+)"

# app.mjs is run from the install directory, where `import 'openid-client'` resolves; copied
# under a temporary name and renamed, so that a chatbot starting beside this one reads it whole.
cp "$here/app.mjs" "$dir/app.mjs.$$"
mv -f "$dir/app.mjs.$$" "$dir/app.mjs"
cd "$dir"
export CHATBOT_LISTEN="127.0.0.1:$port"
# exec: the chatbot is the process Gauntlet stops.
exec node app.mjs
