#!/usr/bin/env bash
# Opens Ferry's HTML pages (report.html of a dry run or an import's
# validation pass, an event's event.html) in headless Chromium and fails
# unless each rendered: root element (#dry-run-report, #event-report or
# #reconcile-report) present with content, no script
# error, rows in its tables. Saves a PNG screenshot beside each page and
# prints the time each took to load.
#
#   tests/browser/check_pages.sh reports/report.html [reports/event.html …]
#
# Installs what it needs when absent: Debian's chromium (apt-get, as root)
# and playwright-core from npm into tests/browser/.deps (not committed).
# Exit: 0 all rendered, 1 some page did not, 2 usage or setup failed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
(($# > 0)) || { echo "usage: $0 PAGE.html…" >&2; exit 2; }
for p in "$@"; do
    [[ -f $p ]] || { echo "check_pages: no such page: $p" >&2; exit 2; }
done

chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [[ -z $chromium ]]; then
    echo "check_pages: installing chromium (Debian package)" >&2
    if [[ $(id -u) != 0 ]]; then echo "check_pages: chromium is missing; install it as root" >&2; exit 2; fi
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2 \
        || { echo "check_pages: cannot install chromium" >&2; exit 2; }
    chromium=$(command -v chromium)
fi
command -v node >/dev/null && command -v npm >/dev/null || {
    echo "check_pages: installing nodejs and npm (Debian packages)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >&2 \
        || { echo "check_pages: cannot install node" >&2; exit 2; }
}
deps=$here/.deps
if [[ ! -d $deps/node_modules/playwright-core ]]; then
    echo "check_pages: installing playwright-core into $deps" >&2
    mkdir -p "$deps"
    npm install --prefix "$deps" --no-audit --no-fund --silent playwright-core@1 >&2 \
        || { echo "check_pages: cannot install playwright-core" >&2; exit 2; }
fi
# playwright-core must not fetch a browser of its own: the system's is used.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export CHROMIUM=$chromium
export NODE_PATH=$deps/node_modules
ln -sfn "$deps/node_modules" "$here/node_modules"
exec node "$here/check_pages.mjs" "$@"
