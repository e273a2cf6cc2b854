#!/usr/bin/env bash
# Refresh the vendored front-end files from the npm registry (no CDN at run time).
# Usage: scripts/vendor_static.sh   — then commit guanhuai/static/vendor.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=guanhuai/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fetch() {  # package@version file-in-package target-name
  (cd "$work" && npm pack --silent "$1" >/dev/null)
  tarball=$(ls "$work"/*.tgz)
  tar -xzf "$tarball" -C "$work"
  cp "$work/package/$2" "$dest/$3"
  rm -rf "$work/package" "$tarball"
}
mkdir -p "$dest"
fetch bootstrap@5.3.9 dist/css/bootstrap.min.css bootstrap.min.css
fetch bootstrap@5.3.9 dist/js/bootstrap.bundle.min.js bootstrap.bundle.min.js
fetch htmx.org@2.0.11 dist/htmx.min.js htmx.min.js
fetch echarts@5.6.0 dist/echarts.min.js echarts.min.js
echo "vendored into $dest:"; ls -l "$dest"
