#!/usr/bin/env node
// Load time of the web map with a big database (a measurement, not a test).
//
//   node tests/browser/gen-load-docs.mjs 102000 > /tmp/load.jsonl
//   frontline ingest --db /tmp/load.db /tmp/load.jsonl
//   FRONTLINE_BIN=target/release/frontline node tests/browser/loadtime.mjs /tmp/load.db [RUNS]
//
// Reports, per run, the time from navigation to window.mapReady (first data
// drawn, after `idle`) in a fresh browser context (cold cache) and a reload
// (warm cache), plus the time of the initial items request alone.

import { idle, launchBrowser, openPage, startServer, uiState } from './lib.mjs';

const db = process.argv[2];
const runs = Number(process.argv[3] || 5);
if (!db) {
  console.error('usage: loadtime.mjs DB [RUNS]');
  process.exit(2);
}
const server = await startServer({ demo: false, args: ['--db', db] });
const browser = await launchBrowser();
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const total = (await (await fetch(`${server.url}/collections/events/items?limit=1`)).json()).numberMatched;
  const cold = [];
  const warm = [];
  const api = [];
  let shown = null;
  for (let i = 0; i < runs; i++) {
    const { context, page, readyMs, log } = await openPage(browser, server.url, { width: 1280, height: 800 });
    cold.push(readyMs);
    const t0 = Date.now();
    await page.reload();
    await page.waitForFunction(() => window.mapReady === true, null, { timeout: 60000 });
    warm.push(Date.now() - t0);
    await idle(page);
    const ui = await uiState(page);
    shown = ui.counterText;
    const q = new URLSearchParams({ bbox: ui.bounds.map((x) => x.toFixed(4)).join(','), datetime: `${ui.from}T00:00:00Z/${ui.to}T23:59:59Z`, limit: '10000', frontline: 'true' });
    const t1 = Date.now();
    const body = await (await fetch(`${server.url}/collections/events/items?${q}`, { headers: { 'Accept-Encoding': 'gzip' } })).text();
    api.push(Date.now() - t1);
    if (i === 0) console.log(`initial items response: ${(body.length / 1e6).toFixed(1)} MB for ${ui.counterText}`);
    if (log.consoleErrors.length) console.log('console errors:', log.consoleErrors);
    await context.close();
  }
  console.log(JSON.stringify({ events_in_db: total, runs, counter: shown, cold_ms: cold, warm_ms: warm, items_request_ms: api, median_cold_ms: median(cold), median_warm_ms: median(warm), median_items_ms: median(api) }, null, 2));
} finally {
  await browser.close();
  await server.stop();
}
