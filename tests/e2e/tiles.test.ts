import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tilesIn } from '../../src/domain/tiles.js';
import { readMapConfig } from '../../src/server/config.js';
import { startServer, type TestServer } from '../integration/harness.js';
import { writePmtiles } from '../support/pmtiles.js';
import { signIn, unlock, watchProblems } from './app.js';
import { launchChromium } from './chromium.js';

const png = readFileSync('public/icons/icon-192.png');

/** A tile host on another origin, as a real provider would be: XYZ tiles, and a style whose source is a TileJSON. */
async function startTileHost(): Promise<{ origin: string; requested: string[]; close(): Promise<void> }> {
  const requested: string[] = [];
  let origin = '';
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '';
    requested.push(path);
    const json = (body: object) => (
      res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' }),
      res.end(JSON.stringify(body))
    );
    if (path === '/style.json')
      return json({
        version: 8,
        sources: { base: { type: 'raster', url: `${origin}/tilejson.json`, tileSize: 256 } },
        layers: [{ id: 'base', type: 'raster', source: 'base' }],
      });
    if (path === '/tilejson.json') return json({ tilejson: '2.2.0', tiles: [`${origin}/vt/{z}/{x}/{y}.png`], minzoom: 0, maxzoom: 18 });
    res.writeHead(200, { 'content-type': 'image/png', 'access-control-allow-origin': '*' });
    res.end(png);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, requested, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Signs J001 in on a phone-sized page and waits for the map; `inFlight` counts the page's requests to `origin` not yet answered. */
async function openOfficerMap(
  browser: Browser,
  server: TestServer,
  origin = server.url,
): Promise<{ context: BrowserContext; page: Page; problems: string[]; inFlight: () => number }> {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 412, height: 860 } });
  const page = await context.newPage();
  const problems = watchProblems(page);
  let inFlight = 0;
  const counted = (request: Request) => request.url().startsWith(origin);
  page.on('request', (r) => void (counted(r) && inFlight++));
  page.on('requestfinished', (r) => void (counted(r) && inFlight--));
  page.on('requestfailed', (r) => void (counted(r) && inFlight--));
  await page.goto(server.url);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await signIn(page, 'J001');
  await page.locator('[data-testid="map"][data-ready="yes"]').waitFor({ timeout: 30_000 });
  return { context, page, problems, inFlight: () => inFlight };
}

/** Goes through the download as the officer would: asks, reads the size, agrees, waits for 100 %. Returns what is kept. */
async function downloadArea(page: Page, sizeText: RegExp): Promise<string[]> {
  const area = page.getByTestId('offline-area');
  await area.getByRole('button', { name: '下载辖区离线地图' }).click();
  // The count and the size come first; nothing is stored before the officer agrees.
  const estimate = area.getByTestId('area-estimate');
  await estimate.waitFor();
  const count = Number(await estimate.getAttribute('data-count'));
  expect(await estimate.textContent()).toMatch(sizeText);
  expect(await page.evaluate(() => caches.has('xf-area'))).toBe(false);

  await area.getByRole('button', { name: '确认下载' }).click();
  await area.getByTestId('area-done').waitFor({ timeout: 60_000 });
  const progress = area.getByTestId('area-progress');
  expect(await progress.getAttribute('value')).toBe(String(count));
  expect(await progress.getAttribute('max')).toBe(String(count));
  expect(await area.getByTestId('area-done').textContent()).toContain(`离线地图已就绪：${count} 个文件`);
  const kept = await page.evaluate(async () => (await (await caches.open('xf-area')).keys()).map((r) => r.url));
  expect(kept.length).toBe(count);
  return kept;
}

/**
 * Forgets what browsing kept, cuts the network and reloads: the map must come up with the kept
 * files answered by the service worker. Returns the kept URLs the map asked for.
 */
async function reloadOffline(context: BrowserContext, page: Page, kept: string[]): Promise<{ fromCache: string[]; failed: string[] }> {
  await page.evaluate(() => caches.delete('xf-tiles'));
  await context.setOffline(true);
  const fromCache: string[] = [];
  const failed: string[] = [];
  page.on('response', (r) => {
    if (kept.includes(r.url()) && r.ok() && r.fromServiceWorker()) fromCache.push(r.url());
  });
  page.on('requestfailed', (r) => {
    if (kept.includes(r.url())) failed.push(r.url());
  });
  await page.reload();
  await unlock(page); // the data key left memory with the page (issue 16)
  await page.locator('[data-testid="map"][data-ready="yes"]').waitFor({ timeout: 30_000 });
  await expect.poll(() => fromCache.length, { timeout: 20_000 }).toBeGreaterThan(0);
  return { fromCache, failed };
}

describe('a configured raster base map in Chromium', () => {
  let server: TestServer;
  let host: Awaited<ReturnType<typeof startTileHost>>;
  let browser: Browser;

  beforeAll(async () => {
    host = await startTileHost();
    server = await startServer('sqlite', { staticDir: 'dist/app', map: readMapConfig({ MAP_RASTER_TILES: `${host.origin}/tiles/{z}/{x}/{y}.png` }) });
    browser = await launchChromium({ webgl: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await host?.close();
  });

  it("draws tiles from the configured server under a CSP that allows it, and keeps them in the service worker's tile cache", async () => {
    const { context, page, problems } = await openOfficerMap(browser, server);
    await expect.poll(() => host.requested.filter((u) => /^\/tiles\/\d+\/\d+\/\d+\.png$/.test(u)).length, { timeout: 20_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.evaluate(async () => (await (await caches.open('xf-tiles')).keys()).length), { timeout: 10_000 }).toBeGreaterThan(0);

    const cached = await page.evaluate(async () => (await (await caches.open('xf-tiles')).keys()).map((r) => new URL(r.url).pathname));
    expect(cached.every((path) => /^\/tiles\/\d+\/\d+\/\d+\.png$/.test(path))).toBe(true);

    // Offline, a reload still opens the map with the kept base-map settings.
    await context.setOffline(true);
    await page.reload();
    await unlock(page); // the data key left memory with the page (issue 16)
    await page.locator('[data-testid="map"][data-ready="yes"]').waitFor({ timeout: 30_000 });
    expect(problems).toEqual([]);
    await context.close();
  });

  it("downloads the officer's area after showing its size, then draws it from the cache with no network", { timeout: 120_000 }, async () => {
    const { context, page, problems, inFlight } = await openOfficerMap(browser, server, host.origin);
    await page.getByTestId('offline-area').getByLabel('最大缩放级别').selectOption('15');
    const kept = await downloadArea(page, /^将下载 \d+ 个地图文件，约 [\d.]+ MB（估算）。确认下载？$/);
    expect(kept.length).toBeGreaterThan(10);
    expect(kept.every((u) => /\/tiles\/(1[0-5])\/\d+\/\d+\.png$/.test(u))).toBe(true);

    // The map's own requests must have reached the tile host before counting what the reload asks for.
    await expect.poll(inFlight, { timeout: 10_000 }).toBe(0);
    const before = host.requested.length;
    const { failed } = await reloadOffline(context, page, kept);
    expect(failed).toEqual([]);
    // Chromium's offline emulation does not reach the service worker's own fetches, so tiles
    // outside the area may still be asked for; none of the downloaded ones may be.
    const keptPaths = kept.map((u) => new URL(u).pathname);
    expect(host.requested.slice(before).filter((path) => keptPaths.includes(path))).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('a configured style URL in Chromium', () => {
  let server: TestServer;
  let host: Awaited<ReturnType<typeof startTileHost>>;
  let browser: Browser;

  beforeAll(async () => {
    host = await startTileHost();
    server = await startServer('sqlite', { staticDir: 'dist/app', map: readMapConfig({ MAP_STYLE_URL: `${host.origin}/style.json` }) });
    browser = await launchChromium({ webgl: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await host?.close();
  });

  it('downloads the style, its TileJSON and its tiles, and opens offline from them', { timeout: 120_000 }, async () => {
    const { context, page, problems, inFlight } = await openOfficerMap(browser, server, host.origin);
    await expect.poll(() => host.requested.filter((u) => u.startsWith('/vt/')).length, { timeout: 20_000 }).toBeGreaterThan(0);
    await page.getByTestId('offline-area').getByLabel('最大缩放级别').selectOption('15');
    const kept = await downloadArea(page, /^将下载 \d+ 个地图文件，约 [\d.]+ MB（估算）。确认下载？$/);
    expect(kept).toContain(`${host.origin}/style.json`);
    expect(kept).toContain(`${host.origin}/tilejson.json`);

    await expect.poll(inFlight, { timeout: 10_000 }).toBe(0);
    const before = host.requested.length;
    const { fromCache, failed } = await reloadOffline(context, page, kept);
    expect(failed).toEqual([]);
    await expect.poll(() => fromCache.filter((u) => u.includes('/vt/')).length, { timeout: 20_000 }).toBeGreaterThan(0);
    const keptPaths = kept.map((u) => new URL(u).pathname);
    expect(host.requested.slice(before).filter((path) => keptPaths.includes(path))).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe("a PMTiles archive served from the server's disk in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'xf-pmtiles-'));
  const file = join(dir, 'huicheng.pmtiles');

  beforeAll(async () => {
    // Raster tiles over Huicheng from zoom 10 to 14, as a district's own archive would hold.
    const box: [number, number, number, number] = [114.25, 22.95, 114.6, 23.25];
    writeFileSync(file, writePmtiles(new Map([...tilesIn(box, 10, 14)].map((t) => [`${t.z}/${t.x}/${t.y}`, png])), box));
    server = await startServer('sqlite', { staticDir: 'dist/app', map: readMapConfig({ MAP_PMTILES: file }) });
    browser = await launchChromium({ webgl: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the archive whole after showing its size, and reads its byte ranges from the cache offline', { timeout: 120_000 }, async () => {
    const { context, page, problems } = await openOfficerMap(browser, server);
    const mb = (readFileSync(file).length / 1e6).toFixed(1);
    const kept = await downloadArea(page, new RegExp(`^将下载整个地图包，共 ${mb.replace('.', '\\.')} MB。确认下载？$`));
    expect(kept).toEqual([`${server.url}/map/huicheng.pmtiles`]);
    // The server can no longer give it out: what the map reads now can only come from the kept copy.
    rmSync(file);

    const ranges: number[] = [];
    page.on('response', (r) => {
      if (r.url() === kept[0] && r.fromServiceWorker()) ranges.push(r.status());
    });
    const { failed } = await reloadOffline(context, page, kept);
    expect(failed).toEqual([]);
    expect(ranges.length).toBeGreaterThan(0);
    expect(ranges.every((status) => status === 206)).toBe(true);
    expect(await page.locator('.notice, [role="alert"]').filter({ hasText: '底图无法载入' }).count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});
