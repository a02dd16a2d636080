#!/usr/bin/env node
// A stand-in for `frontline serve` used while developing the web map without the
// Rust server: serves the built web assets (the OUT_DIR of build-assets.mjs) and a
// small OGC API – Features subset over fixture events written here.
//
//   node tests/browser/mock-server.mjs ASSET_DIR [PORT] [--events N] [--fail COLLECTION]... [--api URL]
//
// Prints "listening on http://127.0.0.1:PORT" first, like `frontline serve`.
// Also serves small fixtures of the `control`, `frontline` and `activity`
// collections (invented settlements' timelines, polygons and zones), following
// `datetime=D` like the server does; `--fail NAME` makes NAME's items answer 500.
// `--api URL` forwards every non-asset request to a running `frontline serve`
// instead (new page code over the real API, without rebuilding the binary).

import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { join } from 'node:path';

const args = process.argv.slice(2);
const assetDir = args[0];
const port = Number(args[1] || 0);
const nIdx = args.indexOf('--events');
const synthetic = nIdx >= 0 ? Number(args[nIdx + 1]) : 0;
const apiIdx = args.indexOf('--api');
const apiTarget = apiIdx >= 0 ? new URL(args[apiIdx + 1]) : null;
const failing = new Set(args.flatMap((a, i) => (args[i - 1] === '--fail' ? [a] : [])));

const assets = new Map();
for (const line of readFileSync(join(assetDir, 'manifest.tsv'), 'utf8').split('\n').filter(Boolean)) {
  const [path, file, type] = line.split('\t');
  assets.set(path, { file: join(assetDir, file), type });
}

// ---- fixture events (our own words)
const places = [
  ['Kurakhove', 'UA.14', 37.28, 47.98, 'settlement'],
  ['Pokrovsk', 'Donets\'k', 37.18, 48.28, 'settlement'],
  ['Toretsk', 'Donets\'k', 37.85, 48.4, 'settlement'],
  ['Chasiv Yar', 'Donets\'k', 37.85, 48.59, 'settlement'],
  ['Velyka Novosilka', 'Donets\'k', 36.84, 47.84, 'near_settlement'],
  ['Sudzha', 'Kursk', 35.27, 51.19, 'settlement'],
  ['Kupiansk', 'Kharkiv', 37.62, 49.71, 'settlement'],
  ['Zaporizhzhia Oblast', 'Zaporizhzhya', 35.5, 47.4, 'admin1'],
  ['Kherson', 'Kherson', 32.62, 46.64, 'settlement'],
  ['Kyiv', 'Kiev City', 30.52, 50.45, 'settlement'],
  ['Sumy Oblast', 'Sumy', 34.4, 51.0, 'admin1'],
  ['Robotyne', 'Zaporizhzhya', 35.84, 47.45, 'district'],
];
const types = [
  ['territory_claimed', true],
  ['armed_clash', true],
  ['shelling', true],
  ['air_drone_strike', true],
  ['civilian_harm', true],
  ['political_statement', false],
];
const events = [];
let k = 0;
for (let day = 1; day <= 28; day++) {
  for (let j = 0; j < 2; j++) {
    const [name, admin1, lon, lat, precision] = places[(day * 3 + j * 5) % places.length];
    const [type, frontline] = types[(day + j) % types.length];
    const date = `2025-01-${String(day).padStart(2, '0')}`;
    const id = `ev-${++k}`;
    events.push({
      type: 'Feature',
      id,
      geometry: { type: 'Point', coordinates: [lon + ((k % 5) - 2) * 0.01, lat + ((k % 3) - 1) * 0.01] },
      properties: {
        event_id: id,
        date_start: date,
        date_end: date,
        time_precision: 'day',
        event_type: type,
        sub_event_type: '',
        frontline,
        actor: ['russia', 'ukraine', 'unknown'][k % 3],
        claims: type === 'territory_claimed' ? [{ by: 'russia', stance: 'claimed' }, { by: 'ukraine', stance: 'denied' }] : [],
        place_name: name,
        admin1,
        country_code: name === 'Sudzha' ? 'RU' : 'UA',
        precision,
        surface_form: name,
        evidence: `Fixture report number ${k}: fighting was said to continue around ${name} on this day.`,
        n_reports: 1 + (k % 4),
        sources: [{ source: 'Fixture Wire', url: `https://example.org/wire/${k}` }],
      },
    });
  }
}
// The hostile one.
events.push({
  type: 'Feature',
  id: 'ev-xss',
  geometry: { type: 'Point', coordinates: [36.2, 49.99] },
  properties: {
    event_id: 'ev-xss',
    date_start: '2025-01-15',
    date_end: '2025-01-15',
    time_precision: 'day',
    event_type: 'shelling',
    frontline: true,
    actor: 'russia',
    claims: [],
    place_name: 'Kharkiv <b>bold</b>',
    admin1: 'Kharkiv',
    country_code: 'UA',
    precision: 'settlement',
    surface_form: 'Kharkiv',
    evidence: 'Shelling hit Kharkiv, a post said <img src=x onerror=alert(1)> and nothing else.',
    n_reports: 2,
    sources: [{ source: 'javascript link', url: 'javascript:alert(2)' }],
  },
});
for (let i = 0; i < synthetic; i++) {
  const day = 1 + (i % 28);
  const date = `2025-01-${String(day).padStart(2, '0')}`;
  const [type, frontline] = types[i % types.length];
  events.push({
    type: 'Feature',
    id: `syn-${i}`,
    geometry: { type: 'Point', coordinates: [30 + ((i * 7919) % 10000) / 1000, 46 + ((i * 104729) % 6000) / 1000] },
    properties: {
      event_id: `syn-${i}`, date_start: date, date_end: date, time_precision: 'day', event_type: type, frontline,
      actor: 'russia', claims: [], place_name: `Synthetic ${i}`, admin1: '', country_code: 'UA', precision: 'settlement',
      surface_form: '', evidence: `Synthetic event ${i}.`, n_reports: 1, sources: [],
    },
  });
}

// ---- fixtures of the control, frontline and activity collections (invented)
// Per settlement: dated timeline entries; the status on D is the `status` of the
// latest entry on or before D (a simplification of the server's rules).
const entry = (date, assertion, claimant, claims, status, evidence, k) => ({
  date,
  date_end: date,
  event_id: `tl-${k}`,
  event_type: assertion === 'fighting' ? 'armed_clash' : 'territory_claimed',
  assertion,
  claimant,
  actor: claimant || 'unknown',
  claims,
  precision: 'settlement',
  source: 'Fixture Wire',
  url: `https://example.org/timeline/${k}`,
  n_reports: 1,
  evidence,
  confidence: 0.8,
  _status: status,
});
const settlements = [
  {
    id: 'gn-1001', name: 'Pokrovsk', lon: 37.18, lat: 48.28, cc: 'UA', admin1: 'UA.14',
    timeline: [
      entry('2025-01-03', 'fighting', null, [], 'contested', 'Fixture note: clashes were said to go on near the town.', 1),
      entry('2025-01-12', 'claimed', 'russia', [{ by: 'russia', stance: 'claimed' }], 'claimed_ru', 'Fixture note: one side said it had taken the town.', 2),
      entry('2025-01-20', 'disputed', 'russia', [{ by: 'russia', stance: 'claimed' }, { by: 'ukraine', stance: 'denied' }], 'contested', 'Fixture note: <img src=x onerror=alert(1)> the other side denied it.', 3),
    ],
  },
  {
    id: 'gn-1002', name: 'Kupiansk', lon: 37.62, lat: 49.71, cc: 'UA', admin1: 'UA.07',
    timeline: [
      entry('2025-01-02', 'held', 'ukraine', [{ by: 'ukraine', stance: 'confirmed' }], 'held_ua', 'Fixture note: the town was reported under Ukrainian control.', 4),
      entry('2025-01-18', 'claimed', 'ukraine', [{ by: 'ukraine', stance: 'claimed' }], 'held_ua', '', 5),
    ],
  },
  {
    id: 'gn-1003', name: 'Toretsk', lon: 37.85, lat: 48.4, cc: 'UA', admin1: 'UA.14',
    timeline: [
      entry('2025-01-05', 'claimed', 'russia', [{ by: 'russia', stance: 'claimed' }], 'claimed_ru', 'Fixture note: a claim of capture was made.', 6),
      entry('2025-01-09', 'held', 'russia', [{ by: 'russia', stance: 'claimed' }, { by: 'ukraine', stance: 'confirmed' }], 'held_ru', 'Fixture note: the loss was later admitted.', 7),
    ],
  },
  {
    id: 'gn-1004', name: 'Sudzha', lon: 35.27, lat: 51.19, cc: 'RU', admin1: 'RU.41',
    timeline: [entry('2025-01-08', 'claimed', 'ukraine', [{ by: 'ukraine', stance: 'claimed' }], 'claimed_ua', 'Fixture note: a raid across the border was claimed.', 8)],
  },
  {
    id: 'gn-1005', name: 'Robotyne', lon: 35.84, lat: 47.45, cc: 'UA', admin1: 'UA.26',
    // Fighting only, long ago: unknown once the 14-day window has passed.
    timeline: [entry('2025-01-01', 'fighting', null, [], 'contested', '', 9)],
  },
];
const DAY_MS = 86400000;
const addDays = (d, n) => new Date(Date.parse(`${d}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
const todayStr = () => new Date().toISOString().slice(0, 10);
/** The day a `datetime` selects for these collections (see src/layers/collections.rs). */
function requestedDay(dt) {
  if (!dt) return todayStr();
  const [a, b] = dt.includes('/') ? dt.split('/') : [dt, dt];
  const day = (x) => (x && x !== '..' ? x.slice(0, 10) : null);
  if (day(b)) return day(b);
  return day(a) && day(a) > todayStr() ? day(a) : todayStr();
}
function controlFeature(s, date) {
  const upTo = s.timeline.filter((e) => e.date <= date);
  if (!upTo.length) return null;
  const last = upTo[upTo.length - 1];
  let status = last._status;
  // Fighting counts for 14 days.
  if (last.assertion === 'fighting' && last.date < addDays(date, -13)) status = 'unknown';
  const fighting = upTo.filter((e) => e.assertion === 'fighting');
  let since = null;
  let current = null;
  for (const e of upTo) {
    if (e._status !== current) [current, since] = [e._status, e.date];
  }
  if (status === 'unknown') since = null;
  return {
    type: 'Feature',
    id: s.id,
    geometry: { type: 'Point', coordinates: [s.lon, s.lat] },
    properties: {
      name: s.name,
      geonameid: Number(s.id.slice(3)),
      country_code: s.cc,
      admin1: s.admin1,
      date,
      status,
      status_since: since,
      status_basis: status === 'unknown' ? 'none' : last.assertion === 'fighting' ? 'fighting' : 'claims',
      n_claims: upTo.length - fighting.length,
      n_fighting: fighting.length,
      last_fighting_date: fighting.length ? fighting[fighting.length - 1].date : null,
      occupied_per_testfront: date >= '2025-01-01' ? s.lon > 37.3 && s.lat < 48.5 : null,
      timeline: upTo.map(({ _status, ...e }) => e),
    },
  };
}
const square = (x, y, w, h) => [[[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]];
// Per layer, dated snapshots (the one in force on D is the latest dated on or before D).
const lineSnapshots = [
  { layer: 'testfront', date: '2025-01-01', geometry: { type: 'MultiPolygon', coordinates: [square(37.4, 47.6, 1.2, 0.8)] } },
  { layer: 'testfront', date: '2025-01-15', geometry: { type: 'MultiPolygon', coordinates: [square(37.3, 47.6, 1.3, 0.9), square(37.7, 49.3, 0.6, 0.5)] } },
  { layer: 'mockline', date: '2025-01-10', geometry: { type: 'MultiPolygon', coordinates: [square(35.0, 47.0, 1.0, 0.6)] } },
];
function lineFeatures(date) {
  const out = [];
  for (const layer of [...new Set(lineSnapshots.map((s) => s.layer))].sort()) {
    const snaps = lineSnapshots.filter((s) => s.layer === layer).sort((a, b) => (a.date < b.date ? -1 : 1));
    const k = snaps.findLastIndex((s) => s.date <= date);
    if (k < 0) continue;
    const s = snaps[k];
    out.push({
      type: 'Feature',
      id: `${layer}@${s.date}`,
      geometry: s.geometry,
      properties: {
        layer, snapshot_date: s.date, valid_from: s.date, valid_to: snaps[k + 1] ? snaps[k + 1].date : null,
        n_polygons: s.geometry.coordinates.length, n_vertices: s.geometry.coordinates.length * 5, source: 'mock fixture', imported_at: '2025-02-01T00:00:00Z',
      },
    });
  }
  return out;
}
// Zones with the days of their events: shown when those days meet [D-13, D].
const zones = [
  { first: '2025-01-02', last: '2025-01-12', places: ['Pokrovsk', 'Toretsk'], n: 9, polygon: square(37.05, 48.15, 0.9, 0.35) },
  { first: '2025-01-14', last: '2025-01-27', places: ['Kupiansk'], n: 5, polygon: square(37.45, 49.6, 0.35, 0.25) },
];
function activityFeatures(dt) {
  let end = requestedDay(dt);
  let start = addDays(end, -13);
  if (dt && dt.includes('/')) {
    const [a] = dt.split('/');
    if (a && a !== '..') start = a.slice(0, 10);
  }
  return zones
    .filter((z) => z.first <= end && z.last >= start)
    .map((z, i) => ({
      type: 'Feature',
      id: `act-${end.replaceAll('-', '')}-${i}`,
      geometry: { type: 'Polygon', coordinates: z.polygon },
      properties: {
        window_start: start, window_end: end, n_events: z.n, first_date: z.first < start ? start : z.first, last_date: z.last > end ? end : z.last,
        area_km2: 1234.5, event_types: { armed_clash: z.n - 1, shelling: 1 }, places: z.places, event_ids: [], eps_km: 12, min_points: 3,
      },
    }));
}
const LAYER_PARAMS = {
  control: ['status', 'country_code', 'admin1'],
  frontline: ['layer'],
  activity: ['eps_km', 'min_points'],
};
function layerItems(name, q) {
  const allowed = new Set(['bbox', 'datetime', 'limit', 'f', 'cursor', ...LAYER_PARAMS[name]]);
  for (const key of q.keys()) if (!allowed.has(key)) return { error: `unknown parameter ${key}` };
  let list;
  if (name === 'control') {
    const date = requestedDay(q.get('datetime'));
    list = settlements.map((s) => controlFeature(s, date)).filter(Boolean);
    if (q.has('status')) list = list.filter((f) => q.get('status').split(',').includes(f.properties.status));
  } else if (name === 'frontline') {
    list = lineFeatures(requestedDay(q.get('datetime')));
    if (q.has('layer')) list = list.filter((f) => q.get('layer').split(',').includes(f.properties.layer));
  } else list = activityFeatures(q.get('datetime'));
  if (q.has('bbox')) {
    const [w, s, e, n] = q.get('bbox').split(',').map(Number);
    const pts = (g) => (g.type === 'Point' ? [g.coordinates] : g.coordinates.flat(g.type === 'Polygon' ? 1 : 2));
    list = list.filter((f) => pts(f.geometry).some(([x, y]) => x >= w && x <= e && y >= s && y <= n));
  }
  const limit = Math.min(10000, Number(q.get('limit') || 100));
  const page = list.slice(0, limit);
  return { type: 'FeatureCollection', features: page, numberMatched: list.length, numberReturned: page.length, timeStamp: new Date().toISOString(), links: [] };
}

const json = (res, status, body, type = 'application/json') => {
  res.writeHead(status, { 'Content-Type': type });
  res.end(JSON.stringify(body));
};
const problem = (res, status, detail) => json(res, status, { type: 'about:blank', title: 'Bad request', status, detail }, 'application/problem+json');

function parseDatetime(s) {
  if (!s) return [null, null];
  const [a, b] = s.includes('/') ? s.split('/') : [s, s];
  const d = (x) => (!x || x === '..' ? null : x.slice(0, 10));
  return [d(a), d(b)];
}

function items(q) {
  const allowed = new Set(['bbox', 'datetime', 'limit', 'frontline', 'actor', 'precision', 'event_type', 'f']);
  for (const key of q.keys()) if (!allowed.has(key)) return { error: `unknown parameter ${key}` };
  let list = events;
  if (q.has('bbox')) {
    const [w, s, e, n] = q.get('bbox').split(',').map(Number);
    list = list.filter((f) => {
      const [x, y] = f.geometry.coordinates;
      const inX = w <= e ? x >= w && x <= e : x >= w || x <= e;
      return inX && y >= s && y <= n;
    });
  }
  const [from, to] = parseDatetime(q.get('datetime'));
  list = list.filter((f) => (!from || f.properties.date_end >= from) && (!to || f.properties.date_start <= to));
  if (q.has('frontline')) list = list.filter((f) => String(f.properties.frontline) === q.get('frontline'));
  for (const key of ['actor', 'precision', 'event_type']) if (q.has(key)) list = list.filter((f) => f.properties[key] === q.get(key));
  const limit = Math.min(10000, Number(q.get('limit') || 100));
  const page = list.slice(0, limit);
  return {
    type: 'FeatureCollection',
    features: page,
    numberMatched: list.length,
    numberReturned: page.length,
    timeStamp: new Date().toISOString(),
    links: [],
  };
}

const sse = new Set();
const server = createServer((req, res) => {
  const url = new URL(req.url.replace(/^\/+/, '/'), 'http://x');
  const path = url.pathname;
  if (req.method === 'GET' && (path === '/' || path === '/index.html' || assets.has(path))) {
    const a = assets.get(path === '/' ? '/index.html' : path);
    res.writeHead(200, { 'Content-Type': a.type, 'Cache-Control': 'no-cache' });
    res.end(readFileSync(a.file));
    return;
  }
  if (apiTarget) {
    const fwd = httpRequest(
      { host: apiTarget.hostname, port: apiTarget.port, method: req.method, path: req.url, headers: { ...req.headers, host: apiTarget.host } },
      (up) => {
        res.writeHead(up.statusCode, up.headers);
        up.pipe(res);
      },
    );
    fwd.on('error', (e) => problem(res, 502, `proxy: ${e.message}`));
    req.pipe(fwd);
    return;
  }
  if (path === '/collections/events') {
    return json(res, 200, {
      id: 'events',
      extent: { spatial: { bbox: [[22, 44, 41, 53]] }, temporal: { interval: [['2025-01-01T00:00:00Z', '2025-01-28T23:59:59Z']] } },
      links: [],
    });
  }
  if (path === '/collections/events/queryables') {
    return json(res, 200, { type: 'object', properties: { event_type: { type: 'string', enum: types.map((t) => t[0]) } } }, 'application/schema+json');
  }
  if (path === '/collections/events/items') {
    const r = items(url.searchParams);
    if (r.error) return problem(res, 400, r.error);
    return json(res, 200, r, 'application/geo+json');
  }
  const layerMatch = /^\/collections\/(control|frontline|activity)\/items$/.exec(path);
  if (layerMatch) {
    const name = layerMatch[1];
    if (failing.has(name)) return problem(res, 500, `mock failure of ${name}`);
    const r = layerItems(name, url.searchParams);
    if (r.error) return problem(res, 400, r.error);
    // A little latency, so that fast slider moves overlap requests as with the real server.
    setTimeout(() => json(res, 200, r, 'application/geo+json'), 60);
    return;
  }
  if (path === '/api/events/stream') {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    res.write(': hello\n\n');
    sse.add(res);
    req.on('close', () => sse.delete(res));
    return;
  }
  if (path === '/mock/push' && req.method === 'POST') {
    const id = `ev-live-${events.length}`;
    const f = JSON.parse(JSON.stringify(events[0]));
    f.id = id;
    f.properties.event_id = id;
    f.properties.place_name = 'Live place';
    events.push(f);
    for (const s of sse) s.write(`event: created\ndata: ${JSON.stringify({ kind: "created", id: f.id, generation: events.length, feature: f })}\n\n`);
    return json(res, 200, { id });
  }
  if (path === '/api/extract' && req.method === 'POST') {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const doc = JSON.parse(body || '{}');
      const mentions = [];
      const evs = [];
      for (const [name, , lon, lat, precision] of places) {
        const at = (doc.text || '').indexOf(name);
        if (at < 0) continue;
        mentions.push({ start: at, end: at + name.length, text: name, place: { name, lat, lon }, precision, score: 0.9 });
        evs.push({ event_id: `x-${name}`, date_start: (doc.published || '').slice(0, 10), date_end: (doc.published || '').slice(0, 10), event_type: 'armed_clash', frontline: true, actor: 'unknown', claims: [], place: { name, lat, lon, precision, country_code: 'UA', admin1: '' }, evidence: { text: doc.text, start: 0, end: 0 } });
      }
      json(res, 200, { mentions, events: evs });
    });
    return;
  }
  if (path === '/api/documents' && req.method === 'POST') {
    if (req.headers.authorization !== 'Bearer secret' && req.headers.authorization !== 'Bearer browser-test-token') return problem(res, 401, 'wrong token');
    const id = `ev-doc-${events.length}`;
    const f = JSON.parse(JSON.stringify(events.find((e) => e.properties.place_name === 'Kherson')));
    f.id = id;
    f.properties.event_id = id;
    f.properties.date_start = f.properties.date_end = '2025-01-28';
    events.push(f);
    for (const s of sse) s.write(`event: created\ndata: ${JSON.stringify({ kind: "created", id: f.id, generation: events.length, feature: f })}\n\n`);
    return json(res, 201, { event_ids: [id] });
  }
  problem(res, 404, `no route ${path}`);
});
server.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
