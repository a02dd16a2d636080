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
  launchBrowser,
  openPage,
  setRange,
  startServer,
  uiState,
} from './lib.mjs';

const XSS = '<img src=x onerror=alert(1)>';
const out = ensureOutputDir();
let server;
let browser;
let desktop; // { page, log, readyMs }
let events; // every demo event from the API
const measurements = {};

before(async () => {
  server = await startServer();
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
    // The selected event is highlighted.
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
