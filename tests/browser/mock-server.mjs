#!/usr/bin/env node
// A stand-in for `frontline serve` used while developing the web map without the
// Rust server: serves the built web assets (the OUT_DIR of build-assets.mjs) and a
// small OGC API – Features subset over fixture events written here.
//
//   node tests/browser/mock-server.mjs ASSET_DIR [PORT] [--events N]
//
// Prints "listening on http://127.0.0.1:PORT" first, like `frontline serve`.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

const args = process.argv.slice(2);
const assetDir = args[0];
const port = Number(args[1] || 0);
const nIdx = args.indexOf('--events');
const synthetic = nIdx >= 0 ? Number(args[nIdx + 1]) : 0;

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
