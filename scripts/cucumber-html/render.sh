#!/usr/bin/env bash
# Cucumber's standalone HTML report from Gauntlet's Cucumber Messages:
#   scripts/cucumber-html/render.sh < reports/messages.ndjson > reports/cucumber.html
# Installs the formatter on first use (install.sh), then runs render.mjs, which checks the
# stream (schema and references) before rendering it; exits non-zero if the stream is not valid.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="$("$here/install.sh")"
exec node "$here/render.mjs" "$dir"
