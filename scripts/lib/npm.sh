# Sourced by the scripts of the Node.js test components: `ensure_npm DIR PACKAGE_DIR WHAT` makes
# DIR hold exactly the packages of PACKAGE_DIR's package.json and package-lock.json (npm ci),
# again whenever either changes, one installer at a time (flock), and reports "installing WHAT
# into DIR" on stderr when it does. Exits 127 when node or npm is missing.

ensure_npm() {
  local dir="$1" packages="$2" what="$3"
  local tool
  for tool in node npm; do
    if ! command -v "$tool" >/dev/null; then
      echo "$tool is not installed; $what needs Node.js with npm" >&2
      exit 127
    fi
  done
  mkdir -p "$(dirname "$dir")"
  if command -v flock >/dev/null; then
    # Two test runs at once install one after the other, not over each other.
    exec 9>"$dir.lock"
    flock 9
  fi
  if ! [ -f "$dir/installed.lock.json" ] ||
    ! cmp -s "$packages/package.json" "$dir/package.json" ||
    ! cmp -s "$packages/package-lock.json" "$dir/installed.lock.json"; then
    echo "installing $what into $dir" >&2
    rm -rf "$dir"
    mkdir -p "$dir"
    cp "$packages/package.json" "$packages/package-lock.json" "$dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
    # Written last: an install cut short is made again next time.
    cp "$packages/package-lock.json" "$dir/installed.lock.json"
  fi
  if command -v flock >/dev/null; then
    flock -u 9
    exec 9>&-
  fi
}
