#!/usr/bin/env bash
# Starts the MCP SDK server (server.mjs) on 127.0.0.1:PORT, installing @modelcontextprotocol/sdk
# at the exact versions of package-lock.json into target/mcp-sdk-server-node (or
# $GAUNTLET_MCP_SDK_SERVER_DIR) on first use; again only when package.json or package-lock.json
# changed. Storage is in memory: every start is fresh. Serves until killed.
# Needs node and npm (Node.js 20 or later). Works from any directory.
set -euo pipefail
port="${1:?usage: run.sh PORT}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dir="${GAUNTLET_MCP_SDK_SERVER_DIR:-$root/target/mcp-sdk-server-node}"

# shellcheck source=../lib/npm.sh
source "$here/../lib/npm.sh"
ensure_npm "$dir" "$here" "the MCP TypeScript SDK (Node.js 20+)"

# server.mjs is run from the install directory, where `import '@modelcontextprotocol/sdk/…'`
# resolves; copied under a temporary name and renamed, so that a server starting beside this one
# reads it whole.
cp "$here/server.mjs" "$dir/server.mjs.$$"
mv -f "$dir/server.mjs.$$" "$dir/server.mjs"
cd "$dir"
# exec: the server is the process Gauntlet stops.
exec node server.mjs "$port"
