#!/usr/bin/env python3
"""Black-box checks of a running `frontline serve --demo` with real clients.

    test_clients.py BASE_URL

GDAL's OAPIF driver (ogrinfo, ogr2ogr), OWSLib's Features client, and
geojson-validator on every GeoJSON answer. Expected numbers come from the
server's own numberMatched for the same selection, so the checks hold for any
dataset; the demo dataset only has to be non-empty.

Prints one line per check and ends with "clients: N passed, M failed".
"""

import copy
import json
import os
import re
import subprocess
import sys
import tempfile
import traceback
import urllib.parse
import urllib.request

os.environ.setdefault("LOGURU_LEVEL", "WARNING")  # quiet the validator
import geojson_validator  # noqa: E402
from owslib.ogcapi.features import Features  # noqa: E402

BASE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8080"
OAPIF = f"OAPIF:{BASE}/"
RESULTS = {"passed": 0, "failed": 0}


def check(name):
    def wrap(fn):
        try:
            fn()
        except Exception:  # noqa: BLE001 - report every failure and go on
            RESULTS["failed"] += 1
            print(f"FAIL {name}")
            traceback.print_exc(file=sys.stdout)
        else:
            RESULTS["passed"] += 1
            print(f"ok   {name}")
        return fn

    return wrap


def get(path, **params):
    url = f"{BASE}{path}"
    if params:
        url += "?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=60) as r:
        return r.headers.get("Content-Type"), json.loads(r.read())


def matched(**params):
    _, v = get("/collections/events/items", limit=1, **params)
    return v["numberMatched"]


def gdal(*args, env_extra=None):
    env = dict(os.environ)
    env.update(env_extra or {})
    p = subprocess.run(args, capture_output=True, text=True, timeout=600, env=env)
    if p.returncode != 0:
        raise AssertionError(f"{args} exited {p.returncode}: {p.stderr[-2000:]}")
    return p


def feature_count_listed(text):
    m = re.search(r"Feature Count: (\d+)", text)
    assert m, text[-2000:]
    return int(m.group(1))


def features_printed(text):
    return len(re.findall(r"^OGRFeature\(events\):", text, flags=re.M))


def assert_valid_geojson(v, what):
    # geojson-validator rewrites the coordinates of the object it is given
    # (a Point's [x, y] becomes [[[x, y]]]): hand it a copy.
    v = copy.deepcopy(v)
    structure = geojson_validator.validate_structure(v, check_crs=True)
    assert structure == {}, f"{what}: structure problems {structure}"
    geoms = geojson_validator.validate_geometries(v)
    assert geoms["invalid"] == {}, f"{what}: invalid geometries {geoms['invalid']}"
    assert geoms["problematic"] == {}, f"{what}: problematic geometries {geoms['problematic']}"


TOTAL = matched()
EXTENT = get("/collections/events")[1]["extent"]
DAYS = EXTENT["temporal"]["interval"][0]
FIRST_DAY = DAYS[0][:10]
print(f"server {BASE}: {TOTAL} events from {FIRST_DAY} to {DAYS[1][:10]}")
assert TOTAL > 0, "the demo dataset is empty"

# A box over eastern Ukraine and the first month of the dataset.
BBOX = (34.0, 46.0, 40.5, 51.0)
BBOX_S = ",".join(map(str, BBOX))
MONTH = f"{FIRST_DAY}/{FIRST_DAY[:8]}28"


@check("ogrinfo lists the collections and the exact feature count")
def _():
    p = gdal("ogrinfo", "-ro", "-so", OAPIF)
    assert re.search(r"^\d+: events", p.stdout, flags=re.M), p.stdout
    assert re.search(r"^\d+: places", p.stdout, flags=re.M), p.stdout
    p = gdal("ogrinfo", "-ro", "-so", OAPIF, "events")
    assert feature_count_listed(p.stdout) == TOTAL, p.stdout
    for field in ("event_type", "date_start", "actor", "place_name"):
        assert re.search(rf"^{field}: ", p.stdout, flags=re.M), f"field {field} missing:\n{p.stdout}"


@check("ogrinfo -spat (bbox pushed to the server) matches numberMatched")
def _():
    want = matched(bbox=BBOX_S)
    assert 0 < want < TOTAL, f"bbox selects {want} of {TOTAL}: pick another box"
    p = gdal("ogrinfo", "-ro", "-al", "-q", "-spat", *map(str, BBOX), OAPIF, "events",
             env_extra={"CPL_DEBUG": "ON"})
    assert features_printed(p.stdout) == want
    assert "bbox=" in p.stderr, "GDAL did not send bbox to the server"


@check("ogrinfo -where on a queryable is pushed down and matches")
def _():
    want = matched(event_type="shelling")
    p = gdal("ogrinfo", "-ro", "-al", "-q", "-where", "event_type = 'shelling'", OAPIF, "events",
             env_extra={"CPL_DEBUG": "ON"})
    assert features_printed(p.stdout) == want, (features_printed(p.stdout), want)
    assert "event_type=shelling" in p.stderr, "GDAL filtered client-side instead of using the parameter"
    want2 = matched(event_type="shelling", bbox=BBOX_S)
    p = gdal("ogrinfo", "-ro", "-al", "-q", "-spat", *map(str, BBOX), "-where",
             "event_type = 'shelling' AND frontline = 1", OAPIF, "events")
    got = features_printed(p.stdout)
    want3 = matched(event_type="shelling", bbox=BBOX_S, frontline="true")
    assert got == want3 <= want2, (got, want3, want2)


@check("ogr2ogr copies every feature by following next links")
def _():
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "events.geojson")
        gdal("ogr2ogr", "-f", "GeoJSON", out, OAPIF, "events", "-oo", "PAGE_SIZE=37")
        with open(out) as f:
            v = json.load(f)
        ids = [feat["properties"].get("id") or feat.get("id") for feat in v["features"]]
        assert len(v["features"]) == TOTAL, (len(v["features"]), TOTAL)
        assert len(set(map(str, ids))) == TOTAL, "duplicate features across pages"


@check("OWSLib: conformance, collections, collection")
def _():
    w = Features(BASE)
    conf = w.conformance()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conf
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conf
    cols = [c["id"] for c in w.collections()["collections"]]
    assert {"events", "places"} <= set(cols), cols
    c = w.collection("events")
    assert c["id"] == "events" and c["extent"]["spatial"]["bbox"]
    q = w.collection_queryables("events")
    assert "event_type" in q["properties"]
    assert w.feature_collections() == cols


@check("OWSLib: items with bbox and datetime, then a single item")
def _():
    w = Features(BASE)
    want = matched(bbox=BBOX_S, datetime=MONTH)
    items = w.collection_items("events", bbox=list(BBOX), datetime_=MONTH, limit=1000)
    assert items["numberMatched"] == want, (items["numberMatched"], want)
    assert items["numberReturned"] == len(items["features"]) == min(want, 1000)
    for f in items["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert BBOX[0] <= lon <= BBOX[2] and BBOX[1] <= lat <= BBOX[3], (lon, lat)
        p = f["properties"]
        assert p["date_start"] <= MONTH[-10:] and p["date_end"] >= MONTH[:10], p
    assert_valid_geojson(items, "OWSLib items")
    any_items = w.collection_items("events", limit=5)
    fid = any_items["features"][0]["id"]
    one = w.collection_item("events", fid)
    assert one["type"] == "Feature" and one["id"] == fid
    rels = {l["rel"] for l in one["links"]}
    assert {"self", "alternate", "collection"} <= rels, rels
    assert_valid_geojson(one, "OWSLib item")


@check("geojson-validator accepts every GeoJSON answer")
def _():
    cases = [
        ("/collections/events/items", {"limit": 10000}),
        ("/collections/events/items", {"bbox": "177,65,-177,70"}),
        ("/collections/events/items", {"bbox": BBOX_S, "datetime": MONTH}),
        ("/collections/events/items", {"frontline": "true", "limit": 500}),
        ("/collections/places/items", {"limit": 10000}),
    ]
    for path, params in cases:
        ct, v = get(path, **params)
        assert ct == "application/geo+json", (path, ct)
        assert v["type"] == "FeatureCollection"
        assert "crs" not in v
        assert_valid_geojson(v, f"{path} {params}")
        for f in v["features"]:
            assert isinstance(f["id"], str)
            for x in f["geometry"]["coordinates"]:
                decimals = repr(float(x)).split(".")[1] if "." in repr(float(x)) else ""
                assert len(decimals) <= 6, x
    _, page = get("/collections/events/items", limit=3)
    fid = page["features"][0]["id"]
    ct, one = get(f"/collections/events/items/{fid}")
    assert ct == "application/geo+json"
    assert_valid_geojson(one, "single event")


@check("GeoJSON text sequence parses with GDAL's GeoJSONSeq driver")
def _():
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "events.geojsons")
        with urllib.request.urlopen(f"{BASE}/collections/events/items?f=jsonseq&limit=10000", timeout=60) as r:
            assert r.headers.get("Content-Type") == "application/geo+json-seq"
            data = r.read()
        with open(path, "wb") as f:
            f.write(data)
        p = gdal("ogrinfo", "-ro", "-so", "-al", path)
        assert feature_count_listed(p.stdout) == TOTAL


print(f"clients: {RESULTS['passed']} passed, {RESULTS['failed']} failed")
sys.exit(1 if RESULTS["failed"] else 0)
