// Shared helpers of the browser tests: start `frontline serve --demo`, launch
// Debian's chromium through playwright-core (recipe of serving.md §5.3), and
// read what the map renders.

import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');
export const outputDir = join(repoRoot, 'test-output', 'browser');
export const CHROMIUM_BIN = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
export const TOKEN = 'browser-test-token';

export function ensureOutputDir() {
  mkdirSync(outputDir, { recursive: true });
  return outputDir;
}

/**
 * Start the server under test. FRONTLINE_URL points at a running server
 * (development against tests/browser/mock-server.mjs); otherwise FRONTLINE_BIN
 * is started as `serve --demo --bind 127.0.0.1:0` and its first stdout line,
 * `listening on http://127.0.0.1:PORT`, gives the address.
 *
 * The server gets a temporary directory of its own as TMPDIR, so the demo's
 * temporary database is the one `frontline-demo-*.db` there: `demoDb()` names
 * it (null when running against FRONTLINE_URL), for `importLayer`.
 */
export async function startServer({ demo = true, args: extraArgs = [] } = {}) {
  if (process.env.FRONTLINE_URL) return { url: process.env.FRONTLINE_URL.replace(/\/$/, ''), stop: async () => {}, demoDb: () => null };
  const bin = process.env.FRONTLINE_BIN;
  if (!bin) throw new Error('set FRONTLINE_BIN to the frontline binary (or FRONTLINE_URL to a running server)');
  if (!existsSync(bin)) throw new Error(`FRONTLINE_BIN=${bin} does not exist`);
  const tmp = mkdtempSync(join(tmpdir(), 'frontline-browser-'));
  const child = spawn(bin, ['serve', ...(demo ? ['--demo'] : []), '--bind', '127.0.0.1:0', ...extraArgs], {
    cwd: repoRoot,
    env: { ...process.env, TMPDIR: tmp, FRONTLINE_TOKEN: TOKEN, RUST_LOG: process.env.RUST_LOG || 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.length > 20000) stderr = stderr.slice(-20000);
  });
  const url = await new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not print its address within 120 s; stderr:\n${stderr}`)), 120000);
    const rl = createInterface({ input: child.stdout });
    rl.once('line', (line) => {
      clearTimeout(timer);
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) resolvePromise(m[1].replace(/\/$/, ''));
      else reject(new Error(`unexpected first stdout line of the server: ${JSON.stringify(line)}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening; stderr:\n${stderr}`));
    });
  });
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10000);
      await exited;
      clearTimeout(t);
    }
    rmSync(tmp, { recursive: true, force: true });
  };
  const demoDb = () => {
    const f = readdirSync(tmp).find((n) => /^frontline-demo-.*\.db$/.test(n));
    return f ? join(tmp, f) : null;
  };
  return { url, stop, stderr: () => stderr, tmp, bin, demoDb };
}

/**
 * Import a polygon snapshot into the running server's database with
 * `frontline layers import --layer LAYER --date DATE FILE --db DB` (the server
 * picks it up within about 10 s; see `waitForLayer`). Returns false when the
 * server is not ours (FRONTLINE_URL).
 */
export async function importLayer(server, { layer, date, geojson }) {
  const db = server.demoDb();
  if (!db) return false;
  const file = join(server.tmp, `${layer}-${date}.geojson`);
  writeFileSync(file, JSON.stringify(geojson));
  await new Promise((resolvePromise, reject) => {
    execFile(server.bin, ['layers', 'import', '--layer', layer, '--date', date, file, '--db', db], { cwd: repoRoot }, (err, stdout, stderr) => {
      if (err) reject(new Error(`layers import failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolvePromise(stdout);
    });
  });
  return true;
}

/** Wait until `GET /collections/frontline/items?datetime=DATE` serves LAYER's snapshot of SNAPSHOT. */
export async function waitForLayer(baseUrl, { layer, date, snapshot, timeoutMs = 30000 }) {
  const t0 = Date.now();
  for (;;) {
    const res = await fetch(`${baseUrl}/collections/frontline/items?datetime=${date}`, { headers: { Accept: 'application/geo+json' } });
    if (res.ok) {
      const body = await res.json();
      const f = body.features.find((x) => x.properties.layer === layer);
      if (f && (!snapshot || f.properties.valid_from === snapshot)) return f;
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`layer ${layer} (snapshot ${snapshot}) not served for ${date} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Wait until an overlay of the page (control | lines | activity) has loaded (or
 * failed) for the date `date` (YYYY-MM-DD) and, with `point` ([lng, lat]), for a
 * bbox holding that point; then until the map is idle.
 */
export async function overlayLoaded(page, name, date, { point = null, timeout = 20000 } = {}) {
  await page.waitForFunction(
    ([n, d, pt]) => {
      const f = window.frontline;
      const o = f && f.overlays[n];
      if (!o || f.overlaysBusy || !(o.status === 'loaded' || o.status === 'error') || (d && o.date !== d)) return false;
      if (!pt) return true;
      const bbox = new URLSearchParams(String(o.url).split('?')[1] || '').get('bbox');
      if (!bbox) return true;
      const [w, s, e, nn] = bbox.split(',').map(Number);
      return pt[0] >= w && pt[0] <= e && pt[1] >= s && pt[1] <= nn;
    },
    [name, date, point],
    { timeout },
  );
  await idle(page);
}

export async function launchBrowser() {
  if (!existsSync(CHROMIUM_BIN)) {
    throw new Error(`${CHROMIUM_BIN} not found: install Debian's chromium (apt-get install -y chromium); never \`npx playwright install\``);
  }
  return chromium.launch({
    executablePath: CHROMIUM_BIN,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * A page that records console errors, page errors, dialogs and every request
 * to another origin (which is aborted: the map must work offline).
 */
export async function openPage(browser, baseUrl, { width = 1280, height = 800, path = '/', setup = null } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const log = { consoleErrors: [], pageErrors: [], dialogs: [], external: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') log.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => log.pageErrors.push(String(e && e.message ? e.message : e)));
  page.on('dialog', async (d) => {
    log.dialogs.push(`${d.type()}: ${d.message()}`);
    await d.dismiss().catch(() => {});
  });
  const origin = new URL(baseUrl).origin;
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith('data:') || u.startsWith('blob:') || u.startsWith(origin)) return route.continue();
    log.external.push(u);
    return route.abort();
  });
  // Routes of the caller (registered later, so tried first).
  if (setup) await setup(context, page);
  const t0 = Date.now();
  await page.goto(baseUrl + path);
  await page.waitForFunction(() => window.mapReady === true, null, { timeout: 60000 });
  const readyMs = Date.now() - t0;
  return { context, page, log, readyMs };
}

/** Resolve once the map is idle (recipe of serving.md §5.3). */
export function idle(page) {
  return page.evaluate(
    () =>
      new Promise((r) => {
        const m = window.map;
        if (m.loaded() && m.areTilesLoaded() && !m.isMoving()) r();
        else m.once('idle', r);
      }),
  );
}

/** Rendered event features and the number of events they represent. */
export function countRendered(page) {
  return page.evaluate(() => {
    const fs = window.map.queryRenderedFeatures({ layers: ['events-clusters', 'events-points'] });
    return { rendered: fs.length, represented: fs.reduce((a, f) => a + (f.properties.point_count || 1), 0) };
  });
}

/** What the page's controls say: view bbox, date window, filters. */
export function uiState(page) {
  return page.evaluate(() => {
    const b = window.map.getBounds();
    const checked = [...document.querySelectorAll('#type-list input')].filter((i) => i.checked).map((i) => i.value);
    const all = document.querySelectorAll('#type-list input').length;
    return {
      bounds: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()],
      from: document.getElementById('slider-start-label').textContent,
      to: document.getElementById('slider-label').textContent,
      showAll: document.getElementById('show-all').checked,
      actor: document.getElementById('actor-filter').value,
      precision: document.getElementById('precision-filter').value,
      types: checked.length === all ? null : checked,
      counter: document.getElementById('count').dataset.count,
      counterText: document.getElementById('counter').textContent.replace(/\s+/g, ' ').trim(),
    };
  });
}

/**
 * numberMatched from the API for the page's current view and controls, built
 * here from the controls (not from the page's own requests).
 */
export async function apiCount(baseUrl, ui) {
  const [w, s, e, n] = ui.bounds;
  const q = new URLSearchParams({
    bbox: [Math.max(-180, w), Math.max(-90, s), Math.min(180, e), Math.min(90, n)].map((x) => x.toFixed(6)).join(','),
    datetime: `${ui.from}T00:00:00Z/${ui.to}T23:59:59Z`,
    limit: '1',
  });
  if (!ui.showAll) q.set('frontline', 'true');
  if (ui.actor) q.set('actor', ui.actor);
  if (ui.precision) q.set('precision', ui.precision);
  const types = ui.types || [null];
  let total = 0;
  for (const t of types) {
    const qq = new URLSearchParams(q);
    if (t) qq.set('event_type', t);
    const res = await fetch(`${baseUrl}/collections/events/items?${qq}`, { headers: { Accept: 'application/geo+json' } });
    if (!res.ok) throw new Error(`GET items?${qq} -> ${res.status}: ${await res.text()}`);
    const body = await res.json();
    total += body.numberMatched;
  }
  return total;
}

/** Every event of the collection (paging through `next`). */
export async function allEvents(baseUrl) {
  const out = [];
  let url = `${baseUrl}/collections/events/items?limit=10000`;
  for (let i = 0; url && i < 100; i++) {
    const res = await fetch(url, { headers: { Accept: 'application/geo+json' } });
    if (!res.ok) throw new Error(`GET ${url} -> ${res.status}`);
    const body = await res.json();
    out.push(...body.features);
    const next = (body.links || []).find((l) => l.rel === 'next');
    url = next ? new URL(next.href, baseUrl).href : null;
  }
  return out;
}

/** Set a range input and fire `input` as a user drag would. */
export async function setRange(page, selector, value) {
  await page.fill(selector, String(value));
  await page.dispatchEvent(selector, 'input');
}

/** Click the map at a longitude/latitude. */
export async function clickLngLat(page, lngLat) {
  const pt = await page.evaluate(([lng, lat]) => {
    const p = window.map.project([lng, lat]);
    const r = window.map.getContainer().getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  }, lngLat);
  await page.mouse.click(pt.x, pt.y);
}
