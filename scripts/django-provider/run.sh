#!/usr/bin/env bash
# Starts django-oauth-toolkit on 127.0.0.1:PORT with Gauntlet's user and clients, installing
# Django and DOT into a venv on first use (target/django-provider-venv, or $GAUNTLET_DJANGO_VENV).
# The database (target/django-provider-state-PORT) is fresh on every start. Serves until killed.
# With --tls it serves https:// instead (gunicorn), with a certificate for 127.0.0.1 and
# localhost from a throwaway CA whose PEM is target/django-provider-state-PORT/ca.pem, written
# before the server listens.
# Works from any directory: every path comes from this script's own location.
set -euo pipefail
usage="usage: run.sh PORT [--tls]"
port="${1:?$usage}"
tls=false
case "${2:-}" in
  "") ;;
  --tls) tls=true ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${GAUNTLET_DJANGO_VENV:-$root/target/django-provider-venv}"
export PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
# shellcheck source=../lib/venv.sh
source "$here/../lib/venv.sh"
ensure_venv "$venv" "$here/requirements.txt" "Django and django-oauth-toolkit"

state="$root/target/django-provider-state-$port"
# Gauntlet picks a fresh port for each launch: states of servers gone for a day are cleared.
find "$root/target" -maxdepth 1 -name 'django-provider-state-*' -mmin +1440 -exec rm -rf {} + || true
rm -rf "$state" && mkdir -p "$state"
export GAUNTLET_DJANGO_STATE="$state"
cd "$here"
"$venv/bin/python" manage.py migrate --verbosity 0
"$venv/bin/python" manage.py gauntlet_setup
if $tls; then
  "$venv/bin/python" make_certs.py "$state"
  # exec: gunicorn's arbiter is the process Gauntlet stops; its one worker (8 threads, as the
  # suite runs scenarios side by side) sees its parent gone and exits within a second. Served
  # over TLS, Django sees every request as secure (wsgi.url_scheme https), so DOT's issuer and
  # metadata URLs are https://. No control socket: by default it is one file in $HOME for all.
  exec "$venv/bin/gunicorn" --bind "127.0.0.1:$port" \
    --certfile "$state/server.pem" --keyfile "$state/server.key" \
    --workers 1 --threads 8 --no-control-socket --worker-tmp-dir "$state" \
    gauntlet_dot.wsgi:application
fi
# exec: the server is the process Gauntlet stops; --noreload: no autoreloader child process.
exec "$venv/bin/python" manage.py runserver "127.0.0.1:$port" --noreload
