#!/usr/bin/env python3
"""Synthesise a large GeoNames `allCountries.txt`-style dump for benchmarks.

Repeats the geoname rows of our test fixture (tests/fixtures/gazetteer/base/UA.txt)
with new geonameids, jittered coordinates, distinct names and a feature-class
mix close to the real dump (about 45% of rows are P or A, the classes the
loader keeps by default; the rest are S/H/T/L/V/R/U rows it streams past).

Usage:
    scripts/gen-geonames.py [--size-mb 1100] [--out /tmp/frontline-bench/allCountries.txt]

Write it under /tmp; never commit the output.
"""

from __future__ import annotations

import argparse
import os
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "gazetteer" / "base" / "UA.txt"

# (class, feature code, weight) roughly as in allCountries (2024).
CLASSES = [
    ("P", "PPL", 38),
    ("P", "PPLA3", 2),
    ("A", "ADM3", 3),
    ("A", "ADM2", 1),
    ("S", "HTL", 10),
    ("S", "SCH", 9),
    ("H", "STM", 12),
    ("H", "LK", 5),
    ("T", "MT", 7),
    ("T", "HLL", 5),
    ("L", "AREA", 4),
    ("V", "FRST", 2),
    ("R", "RD", 1),
    ("U", "SMU", 1),
]

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def tag(n: int) -> str:
    s = ""
    n += 26 * 26
    while n:
        n, r = divmod(n, 26)
        s = LETTERS[r] + s
    return s.capitalize()


def templates() -> list[list[str]]:
    rows = []
    for line in FIXTURE.read_text(encoding="utf-8-sig").splitlines():
        f = line.rstrip("\r").split("\t")
        if len(f) != 19:
            continue
        try:
            lat, lon = float(f[4]), float(f[5])
        except ValueError:
            continue
        if abs(lat) > 90 or abs(lon) > 180:
            continue
        rows.append(f)
    if not rows:
        raise SystemExit(f"no usable rows in {FIXTURE}")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=int, default=1100, help="stop after this many MiB (default 1100)")
    ap.add_argument("--out", default="/tmp/frontline-bench/allCountries.txt")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    out = Path(args.out)
    if not str(out.resolve()).startswith("/tmp/"):
        raise SystemExit("write the synthetic dump under /tmp (it must not be committed)")
    out.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    rows = templates()
    classes = [(c, code) for c, code, w in CLASSES for _ in range(w)]
    limit = args.size_mb << 20
    written = 0
    gid = 20_000_000
    tmp = out.with_suffix(".part")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        buf = []
        while written < limit:
            for _ in range(10_000):
                t = rows[gid % len(rows)]
                cls, code = rng.choice(classes)
                suffix = tag(gid)
                f = list(t)
                f[0] = str(gid)
                f[1] = f"{t[1]} {suffix}"
                f[2] = f"{t[2]} {suffix}"
                if t[3]:
                    f[3] = ",".join(f"{a} {suffix}" for a in t[3].split(","))
                f[4] = f"{max(-90.0, min(90.0, float(t[4]) + rng.uniform(-3, 3))):.5f}"
                f[5] = f"{(float(t[5]) + rng.uniform(-3, 3) + 180) % 360 - 180:.5f}"
                f[6], f[7] = cls, code
                line = "\t".join(f) + "\n"
                buf.append(line)
                written += len(line.encode("utf-8"))
                gid += 1
            fh.write("".join(buf))
            buf.clear()
    os.replace(tmp, out)
    print(f"{out}: {written} bytes, {gid - 20_000_000} rows")


if __name__ == "__main__":
    main()
