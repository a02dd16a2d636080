// Browser tests of the web map against the real server (`frontline serve --demo`).
//
//   FRONTLINE_BIN=target/debug/frontline node --test --test-concurrency=1 tests/browser/map.test.mjs
//
// (tests/browser/run.sh BINARY does the installs and sets the variables.)

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  TOKEN,
  allEvents,
  apiCount,
  clickLngLat,
  countRendered,
  ensureOutputDir,
  idle,
  importLayer,
  launchBrowser,
  openPage,
  overlayLoaded,
  setRange,
  startServer,
  uiState,
  waitForLayer,
} from './lib.mjs';

const XSS = '<img src=x onerror=alert(1)>';
const out = ensureOutputDir();
let server;
let browser;
let desktop; // { page, log, readyMs }
let events; // every demo event from the API
const measurements = {};
// A front-line layer of our own (invented squares) imported into the demo database:
// the first snapshot holds BOTH_POINT, the second also LATER_POINT.
const TEST_LAYER = 'browser_test';
const BOTH_POINT = [37.5, 48.0];
const LATER_POINT = [36.6, 47.5];
const square = (x0, y0, x1, y1) => [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]];
const SNAPSHOTS = [
  { date: '2025-01-10', polygon: square(37.0, 47.7, 38.0, 48.3) },
  { date: '2025-02-20', polygon: square(36.4, 47.3, 38.2, 48.4) },
];
let linesImported = false;

before(async () => {
  server = await startServer();
  // The server reads new layer snapshots within ~10 s; the front-line test waits for them.
  linesImported = true;
  for (const s of SNAPSHOTS) {
    const ok = await importLayer(server, {
      layer: TEST_LAYER,
      date: s.date,
      geojson: { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { note: 'browser test square' }, geometry: { type: 'Polygon', coordinates: s.polygon } }] },
    });
    linesImported &&= ok;
  }
  browser = await launchBrowser();
  events = await allEvents(server.url);
  desktop = await openPage(browser, server.url, { width: 1280, height: 800 });
  measurements.desktopReadyMs = desktop.readyMs;
});

after(async () => {
  writeFileSync(join(out, 'measurements.json'), JSON.stringify(measurements, null, 2));
  await browser?.close();
  await server?.stop();
});

/** Put the page back to its default state (everything, default view). */
async function reset(page) {
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => window.mapReady === true, null, { timeout: 60000 });
  await idle(page);
}

async function assertCountsMatchApi(page, label) {
  await idle(page);
  const ui = await uiState(page);
  const rendered = await countRendered(page);
  const expected = await apiCount(server.url, ui);
  assert.equal(rendered.represented, expected, `${label}: the map represents ${rendered.represented} events, the API matches ${expected} for ${JSON.stringify(ui)}`);
  assert.equal(Number(ui.counter), expected, `${label}: the counter says ${ui.counter}, the API ${expected}`);
  assert.match(ui.counterText, new RegExp(`^${expected.toLocaleString('en-US')} events? from ${ui.from} to ${ui.to}$`));
  return { ui, rendered, expected };
}

describe('web map', () => {
  test('the demo dataset is there and holds the hostile item', () => {
    assert.ok(events.length >= 20, `the demo has only ${events.length} events`);
    const hostile = events.filter((f) => JSON.stringify(f.properties).includes(XSS));
    assert.ok(hostile.length >= 1, `no demo event holds ${XSS}`);
  });

  test('the page loads offline: no request leaves the server, basemap drawn', async () => {
    const { page, log } = desktop;
    await idle(page);
    assert.deepEqual(log.external, [], 'requests to other origins');
    const basemap = await page.evaluate(() => window.map.queryRenderedFeatures({ layers: ['countries-fill'] }).length);
    assert.ok(basemap > 5, `only ${basemap} country polygons rendered`);
    const layers = await page.evaluate(() => window.map.getStyle().layers.map((l) => l.id));
    for (const id of ['events-clusters', 'events-points', 'events-count']) assert.ok(layers.includes(id), `layer ${id} missing`);
    assert.equal(await page.evaluate(() => typeof window.map.getSource('events').setData), 'function');
    await page.screenshot({ path: join(out, 'desktop-1280x800.png') });
  });

  test('clusters represent the number of events in view (numberMatched of the API)', async () => {
    const { page } = desktop;
    const { rendered, expected } = await assertCountsMatchApi(desktop.page, 'initial view');
    assert.ok(expected > 0, 'the initial view shows no event');
    assert.ok(rendered.rendered < expected, `expected clustering at the initial zoom (${rendered.rendered} features for ${expected} events)`);
    measurements.initial = { rendered, expected };
    // Zoomed in on the densest place the numbers still agree.
    const densest = await page.evaluate(() => {
      const fs = window.map.queryRenderedFeatures({ layers: ['events-clusters'] });
      fs.sort((a, b) => b.properties.point_count - a.properties.point_count);
      return fs[0] ? fs[0].geometry.coordinates : null;
    });
    assert.ok(densest, 'no cluster at the initial zoom');
    await page.evaluate((c) => window.map.jumpTo({ center: c, zoom: 8 }), densest);
    await assertCountsMatchApi(page, 'zoom 8');
    await reset(page);
  });

  test('moving the time slider changes the count to what the API returns', async () => {
    const { page } = desktop;
    const before = await assertCountsMatchApi(page, 'before');
    const max = Number(await page.getAttribute('#slider', 'max'));
    assert.ok(max >= 2, `the demo spans only ${max + 1} days`);
    // End of the window to the middle of the range.
    await setRange(page, '#slider', Math.floor(max / 2));
    const mid = await assertCountsMatchApi(page, 'end at the middle');
    assert.notEqual(mid.expected, before.expected, 'the slider did not change the count');
    assert.ok(mid.expected < before.expected);
    // Start of the window moved as well.
    await setRange(page, '#slider-start', Math.floor(max / 4));
    await assertCountsMatchApi(page, 'start at a quarter');
    // Step buttons move the window by one day.
    const fromBefore = (await uiState(page)).from;
    await page.click('#step-forward');
    const after = await assertCountsMatchApi(page, 'one step forward');
    assert.notEqual(after.ui.from, fromBefore);
    await reset(page);
  });

  test('a type filter changes the count to what the API returns', async () => {
    const { page } = desktop;
    await page.check('#show-all');
    const all = await assertCountsMatchApi(page, 'all events');
    // Keep only the most frequent type among the events in view.
    const types = await page.evaluate(() => [...document.querySelectorAll('#type-list input')].map((i) => i.value));
    assert.ok(types.length >= 2, `only ${types.length} event types offered`);
    const freq = new Map();
    for (const f of events) freq.set(f.properties.event_type, (freq.get(f.properties.event_type) || 0) + 1);
    const type = types.slice().sort((a, b) => (freq.get(b) || 0) - (freq.get(a) || 0))[0];
    await page.click('#types-none');
    const none = await assertCountsMatchApi(page, 'no type');
    assert.equal(none.expected, 0);
    await page.check(`#type-list input[value="${type}"]`);
    const one = await assertCountsMatchApi(page, `type ${type}`);
    assert.ok(one.expected > 0 && one.expected < all.expected, `type ${type}: ${one.expected} of ${all.expected}`);
    assert.equal(one.ui.types.length, 1);
    // Actor and precision filters follow the API as well.
    await page.click('#types-all');
    await page.selectOption('#actor-filter', 'russia');
    await assertCountsMatchApi(page, 'actor russia');
    await page.selectOption('#actor-filter', '');
    await page.selectOption('#precision-filter', 'settlement');
    await assertCountsMatchApi(page, 'precision settlement');
    await page.selectOption('#precision-filter', '');
    await page.uncheck('#show-all');
    await reset(page);
  });

  test('the URL hash reproduces the view, dates and filters', async () => {
    const { page } = desktop;
    await setRange(page, '#slider', 3);
    await page.selectOption('#actor-filter', 'ukraine');
    await page.evaluate(() => window.map.jumpTo({ center: [36, 48.5], zoom: 6.5 }));
    await idle(page);
    await page.waitForFunction(() => location.hash.includes('actor=ukraine') && location.hash.includes('6.50'));
    const hash = await page.evaluate(() => location.hash);
    const original = await uiState(page);
    const other = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await other.goto(`${server.url}/${hash}`);
    await other.waitForFunction(() => window.mapReady === true, null, { timeout: 60000 });
    await idle(other);
    const copy = await uiState(other);
    assert.equal(copy.from, original.from);
    assert.equal(copy.to, original.to);
    assert.equal(copy.actor, 'ukraine');
    assert.equal(copy.counter, original.counter);
    for (let i = 0; i < 4; i++) assert.ok(Math.abs(copy.bounds[i] - original.bounds[i]) < 0.05, `bounds differ: ${copy.bounds} vs ${original.bounds}`);
    // A link with an event opens its popup.
    const f = events.find((e) => e.properties.frontline && e.geometry.coordinates[0] > 24 && e.geometry.coordinates[0] < 38 && e.geometry.coordinates[1] > 46 && e.geometry.coordinates[1] < 51);
    await other.goto('about:blank');
    await other.goto(`${server.url}/#event=${encodeURIComponent(f.id)}`);
    await other.waitForSelector('.maplibregl-popup .ev-popup', { timeout: 15000 });
    assert.equal(await other.getAttribute('.maplibregl-popup .ev-popup', 'data-event-id'), String(f.id));
    await other.close();
    await page.selectOption('#actor-filter', '');
    await reset(page);
  });

  /** Show one event on its own at high zoom and click it; returns the popup's text. */
  async function openPopupFor(page, feature) {
    const p = feature.properties;
    const day = String(p.date_start).slice(0, 10);
    await page.check('#show-all');
    const labels = await page.evaluate(() => ({ min: document.getElementById('slider').min, max: document.getElementById('slider').max }));
    await setRange(page, '#slider-start', labels.min);
    await setRange(page, '#slider', labels.max);
    const [lng, lat] = feature.geometry.coordinates;
    await page.evaluate(([x, y]) => window.map.jumpTo({ center: [x, y], zoom: 14 }), [lng, lat]);
    await idle(page);
    const here = await page.evaluate(() => {
      const c = window.map.getCenter();
      const pt = window.map.project(c);
      return window.map.queryRenderedFeatures([pt.x, pt.y], { layers: ['events-points'] }).map((f) => f.properties._id);
    });
    assert.ok(here.includes(String(feature.id)), `event ${feature.id} is not drawn at its place (${JSON.stringify(here)})`);
    await clickLngLat(page, [lng, lat]);
    await page.waitForSelector('.maplibregl-popup .ev-popup', { timeout: 10000 });
    // Several events can share a place: page through to ours.
    for (let i = 0; i < 200; i++) {
      const shown = await page.getAttribute('.maplibregl-popup .ev-popup', 'data-event-id');
      if (shown === String(feature.id)) break;
      const next = await page.$('.maplibregl-popup .pager-next:not([disabled])');
      assert.ok(next, `event ${feature.id} not found in the popup's list`);
      await next.click();
    }
    assert.equal(await page.getAttribute('.maplibregl-popup .ev-popup', 'data-event-id'), String(feature.id));
    return { day, text: await page.textContent('.maplibregl-popup .ev-popup') };
  }

  test('clicking a point opens a popup with its date and place', async () => {
    const { page } = desktop;
    const f = events.find((e) => !JSON.stringify(e.properties).includes(XSS) && e.properties.place_name);
    assert.ok(f, 'no ordinary event with a place name');
    const { day, text } = await openPopupFor(page, f);
    assert.ok(text.includes(day), `popup lacks the date ${day}: ${text}`);
    assert.ok(text.includes(f.properties.place_name), `popup lacks the place ${f.properties.place_name}: ${text}`);
    // The selected event is highlighted (once the map has drawn the new selection filter:
    // queryRenderedFeatures reads the last frame drawn).
    await idle(page);
    const selected = await page.evaluate(() => window.map.queryRenderedFeatures({ layers: ['events-selected'] }).map((x) => x.properties._id));
    assert.deepEqual([...new Set(selected)], [String(f.id)]);
    await page.screenshot({ path: join(out, 'popup-1280x800.png') });
    await page.keyboard.press('Escape');
    await reset(page);
  });

  test('hostile text is shown literally and runs nothing', async () => {
    const { page, log } = desktop;
    const f = events.find((e) => JSON.stringify(e.properties).includes(XSS));
    const { text } = await openPopupFor(page, f);
    assert.ok(text.includes(XSS), `the popup does not show the text literally: ${text}`);
    const imgs = await page.evaluate(() => [...document.querySelectorAll('.maplibregl-popup img')].map((i) => i.getAttribute('src')));
    assert.deepEqual(imgs, [], 'an img element was created from data');
    assert.equal(await page.evaluate(() => document.querySelectorAll('img[src="x"]').length), 0);
    await page.waitForTimeout(500); // an onerror handler would have run by now
    assert.deepEqual(log.dialogs, [], 'a dialog was opened');
    // Links are only made for http(s) URLs.
    const hrefs = await page.evaluate(() => [...document.querySelectorAll('.maplibregl-popup a')].map((a) => a.getAttribute('href')));
    for (const h of hrefs) assert.match(h, /^https?:\/\//);
    await page.screenshot({ path: join(out, 'hostile-popup-1280x800.png') });
    await page.keyboard.press('Escape');
    await reset(page);
  });

  test('every control is labelled and reachable from the keyboard', async () => {
    const { page } = desktop;
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll('#panel input, #panel select, #panel textarea, #panel button, header button')]
        .filter((c) => {
          if (c.tagName === 'BUTTON') return !(c.textContent.trim() || c.getAttribute('aria-label'));
          return !(c.labels && c.labels.length) && !c.getAttribute('aria-label');
        })
        .map((c) => c.id || c.outerHTML.slice(0, 80)),
    );
    assert.deepEqual(unlabelled, []);
    // Tab from the top of the page reaches the time slider.
    await page.focus('#panel-toggle');
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement && document.activeElement.id === 'slider');
    }
    assert.ok(reached, 'Tab never reached #slider');
    const beforeValue = Number(await page.inputValue('#slider'));
    await page.keyboard.press('ArrowLeft');
    assert.equal(Number(await page.inputValue('#slider')), beforeValue - 1);
    await assertCountsMatchApi(page, 'after ArrowLeft on the slider');
    await reset(page);
  });

  test('play animates the window and pause stops it', async () => {
    const { page } = desktop;
    const start = await uiState(page);
    await page.click('#play');
    await page.waitForFunction((to) => document.getElementById('slider-label').textContent !== to, start.to, { timeout: 10000 }).catch(() => {});
    await page.waitForFunction(() => document.getElementById('play').getAttribute('aria-pressed') === 'true');
    await page.waitForTimeout(2500);
    await page.click('#play');
    assert.equal(await page.getAttribute('#play', 'aria-pressed'), 'false');
    const playing = await uiState(page);
    assert.notEqual(`${playing.from}/${playing.to}`, `${start.from}/${start.to}`, 'the window did not move');
    await assertCountsMatchApi(page, 'after play');
    await reset(page);
  });

  test('live: an event posted through the write API appears without a reload', async () => {
    const { page } = desktop;
    await page.check('#show-all');
    await page.evaluate(() => {
      window.__noReload = 'still here';
    });
    const ui = await uiState(page);
    const beforeCount = Number(ui.counter);
    const doc = {
      id: `browser-test-${Date.now()}`,
      text: 'Russian artillery shelled Kherson overnight, the regional administration said.',
      published: `${ui.to}T12:00:00Z`,
      source: 'Browser test wire',
      url: 'https://example.org/browser-test',
    };
    const res = await fetch(`${server.url}/api/documents`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(doc),
    });
    assert.equal(res.status, 201, `POST /api/documents -> ${res.status}: ${await res.text()}`);
    // The write has committed when the POST answers: the API's count is final now.
    const target = await apiCount(server.url, ui);
    assert.ok(target > beforeCount, `the posted document added no event in view (${beforeCount} -> ${target})`);
    await page.waitForFunction((n) => Number(document.getElementById('count').dataset.count) === n, target, { timeout: 15000 });
    assert.equal(await page.evaluate(() => window.__noReload), 'still here', 'the page was reloaded');
    await assertCountsMatchApi(page, 'after the live event');
    await page.uncheck('#show-all');
    await reset(page);
  });

  test('paste to map previews mentions without saving', async () => {
    const { page } = desktop;
    const total = (await allEvents(server.url)).length;
    await page.click('#paste-panel summary');
    await page.fill('#paste-text', 'Ukrainian troops repelled an assault near Pokrovsk on Monday, the general staff said.');
    await page.fill('#paste-date', '2025-01-07');
    await page.click('#paste-preview');
    await page.waitForFunction(() => /place mention/.test(document.getElementById('paste-result').textContent), null, { timeout: 15000 });
    const result = await page.textContent('#paste-result');
    assert.match(result, /Pokrovsk/);
    await idle(page);
    const preview = await page.evaluate(() => window.map.queryRenderedFeatures({ layers: ['preview-mentions'] }).length);
    assert.ok(preview >= 1, 'the mention is not drawn');
    assert.equal((await allEvents(server.url)).length, total, 'the preview saved something');
    await page.click('#paste-clear');
    await page.click('#paste-panel summary');
    await reset(page);
  });

  // ------------------------------------------------------------ overlays: control, front lines, activity

  /** The API's answer for a path of the server. */
  async function getJson(path) {
    const res = await fetch(`${server.url}${path}`, { headers: { Accept: 'application/geo+json, application/json' } });
    if (!res.ok) throw new Error(`GET ${path} -> ${res.status}: ${await res.text()}`);
    return res.json();
  }

  /** The query of the URL an overlay of the page loaded last. */
  async function overlayQuery(page, name) {
    const o = await page.evaluate((n) => window.frontline.overlays[n], name);
    assert.ok(o.url, `the ${name} overlay requested nothing`);
    return { ...o, query: new URL(o.url, server.url).searchParams };
  }

  /** Settlement markers drawn: id -> status. */
  async function renderedControl(page) {
    const fs = await page.evaluate(() => window.map.queryRenderedFeatures({ layers: ['control-points'] }).map((f) => [f.properties._id, f.properties.status]));
    return new Map(fs);
  }

  /** What the API says for the page's last control request: id -> status (unknown left out when `colouredOnly`). */
  async function apiControl(page, { colouredOnly = true } = {}) {
    const { query } = await overlayQuery(page, 'control');
    const q = new URLSearchParams({ datetime: query.get('datetime'), limit: '10000' });
    if (query.get('bbox')) q.set('bbox', query.get('bbox'));
    const body = await getJson(`/collections/control/items?${q}`);
    return new Map(body.features.filter((f) => !colouredOnly || f.properties.status !== 'unknown').map((f) => [String(f.id), f.properties.status]));
  }

  const sortedEntries = (m) => [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const coloured = (m) => new Map([...m].filter(([, s]) => s !== 'unknown'));

  /** Slider index of a day (YYYY-MM-DD). */
  const dayIndex = (page, day) => page.evaluate((d) => Math.round((Date.parse(`${d}T00:00:00Z`) - window.frontline.state.minDay) / 86400000), day);
  const dayOf = (page, index) => page.evaluate((i) => new Date(window.frontline.state.minDay + i * 86400000).toISOString().slice(0, 10), index);

  /** Move the end of the window to `day` and wait for the overlay `name`. */
  async function showDay(page, day, name) {
    await setRange(page, '#slider', await dayIndex(page, day));
    assert.equal((await uiState(page)).to, day);
    await overlayLoaded(page, name, day);
  }

  test('control overlay: a coloured marker for every settlement whose status is not unknown', async () => {
    const { page } = desktop;
    const ui = await uiState(page);
    await overlayLoaded(page, 'control', ui.to);
    const o = await overlayQuery(page, 'control');
    assert.equal(o.status, 'loaded');
    assert.equal(o.query.get('datetime'), ui.to, 'the control overlay does not follow the end of the window');
    const expected = await apiControl(page);
    assert.ok(expected.size >= 3, `only ${expected.size} settlements with a known status in view on ${ui.to}`);
    assert.ok(new Set(expected.values()).size >= 3, `the demo shows only the statuses ${[...new Set(expected.values())]}`);
    const rendered = await renderedControl(page);
    assert.deepEqual(sortedEntries(coloured(rendered)), sortedEntries(expected), 'the markers drawn differ from the statuses of the API');
    // Each status has a marker image of its own, chosen by the feature's status.
    const style = await page.evaluate(() => ({
      icon: window.map.getLayoutProperty('control-points', 'icon-image'),
      images: ['held_ua', 'claimed_ua', 'held_ru', 'claimed_ru', 'contested', 'unknown'].map((s) => window.map.hasImage(`control-${s}`)),
    }));
    assert.deepEqual(style.icon, ['concat', 'control-', ['get', 'status']]);
    assert.deepEqual(style.images, [true, true, true, true, true, true]);
    const legend = await page.textContent('#legend');
    for (const label of ['Held by Ukraine', 'Held by Russia', 'Contested', 'Imported front lines', 'Activity zones']) assert.ok(legend.includes(label), `legend lacks ${label}`);
    await page.screenshot({ path: join(out, 'control-1280x800.png') });
  });

  test('control overlay: moving the time slider changes the requested datetime and the statuses', async () => {
    const { page } = desktop;
    const ui = await uiState(page);
    await overlayLoaded(page, 'control', ui.to);
    const before = await renderedControl(page);
    const max = Number(await page.getAttribute('#slider', 'max'));
    // A day on which the API's statuses differ from those of the last day.
    const bbox = (await overlayQuery(page, 'control')).query.get('bbox');
    const last = sortedEntries(coloured(await apiControl(page)));
    let target = null;
    for (const frac of [0.97, 0.9, 0.75, 0.5]) {
      const day = await dayOf(page, Math.floor(max * frac));
      const body = await getJson(`/collections/control/items?datetime=${day}&bbox=${bbox}&limit=10000`);
      const m = new Map(body.features.filter((f) => f.properties.status !== 'unknown').map((f) => [String(f.id), f.properties.status]));
      if (JSON.stringify(sortedEntries(m)) !== JSON.stringify(last)) {
        target = Math.floor(max * frac);
        break;
      }
    }
    assert.ok(target !== null, 'the demo statuses never change over time');
    // A fast drag (a burst of input events) costs one control request, for the day it ends on.
    const n0 = await page.evaluate(() => window.frontline.overlayRequests.length);
    await page.evaluate(
      ([from, to]) => {
        const s = document.getElementById('slider');
        for (let v = from; v >= to; v--) {
          s.value = String(v);
          s.dispatchEvent(new Event('input', { bubbles: true }));
        }
      },
      [max, target],
    );
    const day = await dayOf(page, target);
    assert.equal((await uiState(page)).to, day);
    await overlayLoaded(page, 'control', day);
    const requests = (await page.evaluate((n) => window.frontline.overlayRequests.slice(n), n0)).filter((u) => u.startsWith('/collections/control/'));
    assert.equal(requests.length, 1, `a burst of ${max - target + 1} slider moves made ${requests.length} control requests: ${requests.slice(0, 3).join(' ')} …`);
    assert.equal(new URL(requests[0], server.url).searchParams.get('datetime'), day);
    const after = await renderedControl(page);
    assert.deepEqual(sortedEntries(coloured(after)), sortedEntries(await apiControl(page)), `markers on ${day} differ from the API`);
    assert.notDeepEqual(sortedEntries(coloured(after)), sortedEntries(coloured(before)), 'the statuses did not change with the slider');
    // One step forward: the next day is requested.
    await page.click('#step-forward');
    const next = await dayOf(page, target + 1);
    await overlayLoaded(page, 'control', next);
    assert.equal((await overlayQuery(page, 'control')).query.get('datetime'), next);
    assert.deepEqual(sortedEntries(coloured(await renderedControl(page))), sortedEntries(await apiControl(page)));
    await reset(page);
  });

  test('control overlay: a slow answer for an earlier date never replaces the later one', async () => {
    let slowDay = null;
    const { page, context } = await openPage(browser, server.url, {
      setup: (ctx) =>
        ctx.route('**/collections/control/items*', async (route) => {
          if (new URL(route.request().url()).searchParams.get('datetime') === slowDay) await new Promise((r) => setTimeout(r, 2500));
          await route.continue().catch(() => {}); // aborted by the page meanwhile
        }),
    });
    try {
      const max = Number(await page.getAttribute('#slider', 'max'));
      await overlayLoaded(page, 'control', await dayOf(page, max));
      slowDay = await dayOf(page, Math.floor(max / 2));
      await setRange(page, '#slider', Math.floor(max / 2));
      await page.waitForFunction((d) => window.frontline.overlays.control.status === 'loading' && window.frontline.overlays.control.date === d, slowDay);
      await setRange(page, '#slider', max);
      const last = await dayOf(page, max);
      await overlayLoaded(page, 'control', last);
      await page.waitForTimeout(3000); // the slow answer would have come by now
      await idle(page);
      const o = await overlayQuery(page, 'control');
      assert.equal(o.query.get('datetime'), last);
      assert.equal(new URL(o.loadedUrl, server.url).searchParams.get('datetime'), last);
      const expected = await apiControl(page);
      assert.deepEqual(sortedEntries(coloured(await renderedControl(page))), sortedEntries(expected), 'the slow answer for the earlier date replaced the markers');
    } finally {
      await context.close();
    }
  });

  /** Click the settlement marker of feature `f` (events hidden, so that no event point covers it). */
  async function openSettlement(page, f) {
    await page.click('#types-none');
    const [lng, lat] = f.geometry.coordinates;
    await page.evaluate((c) => window.map.jumpTo({ center: c, zoom: 10 }), [lng, lat]);
    await overlayLoaded(page, 'control', (await uiState(page)).to, { point: [lng, lat] });
    await clickLngLat(page, [lng, lat]);
    await page.waitForSelector('.maplibregl-popup .ctl-popup', { timeout: 10000 });
    assert.equal(await page.getAttribute('.maplibregl-popup .ctl-popup', 'data-settlement-id'), String(f.id));
  }

  const sideName = (s) => (s === 'russia' ? 'Russia' : s === 'ukraine' ? 'Ukraine' : s);

  test('control overlay: a settlement popup lists its claims timeline', async () => {
    const { page } = desktop;
    const ui = await uiState(page);
    const body = await getJson(`/collections/control/items?datetime=${ui.to}&limit=10000&bbox=22,44,40.5,52.6`);
    const f = body.features
      .filter((x) => x.properties.status !== 'unknown' && x.properties.timeline.some((e) => e.claims.length))
      .sort((a, b) => b.properties.timeline.length - a.properties.timeline.length)[0];
    assert.ok(f && f.properties.timeline.length >= 2, 'no settlement of the demo has a timeline of two claims');
    await openSettlement(page, f);
    const popup = '.maplibregl-popup .ctl-popup';
    const text = await page.textContent(popup);
    assert.ok(text.includes(f.properties.name), `popup lacks the name ${f.properties.name}`);
    assert.equal(await page.getAttribute(popup, 'data-status'), f.properties.status);
    const entries = await page.$$eval(`${popup} li.tl-entry`, (lis) => lis.map((li) => ({ date: li.dataset.date, text: li.textContent })));
    const timeline = f.properties.timeline;
    assert.equal(entries.length, timeline.length, `the popup lists ${entries.length} of ${timeline.length} timeline entries`);
    // Newest first; each entry with its date, claimant and stances, source and evidence.
    const newestFirst = [...timeline].reverse();
    newestFirst.forEach((e, i) => {
      const li = entries[i];
      assert.equal(li.date, e.date);
      assert.ok(li.text.includes(e.date), `entry ${i} lacks its date: ${li.text}`);
      if (e.claimant) assert.ok(li.text.includes(sideName(e.claimant)), `entry ${i} lacks the claimant ${e.claimant}: ${li.text}`);
      for (const c of e.claims) assert.ok(li.text.includes(`${c.stance} by ${sideName(c.by)}`), `entry ${i} lacks "${c.stance} by ${c.by}": ${li.text}`);
      if (e.source) assert.ok(li.text.includes(e.source), `entry ${i} lacks the source ${e.source}`);
      if (e.evidence) assert.ok(li.text.includes(e.evidence), `entry ${i} lacks its evidence sentence`);
    });
    const hrefs = await page.$$eval(`${popup} a`, (as) => as.map((a) => a.getAttribute('href')));
    for (const h of hrefs) assert.match(h, /^https?:\/\//);
    await page.screenshot({ path: join(out, 'control-popup-1280x800.png') });
    await page.keyboard.press('Escape');
    await reset(page);
  });

  test('control overlay: an event popup links to the settlement under it', async () => {
    const { page } = desktop;
    const ui = await uiState(page);
    const body = await getJson(`/collections/control/items?datetime=${ui.to}&limit=10000`);
    const at = new Map(body.features.map((x) => [x.geometry.coordinates.join(','), x]));
    const ev = events.find((e) => !JSON.stringify(e.properties).includes(XSS) && at.has(e.geometry.coordinates.join(',')));
    assert.ok(ev, 'no demo event sits on a settlement of the control collection');
    const settlement = at.get(ev.geometry.coordinates.join(','));
    await openPopupFor(page, ev);
    await overlayLoaded(page, 'control', ui.to, { point: ev.geometry.coordinates });
    // The event popup is open (events first); reopen it now that the markers of this view are drawn.
    await page.keyboard.press('Escape');
    await clickLngLat(page, ev.geometry.coordinates);
    await page.waitForSelector('.maplibregl-popup .ev-popup .ctl-open', { timeout: 10000 });
    await page.click('.maplibregl-popup .ev-popup .ctl-open');
    await page.waitForSelector('.maplibregl-popup .ctl-popup', { timeout: 10000 });
    assert.equal(await page.getAttribute('.maplibregl-popup .ctl-popup', 'data-settlement-id'), String(settlement.id));
    await page.keyboard.press('Escape');
    await reset(page);
  });

  test('control overlay: hostile text in a timeline is shown literally and runs nothing', async () => {
    const hostile = {
      type: 'FeatureCollection',
      numberMatched: 1,
      numberReturned: 1,
      features: [
        {
          type: 'Feature',
          id: 'gn-999999',
          geometry: { type: 'Point', coordinates: [33.1, 49.2] },
          properties: {
            name: `Test village ${XSS}`,
            status: 'held_ru',
            status_since: '2025-01-01',
            status_basis: 'claims',
            n_claims: 1,
            n_fighting: 0,
            last_fighting_date: null,
            date: '2025-01-02',
            timeline: [
              {
                date: '2025-01-01',
                date_end: '2025-01-01',
                assertion: 'held',
                claimant: 'russia',
                claims: [{ by: `<b>someone</b>`, stance: 'confirmed' }],
                source: `Wire ${XSS}`,
                url: 'javascript:alert(2)',
                evidence: `An invented sentence ${XSS} for the test.`,
              },
            ],
          },
        },
      ],
    };
    const { page, log, context } = await openPage(browser, server.url, {
      setup: (ctx) => ctx.route('**/collections/control/items*', (route) => route.fulfill({ status: 200, contentType: 'application/geo+json', body: JSON.stringify(hostile) })),
    });
    try {
      await openSettlement(page, hostile.features[0]);
      const text = await page.textContent('.maplibregl-popup .ctl-popup');
      assert.ok(text.includes(`Test village ${XSS}`) && text.includes(`An invented sentence ${XSS}`), `the popup does not show the text literally: ${text}`);
      assert.ok(text.includes('<b>someone</b>'));
      assert.equal(await page.evaluate(() => document.querySelectorAll('.maplibregl-popup img, img[src="x"], .maplibregl-popup b').length), 0);
      const hrefs = await page.$$eval('.maplibregl-popup a', (as) => as.map((a) => a.getAttribute('href')));
      assert.deepEqual(hrefs, [], 'a link was made of a javascript: URL');
      await page.waitForTimeout(500);
      assert.deepEqual(log.dialogs, []);
      assert.deepEqual(log.pageErrors, []);
    } finally {
      await context.close();
    }
  });

  test('overlay toggles hide and show the layers and survive a reload via the URL', async () => {
    const { page } = desktop;
    const ui = await uiState(page);
    await overlayLoaded(page, 'control', ui.to);
    assert.ok((await renderedControl(page)).size > 0, 'no settlement marker drawn');
    const visibility = () =>
      page.evaluate(() => Object.fromEntries(['control-points', 'frontline-fill', 'frontline-line', 'activity-fill', 'activity-line'].map((id) => [id, window.map.getLayoutProperty(id, 'visibility') || 'visible'])));
    assert.deepEqual(await visibility(), { 'control-points': 'visible', 'frontline-fill': 'visible', 'frontline-line': 'visible', 'activity-fill': 'none', 'activity-line': 'none' }, 'default overlays');
    await page.uncheck('#control-toggle');
    await idle(page);
    assert.equal((await renderedControl(page)).size, 0, 'markers still drawn with the control overlay off');
    await page.check('#activity-toggle');
    await overlayLoaded(page, 'activity', ui.to);
    await page.uncheck('#lines-toggle');
    await page.waitForFunction(() => /control=0/.test(location.hash) && /activity=1/.test(location.hash) && /lines=0/.test(location.hash), null, { timeout: 5000 });
    const off = await visibility();
    assert.deepEqual(off, { 'control-points': 'none', 'frontline-fill': 'none', 'frontline-line': 'none', 'activity-fill': 'visible', 'activity-line': 'visible' });
    await page.reload();
    await page.waitForFunction(() => window.mapReady === true, null, { timeout: 60000 });
    await overlayLoaded(page, 'activity', ui.to);
    assert.deepEqual(
      await page.evaluate(() => ['control-toggle', 'lines-toggle', 'activity-toggle'].map((id) => document.getElementById(id).checked)),
      [false, false, true],
      'toggles after the reload',
    );
    assert.deepEqual(await visibility(), off, 'layers after the reload');
    const requested = await page.evaluate(() => window.frontline.overlayRequests);
    assert.ok(requested.some((u) => u.startsWith('/collections/activity/')), 'activity not requested after the reload');
    assert.ok(!requested.some((u) => u.startsWith('/collections/control/') || u.startsWith('/collections/frontline/')), `a hidden overlay was requested: ${requested}`);
    assert.equal((await renderedControl(page)).size, 0);
    // Back on: loaded for the current date and drawn.
    await page.check('#control-toggle');
    await overlayLoaded(page, 'control', ui.to);
    assert.deepEqual(sortedEntries(coloured(await renderedControl(page))), sortedEntries(await apiControl(page)));
    await page.waitForFunction(() => !/control=0/.test(location.hash), null, { timeout: 5000 });
    await reset(page);
  });

  test('activity overlay: the zones of the 14 days up to the selected date', async () => {
    const { page } = desktop;
    const ui = await uiState(page);
    // A day with zones and one without, from the API.
    let withZones = null;
    let without = null;
    for (let back = 0; back <= 400 && !(withZones && without); back += 5) {
      const day = new Date(Date.parse(`${ui.to}T00:00:00Z`) - back * 86400000).toISOString().slice(0, 10);
      const n = (await getJson(`/collections/activity/items?datetime=${day}&limit=1`)).numberMatched;
      if (n > 0 && !withZones) withZones = day;
      if (n === 0 && !without) without = day;
    }
    assert.ok(withZones && without, `no day with and without activity zones (${withZones}, ${without})`);
    await page.check('#activity-toggle');
    await showDay(page, withZones, 'activity');
    assert.equal((await overlayQuery(page, 'activity')).query.get('datetime'), withZones);
    // Zoom to the zones (tiny polygons may vanish at a low zoom), then compare with the API.
    const all = await getJson(`/collections/activity/items?datetime=${withZones}&limit=1000`);
    const pts = all.features.flatMap((f) => f.geometry.coordinates.flat());
    const box = [Math.min(...pts.map((p) => p[0])), Math.min(...pts.map((p) => p[1])), Math.max(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[1]))];
    await page.evaluate((b) => window.map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 80, duration: 0, maxZoom: 11 }), box);
    await overlayLoaded(page, 'activity', withZones, { point: [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2] });
    const o = await overlayQuery(page, 'activity');
    const api = await getJson(`/collections/activity/items?datetime=${withZones}&bbox=${o.query.get('bbox')}&limit=1000`);
    const drawn = await page.evaluate(() => [...new Set(window.map.queryRenderedFeatures({ layers: ['activity-fill'] }).map((f) => f.properties._id))].sort());
    assert.ok(api.features.length > 0);
    assert.deepEqual(drawn, api.features.map((f) => String(f.id)).sort(), 'zones drawn differ from the API');
    await page.screenshot({ path: join(out, 'activity-1280x800.png') });
    await showDay(page, without, 'activity');
    assert.equal(await page.evaluate(() => window.map.queryRenderedFeatures({ layers: ['activity-fill'] }).length), 0, `zones drawn on ${without}, which has none`);
    await reset(page);
  });

  test('front lines: the snapshot in force on the selected date is drawn, per layer', async () => {
    const { page } = desktop;
    if (!linesImported) {
      // A server that is not ours: at least the layer exists and follows the date.
      const ui = await uiState(page);
      await overlayLoaded(page, 'lines', ui.to);
      assert.equal((await overlayQuery(page, 'lines')).query.get('datetime'), ui.to);
      assert.ok(await page.evaluate(() => !!window.map.getLayer('frontline-fill') && !!window.map.getLayer('frontline-line')));
      return;
    }
    await waitForLayer(server.url, { layer: TEST_LAYER, date: '2025-03-01', snapshot: '2025-02-20' });
    await reset(page); // a fresh page: its first request comes after the import
    const inside = async (pt) =>
      page.evaluate(([p, layer]) => {
        const xy = window.map.project(p);
        return window.map.queryRenderedFeatures([xy.x, xy.y], { layers: ['frontline-fill'] }).some((f) => f.properties.layer === layer);
      }, [pt, TEST_LAYER]);
    const legend = () => page.textContent('#legend');
    // After the second snapshot: the larger area.
    await showDay(page, '2025-03-01', 'lines');
    assert.equal((await overlayQuery(page, 'lines')).query.get('datetime'), '2025-03-01');
    const api = await getJson('/collections/frontline/items?datetime=2025-03-01');
    const drawnLayers = await page.evaluate(() => [...new Set(window.map.queryRenderedFeatures({ layers: ['frontline-fill'] }).map((f) => f.properties.layer))].sort());
    assert.deepEqual(drawnLayers, [...new Set(api.features.map((f) => f.properties.layer))].sort());
    assert.ok(await inside(BOTH_POINT), 'the area of both snapshots is not drawn');
    assert.ok(await inside(LATER_POINT), 'the area of the later snapshot is not drawn');
    assert.match(await legend(), new RegExp(`${TEST_LAYER}: snapshot of 2025-02-20`));
    await page.screenshot({ path: join(out, 'frontline-1280x800.png') });
    // Between the snapshots: the first one, valid until the second.
    await showDay(page, '2025-01-20', 'lines');
    assert.ok(await inside(BOTH_POINT));
    assert.ok(!(await inside(LATER_POINT)), 'the later snapshot is drawn before its date');
    assert.match(await legend(), new RegExp(`${TEST_LAYER}: snapshot of 2025-01-10 \\(valid until 2025-02-20\\)`));
    // Before the first snapshot: nothing of this layer.
    await showDay(page, '2024-12-01', 'lines');
    assert.ok(!(await inside(BOTH_POINT)), 'the layer is drawn before its first snapshot');
    assert.ok(!(await legend()).includes(`${TEST_LAYER}:`));
    await reset(page);
  });

  test('an overlay collection that fails or is empty leaves the map working', async () => {
    const { page, log, context } = await openPage(browser, server.url, {
      path: '/#activity=1',
      setup: async (ctx) => {
        await ctx.route('**/collections/activity/items*', (r) => r.fulfill({ status: 500, contentType: 'application/problem+json', body: JSON.stringify({ title: 'Internal error', status: 500, detail: 'test failure' }) }));
        await ctx.route('**/collections/frontline/items*', (r) => r.abort('failed'));
        await ctx.route('**/collections/control/items*', (r) =>
          r.fulfill({ status: 200, contentType: 'application/geo+json', body: JSON.stringify({ type: 'FeatureCollection', features: [], numberMatched: 0, numberReturned: 0 }) }),
        );
      },
    });
    try {
      const ui = await uiState(page);
      for (const name of ['control', 'lines', 'activity']) await overlayLoaded(page, name, ui.to);
      const o = await page.evaluate(() => window.frontline.overlays);
      assert.equal(o.control.status, 'loaded');
      assert.equal(o.control.count, 0);
      assert.equal(o.activity.status, 'error');
      assert.match(o.activity.error, /500/);
      assert.equal(o.lines.status, 'error');
      assert.equal(await page.evaluate(() => window.map.queryRenderedFeatures({ layers: ['control-points', 'frontline-fill', 'activity-fill'] }).length), 0);
      // The events still work, and the slider too.
      await assertCountsMatchApi(page, 'with failing overlays');
      await setRange(page, '#slider', Math.floor(Number(await page.getAttribute('#slider', 'max')) / 2));
      const moved = await uiState(page);
      await overlayLoaded(page, 'activity', moved.to);
      await assertCountsMatchApi(page, 'with failing overlays, slider moved');
      assert.equal((await page.evaluate(() => window.frontline.overlays)).activity.status, 'error');
      assert.match(await page.textContent('#legend'), /Could not be loaded/);
      assert.deepEqual(log.pageErrors, [], 'uncaught errors');
      // Only the browser's own reports of the failed requests.
      for (const e of log.consoleErrors) assert.match(e, /Failed to load resource|net::ERR_FAILED/);
    } finally {
      await context.close();
    }
  });

  test('phone size: the map and controls fit 390x844', async () => {
    const phone = await openPage(browser, server.url, { width: 390, height: 844 });
    measurements.phoneReadyMs = phone.readyMs;
    await idle(phone.page);
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
    const box = await phone.page.evaluate(() => {
      const r = document.getElementById('map').getBoundingClientRect();
      return { w: r.width, h: r.height };
    });
    assert.ok(box.w >= 380 && box.h >= 300, `map too small on a phone: ${JSON.stringify(box)}`);
    await assertCountsMatchApi(phone.page, 'phone');
    await phone.page.screenshot({ path: join(out, 'phone-390x844.png') });
    assert.deepEqual(phone.log.consoleErrors, []);
    assert.deepEqual(phone.log.pageErrors, []);
    assert.deepEqual(phone.log.external, []);
    await phone.context.close();
  });

  test('no console errors, page errors or dialogs in the whole run', () => {
    const { log } = desktop;
    assert.deepEqual(log.consoleErrors, []);
    assert.deepEqual(log.pageErrors, []);
    assert.deepEqual(log.dialogs, []);
    assert.deepEqual(log.external, []);
  });
});
