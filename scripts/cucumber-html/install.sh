#!/usr/bin/env bash
# Installs Cucumber's HTML formatter and what render.mjs checks the messages with, at the exact
# versions of package-lock.json, into target/cucumber-html-formatter (or $GAUNTLET_HTML_FORMATTER_DIR)
# on first use; again only when package.json or package-lock.json changed. Prints the directory.
# Needs node and npm (Node.js 20 or later). Works from any directory.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dir="${GAUNTLET_HTML_FORMATTER_DIR:-$root/target/cucumber-html-formatter}"

for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "install.sh: $tool is not installed; the Cucumber HTML formatter needs Node.js 20+ with npm" >&2
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
    echo "installing @cucumber/html-formatter into $dir" >&2
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
  # Two test runs at once install one after the other, not over each other.
  exec 9>"$dir.lock"
  flock 9
  install
  flock -u 9
  exec 9>&-
else
  install
fi
echo "$dir"
