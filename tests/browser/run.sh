#!/usr/bin/env bash
# Browser tests of the web map: playwright-core driving Debian's chromium
# against `BINARY serve --demo --bind 127.0.0.1:0` (started by the tests).
#
#   tests/browser/run.sh target/debug/frontline
#
# Installs what is missing: npm packages of this folder (npm ci, pinned by
# package-lock.json) and Debian's chromium (apt-get; never `npx playwright
# install`). Screenshots and measurements go to test-output/browser/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:?usage: tests/browser/run.sh BINARY}"
case "$bin" in /*) ;; *) bin="$(pwd)/$bin" ;; esac
if [ ! -x "$bin" ]; then
  echo "tests/browser/run.sh: $bin is not an executable (build it first: cargo build)" >&2
  exit 2
fi

export CHROMIUM_BIN="${CHROMIUM_BIN:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM_BIN" ]; then
  echo "installing Debian's chromium (apt-get install -y chromium)" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y --no-install-recommends chromium || { $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends chromium; }
fi

cd "$here"
if [ ! -d node_modules/playwright-core ]; then
  npm ci --no-audit --no-fund --ignore-scripts
fi

export FRONTLINE_BIN="$bin"
exec node --test --test-concurrency=1 map.test.mjs
