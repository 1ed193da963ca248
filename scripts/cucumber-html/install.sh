#!/usr/bin/env bash
# Installs Cucumber's HTML formatter and what render.mjs checks the messages with, at the exact
# versions of package-lock.json, into target/cucumber-html-formatter (or $GAUNTLET_HTML_FORMATTER_DIR)
# on first use; again only when package.json or package-lock.json changed. Prints the directory.
# Needs node and npm (Node.js 20 or later). Works from any directory.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dir="${GAUNTLET_HTML_FORMATTER_DIR:-$root/target/cucumber-html-formatter}"

# shellcheck source=../lib/npm.sh
source "$here/../lib/npm.sh"
ensure_npm "$dir" "$here" "@cucumber/html-formatter (Node.js 20+)"
echo "$dir"
