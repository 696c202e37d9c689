#!/usr/bin/env bash
# vendor-assets.sh: refresh the vendored front-end files.
#
# The platform serves Bootstrap and Leaflet from its own static folder (no CDN): the
# CSP allows only 'self' and machines may be offline. axe-core is used only by the
# browser accessibility tests. The copied files are committed; this script is the
# one way to refresh them. Change a version by editing the pins below, run the
# script, look at `git diff --stat`, and commit the result.
#
# Usage:   scripts/vendor-assets.sh        (from any directory; needs node + npm)
#
# What it writes (every earlier copy is replaced):
#   planner_platform/static/vendor/bootstrap/  bootstrap.min.css, bootstrap.bundle.min.js (Popper is
#                                              inside the bundle), LICENSE, LICENSE-popper
#   planner_platform/static/vendor/leaflet/    leaflet.js, leaflet.css, images/*.png, LICENSE
#   planner_platform/static/vendor/echarts/    echarts.min.js (the dashboards' charts, SVG renderer), LICENSE, NOTICE
#   planner_platform/static/vendor/VERSIONS.txt  one package@version per line
#   tests/browser/vendor/                      axe.min.js, axe-core.LICENSE, axe-core.LICENSE-3RD-PARTY.txt
#
# The npm packages are installed into a temporary directory with --no-save, so no
# package.json, lock file or node_modules/ is left in the repository. Install scripts are
# not run (--ignore-scripts). "sourceMappingURL" comments are removed when the .map file
# is not vendored, so browsers and dev tools don't request a file that would 404.
set -euo pipefail

# Exact pins. Check for newer releases with e.g. `npm view bootstrap@5.3 version`.
BOOTSTRAP_VERSION=5.3.9
LEAFLET_VERSION=1.9.4
AXE_CORE_VERSION=4.14.1
ECHARTS_VERSION=6.1.0

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
static_vendor="$repo_root/planner_platform/static/vendor"
test_vendor="$repo_root/tests/browser/vendor"

command -v npm >/dev/null || { echo "vendor-assets: npm is not installed" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "vendor-assets: installing bootstrap@$BOOTSTRAP_VERSION leaflet@$LEAFLET_VERSION axe-core@$AXE_CORE_VERSION" \
  "echarts@$ECHARTS_VERSION"
npm install --no-save --ignore-scripts --no-audit --no-fund --loglevel=error --prefix "$tmp" \
  "bootstrap@$BOOTSTRAP_VERSION" "axe-core@$AXE_CORE_VERSION" "leaflet@$LEAFLET_VERSION" \
  "echarts@$ECHARTS_VERSION"
nm="$tmp/node_modules"

# Fail if npm resolved anything other than the exact pin.
installed_version() { node -p "require(process.argv[1]).version" "$nm/$1/package.json"; }
check_version() {
  local got
  got=$(installed_version "$1")
  if [ "$got" != "$2" ]; then
    echo "vendor-assets: expected $1@$2 but npm installed $got" >&2
    exit 1
  fi
}
check_version bootstrap "$BOOTSTRAP_VERSION"
check_version leaflet "$LEAFLET_VERSION"
check_version axe-core "$AXE_CORE_VERSION"
check_version echarts "$ECHARTS_VERSION"

# Remove "//# sourceMappingURL=x.map" and "/*# sourceMappingURL=x.map */" lines whose map
# file is not next to the vendored copy.
strip_missing_sourcemaps() {
  local file=$1 dir map maps
  dir=$(dirname "$file")
  maps=$(grep -oE '^(//|/\*)# sourceMappingURL=[^ *]+' "$file" | sed -E 's/^.*sourceMappingURL=//' || true)
  for map in $maps; do
    if [ ! -e "$dir/$map" ]; then
      sed -i -E "\\@^(//|/\\*)# sourceMappingURL=${map//./\\.}( \\*/)?\$@d" "$file"
    fi
  done
  if grep -q 'sourceMappingURL=' "$file"; then
    echo "vendor-assets: warning: $file still mentions sourceMappingURL" >&2
  fi
}

# Bootstrap (the Popper licence goes along because Popper is compiled into the bundle).
rm -rf "$static_vendor/bootstrap"
mkdir -p "$static_vendor/bootstrap"
cp "$nm/bootstrap/dist/css/bootstrap.min.css" \
   "$nm/bootstrap/dist/js/bootstrap.bundle.min.js" \
   "$nm/bootstrap/LICENSE" "$static_vendor/bootstrap/"
cp "$nm/@popperjs/core/LICENSE.md" "$static_vendor/bootstrap/LICENSE-popper"

# Leaflet (images/ must sit next to leaflet.css, which refers to images/*.png).
rm -rf "$static_vendor/leaflet"
mkdir -p "$static_vendor/leaflet"
cp "$nm/leaflet/dist/leaflet.js" "$nm/leaflet/dist/leaflet.css" "$nm/leaflet/LICENSE" "$static_vendor/leaflet/"
cp -R "$nm/leaflet/dist/images" "$static_vendor/leaflet/images"

# ECharts (the full build: bar, line and pie with the SVG renderer are all the dashboards use).
rm -rf "$static_vendor/echarts"
mkdir -p "$static_vendor/echarts"
cp "$nm/echarts/dist/echarts.min.js" "$nm/echarts/LICENSE" "$nm/echarts/NOTICE" "$static_vendor/echarts/"

# axe-core: test-only, never served by the app.
mkdir -p "$test_vendor"
rm -f "$test_vendor/axe.min.js" "$test_vendor/axe-core.LICENSE" "$test_vendor/axe-core.LICENSE-3RD-PARTY.txt"
cp "$nm/axe-core/axe.min.js" "$test_vendor/axe.min.js"
cp "$nm/axe-core/LICENSE" "$test_vendor/axe-core.LICENSE"
cp "$nm/axe-core/LICENSE-3RD-PARTY.txt" "$test_vendor/axe-core.LICENSE-3RD-PARTY.txt"

for f in "$static_vendor/bootstrap/bootstrap.min.css" "$static_vendor/bootstrap/bootstrap.bundle.min.js" \
         "$static_vendor/leaflet/leaflet.js" "$static_vendor/leaflet/leaflet.css" "$test_vendor/axe.min.js" \
         "$static_vendor/echarts/echarts.min.js"; do
  strip_missing_sourcemaps "$f"
done

printf '%s\n' "bootstrap@$BOOTSTRAP_VERSION" "leaflet@$LEAFLET_VERSION" "axe-core@$AXE_CORE_VERSION" "echarts@$ECHARTS_VERSION" \
  > "$static_vendor/VERSIONS.txt"

echo "vendor-assets: done"
(cd "$repo_root" && find planner_platform/static/vendor tests/browser/vendor -type f | sort | xargs ls -l)
