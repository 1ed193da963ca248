#!/usr/bin/env bash
# Starts django-oauth-toolkit on 127.0.0.1:PORT with Gauntlet's user and clients, installing
# Django and DOT into a venv on first use (target/django-provider-venv, or $GAUNTLET_DJANGO_VENV).
# The database (target/django-provider-state-PORT) is fresh on every start. Serves until killed.
set -euo pipefail
port="${1:?usage: run.sh PORT}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${GAUNTLET_DJANGO_VENV:-$root/target/django-provider-venv}"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ] || ! cmp -s "$here/requirements.txt" "$venv/requirements.txt"; then
  echo "installing Django and django-oauth-toolkit into $venv" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
  cp "$here/requirements.txt" "$venv/requirements.txt"
fi

state="$root/target/django-provider-state-$port"
rm -rf "$state" && mkdir -p "$state"
export GAUNTLET_DJANGO_STATE="$state"
cd "$here"
"$venv/bin/python" manage.py migrate --verbosity 0
"$venv/bin/python" manage.py gauntlet_setup
# exec: the server is the process Gauntlet stops.
exec "$venv/bin/python" manage.py runserver "127.0.0.1:$port" --noreload
