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
python="${PYTHON:-python3}"
export PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1

install() {
  if [ ! -x "$venv/bin/python" ] || ! cmp -s "$here/requirements.txt" "$venv/requirements.txt"; then
    echo "installing Authlib into $venv" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
    # Written last: a venv without it (an install cut short) is made again next time.
    cp "$here/requirements.txt" "$venv/requirements.txt"
  fi
}
mkdir -p "$(dirname "$venv")"
if command -v flock >/dev/null; then
  # Two chatbots starting at once (two test runs) install one after the other, not over each other.
  exec 9>"$venv.lock"
  flock 9
  install
  flock -u 9
  exec 9>&-
else
  install
fi

export CHATBOT_LISTEN="127.0.0.1:$port"
# exec: the chatbot is the process Gauntlet stops.
exec "$venv/bin/python" "$here/app.py"
