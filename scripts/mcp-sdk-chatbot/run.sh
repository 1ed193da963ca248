#!/usr/bin/env bash
# Starts the MCP SDK chatbot (app.mjs) on 127.0.0.1:PORT (0: a free port; it prints its base URL
# on stdout), installing @modelcontextprotocol/sdk at the exact versions of package-lock.json
# into target/mcp-sdk-chatbot-node (or $GAUNTLET_MCP_SDK_DIR) on first use; again only when
# package.json or package-lock.json changed. Configured through the environment (README.md).
# Serves until killed. Needs node and npm (Node.js 20 or later). Works from any directory: every
# path comes from this script's own location.
set -euo pipefail
port="${1:?usage: run.sh PORT}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dir="${GAUNTLET_MCP_SDK_DIR:-$root/target/mcp-sdk-chatbot-node}"

# shellcheck source=../lib/npm.sh
source "$here/../lib/npm.sh"
ensure_npm "$dir" "$here" "the MCP TypeScript SDK (Node.js 20+)"

# app.mjs is run from the install directory, where `import '@modelcontextprotocol/sdk/…'`
# resolves; copied under a temporary name and renamed, so that a chatbot starting beside this one
# reads it whole.
cp "$here/app.mjs" "$dir/app.mjs.$$"
mv -f "$dir/app.mjs.$$" "$dir/app.mjs"
cd "$dir"
export CHATBOT_LISTEN="127.0.0.1:$port"
# exec: the chatbot is the process Gauntlet stops.
exec node app.mjs
