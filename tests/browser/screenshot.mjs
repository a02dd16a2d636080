#!/usr/bin/env node
// Screenshot of the demo map for the README: docs/img/map.png.
//
//   FRONTLINE_BIN=target/debug/frontline node tests/browser/screenshot.mjs [OUT.png]
//
// Every date and event type, with the popup of one event open.

import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { clickLngLat, idle, launchBrowser, openPage, repoRoot, startServer } from './lib.mjs';

const outPath = process.argv[2] || join(repoRoot, 'docs', 'img', 'map.png');
const server = await startServer();
const browser = await launchBrowser();
try {
  const { page, log } = await openPage(browser, server.url, { width: 1280, height: 800, path: '/#all=1' });
  await idle(page);
  // Open the popup of a point in view, preferring a disputed claim.
  const target = await page.evaluate(() => {
    const fs = window.map.queryRenderedFeatures({ layers: ['events-points'] });
    const evs = fs.map((f) => window.frontline.store.get(f.properties._id)).filter(Boolean);
    evs.sort((a, b) => Number(b.disputed) - Number(a.disputed) || Number(b.precision === 'settlement') - Number(a.precision === 'settlement') || Number(b.frontline) - Number(a.frontline) || a.lon - b.lon);
    return evs[0] ? [evs[0].lon, evs[0].lat] : null;
  });
  if (target) {
    await clickLngLat(page, target);
    await page.waitForSelector('.maplibregl-popup .ev-popup');
  }
  await idle(page);
  mkdirSync(dirname(outPath), { recursive: true });
  await page.screenshot({ path: outPath });
  const errors = [...log.consoleErrors, ...log.pageErrors];
  console.log(`wrote ${outPath}${errors.length ? `; errors: ${errors.join(' | ')}` : ''}`);
} finally {
  await browser.close();
  await server.stop();
}
