#!/usr/bin/env node
// Screenshot of the demo map for the README: docs/img/map.png.
//
//   FRONTLINE_BIN=target/debug/frontline node tests/browser/screenshot.mjs [OUT.png]
//
// January 2025, every event type, with the popup of a Kurakhove event open.

import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { clickLngLat, idle, launchBrowser, openPage, repoRoot, startServer } from './lib.mjs';

const outPath = process.argv[2] || join(repoRoot, 'docs', 'img', 'map.png');
const server = await startServer();
const browser = await launchBrowser();
try {
  const { page, log } = await openPage(browser, server.url, { width: 1280, height: 800, path: '/#from=2025-01-01&to=2025-01-31&all=1' });
  await idle(page);
  // Open the popup of an event at Kurakhove, if the demo has one in view.
  const target = await page.evaluate(() => {
    for (const ev of window.frontline.store.values()) if (/kurakhov/i.test(ev.placeName)) return [ev.lon, ev.lat];
    return null;
  });
  if (target) {
    await page.evaluate((c) => window.map.jumpTo({ center: [c[0] + 1.2, c[1] + 0.6], zoom: 6.6 }), target);
    await idle(page);
    const isPoint = await page.evaluate((c) => {
      const p = window.map.project(c);
      return window.map.queryRenderedFeatures([p.x, p.y], { layers: ['events-points'] }).length > 0;
    }, target);
    if (isPoint) {
      await clickLngLat(page, target);
      await page.waitForSelector('.maplibregl-popup .ev-popup');
    }
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
