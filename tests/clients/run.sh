#!/usr/bin/env bash
# Black-box tests of `frontline serve` with real GIS clients: GDAL (ogrinfo,
# ogr2ogr; Debian gdal-bin), OWSLib and geojson-validator (PyPI).
#
#   tests/clients/run.sh [PATH_TO_FRONTLINE_BINARY]
#
# Installs what is missing (gdal-bin via apt-get when root; a venv at
# target/pyenv with owslib and geojson-validator), starts the server with
# --demo on a free port, runs tests/clients/test_clients.py against it and
# stops the server. Exit status: that of the tests.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${1:-$root/target/release/frontline}"
if [[ ! -x "$bin" ]]; then
    echo "run.sh: frontline binary not found at $bin (build it or pass its path)" >&2
    exit 2
fi

if ! command -v ogrinfo >/dev/null 2>&1; then
    if [[ "$(id -u)" == 0 ]]; then
        echo "run.sh: installing gdal-bin" >&2
        apt-get install -y -q gdal-bin >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q gdal-bin >/dev/null; }
    else
        echo "run.sh: ogrinfo missing and not root: install gdal-bin" >&2
        exit 2
    fi
fi

venv="$root/target/pyenv"
if ! "$venv/bin/python" -c 'import owslib, geojson_validator' >/dev/null 2>&1; then
    echo "run.sh: preparing $venv (owslib, geojson-validator)" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check owslib geojson-validator
fi

workdir="$(mktemp -d)"
out="$workdir/server.out"
err="$workdir/server.err"
"$bin" serve --demo --bind 127.0.0.1:0 >"$out" 2>"$err" &
pid=$!
cleanup() {
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -rf "$workdir"
}
trap cleanup EXIT

base=""
for _ in $(seq 1 600); do
    if [[ -s "$out" ]]; then
        line="$(head -n 1 "$out")"
        base="${line#listening on }"
        break
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "run.sh: server exited early:" >&2
        cat "$err" >&2
        exit 1
    fi
    sleep 0.2
done
if [[ -z "$base" ]]; then
    echo "run.sh: server did not report its address" >&2
    cat "$err" >&2
    exit 1
fi
echo "run.sh: server at $base (pid $pid)" >&2
"$venv/bin/python" "$here/test_clients.py" "$base"
