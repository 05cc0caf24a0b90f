import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../integration/harness.js';
import { signIn, watchProblems } from './app.js';
import { launchChromium } from './chromium.js';

describe('a configured raster base map in Chromium', () => {
  let server: TestServer;
  let tiles: Server;
  let browser: Browser;
  const requested: string[] = [];

  beforeAll(async () => {
    // A tile server on another origin, as a real provider would be.
    const png = readFileSync('public/icons/icon-192.png');
    tiles = createServer((req, res) => {
      requested.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'image/png', 'access-control-allow-origin': '*' });
      res.end(png);
    });
    await new Promise<void>((resolve) => tiles.listen(0, '127.0.0.1', resolve));
    const port = (tiles.address() as AddressInfo).port;
    server = await startServer('sqlite', { staticDir: 'dist/app', map: { rasterTiles: `http://127.0.0.1:${port}/tiles/{z}/{x}/{y}.png`, gcj02: false } });
    browser = await launchChromium({ webgl: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await new Promise((resolve) => tiles?.close(resolve));
  });

  it('draws tiles from the configured server under a CSP that allows it, and keeps them in the service worker\'s tile cache', async () => {
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(server.url);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await signIn(page, 'J001');
    await page.locator('[data-testid="map"][data-ready="yes"]').waitFor({ timeout: 30_000 });
    await expect.poll(() => requested.filter((u) => /^\/tiles\/\d+\/\d+\/\d+\.png$/.test(u)).length, { timeout: 20_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.evaluate(async () => (await (await caches.open('xf-tiles')).keys()).length), { timeout: 10_000 }).toBeGreaterThan(0);

    const cached = await page.evaluate(async () => (await (await caches.open('xf-tiles')).keys()).map((r) => new URL(r.url).pathname));
    expect(cached.every((path) => /^\/tiles\/\d+\/\d+\/\d+\.png$/.test(path))).toBe(true);

    // Offline, a reload still opens the map with the kept base-map settings.
    await context.setOffline(true);
    await page.reload();
    await page.locator('[data-testid="map"][data-ready="yes"]').waitFor({ timeout: 30_000 });
    expect(problems).toEqual([]);
    await context.close();
  });
});
