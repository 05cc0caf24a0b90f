import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMapConfig } from '../../src/server/config.js';
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
    server = await startServer('sqlite', { staticDir: 'dist/app', map: readMapConfig({ MAP_RASTER_TILES: `http://127.0.0.1:${port}/tiles/{z}/{x}/{y}.png` }) });
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

  it('downloads the officer\'s area after showing its size, then draws it from the cache with no network', { timeout: 120_000 }, async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 412, height: 860 } });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(server.url);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await signIn(page, 'J001');
    await page.locator('[data-testid="map"][data-ready="yes"]').waitFor({ timeout: 30_000 });
    const area = page.getByTestId('offline-area');
    await area.getByLabel('最大缩放级别').selectOption('15');
    await area.getByRole('button', { name: '下载辖区离线地图' }).click();

    // The count and the size come first; nothing is stored before the officer agrees.
    const estimate = area.getByTestId('area-estimate');
    await estimate.waitFor();
    const count = Number(await estimate.getAttribute('data-count'));
    expect(count).toBeGreaterThan(10);
    expect(await estimate.textContent()).toMatch(new RegExp(`将下载 ${count} 个地图文件，约 [\\d.]+ MB（估算）`));
    expect(await page.evaluate(() => caches.has('xf-area'))).toBe(false);

    await area.getByRole('button', { name: '确认下载' }).click();
    await area.getByTestId('area-done').waitFor({ timeout: 60_000 });
    const progress = area.getByTestId('area-progress');
    expect(await progress.getAttribute('value')).toBe(String(count));
    expect(await progress.getAttribute('max')).toBe(String(count));
    expect(await area.getByTestId('area-done').textContent()).toContain(`离线地图已就绪：${count} 个文件`);
    const kept = await page.evaluate(async () => (await (await caches.open('xf-area')).keys()).map((r) => r.url));
    expect(kept.length).toBe(count);

    // Forget what was seen while browsing, so only the download can answer; then lose the network.
    await page.evaluate(() => caches.delete('xf-tiles'));
    await context.setOffline(true);
    await page.waitForTimeout(300); // requests already on the wire when the network went may still land
    const before = requested.length;
    const fromCache: string[] = [];
    const failed: string[] = [];
    page.on('response', (r) => {
      if (kept.includes(r.url()) && r.status() === 200 && r.fromServiceWorker()) fromCache.push(r.url());
    });
    page.on('requestfailed', (r) => {
      if (kept.includes(r.url())) failed.push(r.url());
    });
    await page.reload();
    await page.locator('[data-testid="map"][data-ready="yes"]').waitFor({ timeout: 30_000 });
    await expect.poll(() => fromCache.length, { timeout: 20_000 }).toBeGreaterThan(0);
    expect(failed).toEqual([]);
    // Chromium's offline emulation does not reach the service worker's own fetches, so tiles
    // outside the area may still be asked for; none of the downloaded ones may be.
    const keptPaths = kept.map((u) => new URL(u).pathname);
    expect(requested.slice(before).filter((path) => keptPaths.includes(path))).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
