# Sourced by the run.sh of the Python test components: `ensure_venv VENV REQUIREMENTS WHAT`
# makes VENV a venv with exactly REQUIREMENTS installed (again whenever they change), one
# installer at a time (flock), and reports "installing WHAT into VENV" on stderr when it does.
# PYTHON names the interpreter (default python3).

ensure_venv() {
  local venv="$1" requirements="$2" what="$3"
  local python="${PYTHON:-python3}"
  mkdir -p "$(dirname "$venv")"
  if command -v flock >/dev/null; then
    # Two components starting at once (two test runs) install one after the other.
    exec 9>"$venv.lock"
    flock 9
  fi
  if [ ! -x "$venv/bin/python" ] || ! cmp -s "$requirements" "$venv/requirements.txt"; then
    echo "installing $what into $venv" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
    # Written last: a venv without it (an install cut short) is made again next time.
    cp "$requirements" "$venv/requirements.txt"
  fi
  if command -v flock >/dev/null; then
    flock -u 9
    exec 9>&-
  fi
}
