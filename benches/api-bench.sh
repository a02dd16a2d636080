#!/usr/bin/env bash
# Throughput and tail latency of `frontline serve` for the map's typical
# request (bbox + one-day datetime, ~100 features), with wrk, on N synthetic
# events; then the same requests against pygeoapi (Parquet provider, gunicorn
# with 2 workers) on the same events, for the ratio.
#
#   benches/api-bench.sh                 # 1,000,000 events, 30 s per run
#   EVENTS=100000 DURATION=10s benches/api-bench.sh
#   SKIP_PYGEOAPI=1 benches/api-bench.sh
#   SKIP_BUILD=1 ...                     # use the release binaries as they are
#
# Needs wrk (apt-get install wrk). pygeoapi and its Parquet stack are
# installed into target/pygeoapi-env on first use (PyPI). Results go to
# target/bench-api/ and a summary is printed at the end.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
EVENTS="${EVENTS:-1000000}"
DURATION="${DURATION:-30s}"
CONNECTIONS="${CONNECTIONS:-16}"
THREADS="${THREADS:-2}"
out="$root/target/bench-api"
mkdir -p "$out"

command -v wrk >/dev/null || { echo "api-bench: wrk missing (apt-get install wrk)" >&2; exit 2; }

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    echo "==> building (release)" >&2
    cargo build --release --quiet --bin frontline --example gen_events
fi
bin="$root/target/release/frontline"

db="$out/events-$EVENTS.db"
if [[ ! -s "$db" ]]; then
    echo "==> generating $EVENTS synthetic events into $db" >&2
    rm -f "$db" "$db-wal" "$db-shm"
    "$root/target/release/examples/gen_events" --db "$db" --events "$EVENTS"
fi

pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

start_frontline() { # cache_mb -> sets $base and $spid
    rm -f "$out/serve.out"
    "$bin" serve --db "$db" --bind 127.0.0.1:0 --no-default-gazetteer --feature-cache-mb "$1" \
        >"$out/serve.out" 2>"$out/serve.err" &
    spid=$!
    pids+=("$spid")
    base=""
    for _ in $(seq 1 900); do
        if [[ -s "$out/serve.out" ]]; then base="$(head -n1 "$out/serve.out" | sed 's/^listening on //')"; break; fi
        sleep 0.2
    done
    [[ -n "$base" ]] || { echo "api-bench: server did not start" >&2; cat "$out/serve.err" >&2; exit 1; }
    echo "    frontline at $base (feature cache $1 MiB)" >&2
}
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }

echo "==> starting frontline serve" >&2
start_frontline 64
# Pick the box whose one-day answers average closest to 100 features, and
# write wrk scripts that rotate over 365 different days.
python3 - "$base" "$out" <<'EOF'
import json, sys, urllib.request, datetime as dt
base, out = sys.argv[1], sys.argv[2]
coll = json.load(urllib.request.urlopen(f"{base}/collections/events"))
start = dt.date.fromisoformat(coll["extent"]["temporal"]["interval"][0][0][:10])
end = dt.date.fromisoformat(coll["extent"]["temporal"]["interval"][0][1][:10])
span = (end - start).days
days = [start + dt.timedelta(days=(i * span) // 365) for i in range(365)]
sample = days[::12]
best = None
for w in (2.0, 3.0, 4.0, 5.0, 6.0, 7.0):
    for h in (2.0, 2.5, 3.0, 4.0):
        box = f"30.0,46.0,{30.0 + w},{46.0 + h}"
        n = [json.load(urllib.request.urlopen(
            f"{base}/collections/events/items?limit=1&bbox={box}&datetime={d}"))["numberMatched"] for d in sample]
        mean = sum(n) / len(n)
        if best is None or abs(mean - 100) < abs(best[1] - 100):
            best = (box, mean)
box, mean = best
with open(f"{out}/params.json", "w") as f:
    json.dump({"bbox": box, "mean_matched": mean, "days": [d.isoformat() for d in days]}, f)
def lua(paths, name):
    with open(f"{out}/{name}", "w") as f:
        f.write("local paths = {\n")
        for p in paths:
            f.write(f'  "{p}",\n')
        f.write("}\nlocal i = 0\n")
        f.write("request = function()\n  i = (i % #paths) + 1\n  return wrk.format(\"GET\", paths[i])\nend\n")
lua([f"/collections/events/items?bbox={box}&datetime={d}&limit=100" for d in days], "frontline.lua")
lua([f"/collections/events/items?bbox={box}&datetime={d}T00:00:00Z&limit=100&f=json" for d in days], "pygeoapi.lua")
print(f"    bbox {box}: {mean:.1f} features per one-day request on average", file=sys.stderr)
EOF

run_wrk() { # name url script
    echo "==> wrk $1: -t$THREADS -c$CONNECTIONS -d$DURATION" >&2
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$out/$3" "$2" | tee "$out/wrk-$1.txt" >&2
}
# Server CPU per request (machine-load independent): ticks over the run.
measure_frontline() { # name
    wrk -t1 -c4 -d3s -s "$out/frontline.lua" "$base" >/dev/null  # warm-up
    local t0 t1
    t0="$(cpu_ticks "$spid")"
    run_wrk "$1" "$base" frontline.lua
    t1="$(cpu_ticks "$spid")"
    echo "$((t1 - t0)) $(getconf CLK_TCK)" >"$out/cpu-$1.txt"
}
uptime >"$out/load-before.txt"
measure_frontline frontline
kill -TERM "$spid"; wait "$spid" 2>/dev/null || true
start_frontline 0
measure_frontline frontline-nocache
# (this server stays up: the pygeoapi export and sample below read from it)

if [[ "${SKIP_PYGEOAPI:-0}" != 1 ]]; then
    venv="$root/target/pygeoapi-env"
    if ! "$venv/bin/python" -c 'import pygeoapi, pyarrow, geopandas, s3fs, gunicorn' >/dev/null 2>&1; then
        echo "==> installing pygeoapi into $venv" >&2
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q --disable-pip-version-check pygeoapi pyarrow geopandas s3fs gunicorn
    fi
    parquet="$out/events-$EVENTS.parquet"
    if [[ ! -s "$parquet" ]]; then
        echo "==> exporting the same events to GeoParquet for pygeoapi" >&2
        "$venv/bin/python" - "$base" "$parquet" <<'EOF'
import json, sys, urllib.request
import geopandas as gpd, pandas as pd
from shapely.geometry import Point
base, path = sys.argv[1], sys.argv[2]
rows = []
url = f"{base}/collections/events/items?limit=10000"
while url:
    page = json.load(urllib.request.urlopen(url))
    for f in page["features"]:
        p = f["properties"]
        lon, lat = f["geometry"]["coordinates"]
        rows.append({"id": f["id"], "event_type": p["event_type"], "actor": p["actor"],
                     "frontline": p["frontline"], "place_name": p["place_name"],
                     "country_code": p["country_code"], "admin1": p["admin1"],
                     "precision": p["precision"], "date_start": pd.Timestamp(p["date_start"], tz="UTC"),
                     "date_end": p["date_end"], "confidence": p["confidence"],
                     "n_reports": p["n_reports"], "evidence": p["evidence"],
                     "lon": lon, "lat": lat, "geometry": Point(lon, lat)})
    url = next((l["href"] for l in page["links"] if l["rel"] == "next"), None)
gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="OGC:CRS84")
gdf = gdf.sort_values("date_start")
gdf.to_parquet(path, row_group_size=50000)
print(f"    {len(gdf)} events written to {path}", file=sys.stderr)
EOF
    fi
    cat >"$out/pygeoapi.yml" <<EOF
server:
  bind: {host: 127.0.0.1, port: 5117}
  url: http://127.0.0.1:5117
  mimetype: application/json; charset=UTF-8
  encoding: utf-8
  language: en-US
  limits: {default_items: 100, max_items: 10000}
  map: {url: "https://tile.openstreetmap.org/{z}/{x}/{y}.png", attribution: OSM}
logging: {level: ERROR}
metadata:
  identification: {title: bench, description: bench, keywords: [bench], keywords_type: theme, terms_of_service: none, url: http://127.0.0.1}
  license: {name: CC-BY 4.0, url: https://creativecommons.org/licenses/by/4.0/}
  provider: {name: bench, url: http://127.0.0.1}
  contact: {name: bench}
resources:
  events:
    type: collection
    title: events
    description: synthetic events
    keywords: [events]
    extents:
      spatial: {bbox: [-180, -90, 180, 90], crs: http://www.opengis.net/def/crs/OGC/1.3/CRS84}
    providers:
      - type: feature
        name: Parquet
        data: {source: $parquet}
        id_field: id
        time_field: date_start
        x_field: lon
        y_field: lat
EOF
    export PYGEOAPI_CONFIG="$out/pygeoapi.yml" PYGEOAPI_OPENAPI="$out/pygeoapi-openapi.yml"
    "$venv/bin/pygeoapi" openapi generate "$PYGEOAPI_CONFIG" --output-file "$PYGEOAPI_OPENAPI" >/dev/null 2>&1
    echo "==> starting pygeoapi (gunicorn, 2 workers)" >&2
    "$venv/bin/gunicorn" -w 2 -b 127.0.0.1:5117 --log-level error pygeoapi.flask_app:APP >"$out/pygeoapi.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 300); do
        curl -sf "http://127.0.0.1:5117/collections/events" >/dev/null 2>&1 && break
        sleep 0.5
    done
    first="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["days"][100])' "$out/params.json")"
    bbox="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bbox"])' "$out/params.json")"
    echo "    sample: frontline $(curl -s "$base/collections/events/items?bbox=$bbox&datetime=$first&limit=100" | python3 -c 'import json,sys; print(json.load(sys.stdin)["numberReturned"])') features," \
         "pygeoapi $(curl -s "http://127.0.0.1:5117/collections/events/items?bbox=$bbox&datetime=${first}T00:00:00Z&limit=100&f=json" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["features"]))') features" >&2
    wrk -t1 -c2 -d3s -s "$out/pygeoapi.lua" "http://127.0.0.1:5117" >/dev/null
    run_wrk pygeoapi "http://127.0.0.1:5117" pygeoapi.lua
fi

python3 - "$out" "$EVENTS" <<'EOF'
import json, os, re, sys
out, n = sys.argv[1], int(sys.argv[2])
def parse(name):
    path = f"{out}/wrk-{name}.txt"
    if not os.path.exists(path):
        return None
    t = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", t)
    p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    m = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", t)
    p50 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    errs = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
    return rps, p50, p99, int(errs.group(1)) if errs else 0
p = json.load(open(f"{out}/params.json"))
print(f"\n{n} events, bbox {p['bbox']} + one-day datetime (mean {p['mean_matched']:.1f} matched), limit=100")
def cpu(name, nreq):
    t, hz = open(f"{out}/cpu-{name}.txt").read().split()
    return int(t) / int(hz) / nreq * 1e6
def nreq(name):
    return int(re.search(r"(\d+) requests in", open(f"{out}/wrk-{name}.txt").read()).group(1))
print("machine load before:", open(f"{out}/load-before.txt").read().strip())
for name, label in (("frontline", "frontline (feature cache 64 MiB)"), ("frontline-nocache", "frontline (no feature cache)")):
    r = parse(name)
    print(f"{label}: {r[0]:.0f} req/s, p50 {r[1]:.2f} ms, p99 {r[2]:.2f} ms, non-2xx {r[3]}, server CPU {cpu(name, nreq(name)):.0f} us/request")
f = parse("frontline")
g = parse("pygeoapi")
if g:
    print(f"pygeoapi:  {g[0]:.1f} req/s, p50 {g[1]:.1f} ms, p99 {g[2]:.1f} ms, non-2xx {g[3]}")
    print(f"ratio: {f[0] / g[0]:.0f}x throughput (without the feature cache: {parse('frontline-nocache')[0] / g[0]:.0f}x)")
EOF
