#!/usr/bin/env bash
# Starts the Authlib chatbot (app.py) on 127.0.0.1:PORT (0: a free port; it prints its base URL
# on stdout), installing Authlib into a venv on first use (target/authlib-chatbot-venv, or
# $GAUNTLET_AUTHLIB_VENV). Configured through the environment (README.md). Serves until killed.
# Works from any directory: every path comes from this script's own location.
set -euo pipefail
port="${1:?usage: run.sh PORT}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${GAUNTLET_AUTHLIB_VENV:-$root/target/authlib-chatbot-venv}"
export PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
# shellcheck source=../lib/venv.sh
source "$here/../lib/venv.sh"
ensure_venv "$venv" "$here/requirements.txt" "Authlib"

export CHATBOT_LISTEN="127.0.0.1:$port"
# exec: the chatbot is the process Gauntlet stops.
exec "$venv/bin/python" "$here/app.py"
