import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../integration/harness.js';
import { signIn, watchProblems } from './app.js';
import { launchChromium } from './chromium.js';

/** Width and height of a PNG, from its IHDR chunk. */
function pngSize(bytes: Uint8Array): [number, number] {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  expect([...bytes.slice(1, 4)]).toEqual([0x50, 0x4e, 0x47]); // "PNG"
  return [view.getUint32(16), view.getUint32(20)];
}

describe('the installable, offline app shell in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let cspViolations: string[] = [];

  beforeAll(async () => {
    server = await startServer('sqlite', { staticDir: 'dist/app' });
    browser = await launchChromium();
    context = await browser.newContext({ locale: 'zh-CN' });
    page = await context.newPage();
    cspViolations = watchProblems(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('installs the service worker on the first visit and says the app is ready offline', async () => {
    await page.goto(server.url);
    await page.getByLabel('警号').waitFor();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await page.getByText('已可离线使用').waitFor();
    const scriptURL = await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.scriptURL);
    expect(scriptURL).toBe(`${server.url}/sw.js`);
  });

  it('links a valid web manifest with 192, 512 and maskable PNG icons', async () => {
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    expect(href).toBe('/manifest.webmanifest');
    const manifest = await (await page.request.get(server.url + href)).json();
    expect(manifest).toMatchObject({ name: '巡防 Xunfang', short_name: '巡防', display: 'standalone', start_url: '/', scope: '/' });
    expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
    const icons = manifest.icons as Array<{ src: string; sizes: string; type: string; purpose: string }>;
    for (const [sizes, purpose] of [
      ['192x192', 'any'],
      ['512x512', 'any'],
      ['512x512', 'maskable'],
    ] as const) {
      const icon = icons.find((i) => i.sizes === sizes && i.purpose === purpose);
      expect(icon, `${sizes} ${purpose}`).toBeDefined();
      const response = await page.request.get(server.url + icon!.src);
      expect(response.headers()['content-type']).toBe('image/png');
      expect(pngSize(await response.body()).join('x')).toBe(sizes);
    }
  });

  it('lands a signed-in officer on the officer home, in Chinese by default', async () => {
    await signIn(page, 'J001');
    await page.getByRole('heading', { name: '民警工作台' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/officer');
    expect(await page.locator('.who').textContent()).toContain('陈志强（J001）');
  });

  it('still opens the officer home after going offline and reloading', async () => {
    await context.setOffline(true);
    await page.reload();
    await page.getByRole('heading', { name: '民警工作台' }).waitFor();
    expect(await page.getByTestId('net-status').textContent()).toBe('离线');
    await page.getByText('当前离线').waitFor();
  });

  it('remembers English when the officer switches language', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Officer' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Officer' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('heading', { name: '民警工作台' }).waitFor();
  });

  it('says "offline" when a call needs the server, instead of failing silently', async () => {
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.getByLabel('警号').waitFor();
    await page.getByRole('alert').filter({ hasText: '离线' }).first().waitFor();
    await signIn(page, 'J002');
    await page.locator('.form-error').filter({ hasText: '离线' }).waitFor();
  });

  it('ends the server session of an officer who signed out offline, once back online', async () => {
    await context.setOffline(false);
    await page.reload();
    await page.getByLabel('警号').waitFor();
    await expect.poll(async () => (await page.request.get(`${server.url}/api/auth/session`)).status()).toBe(401);
  });

  it('shows each role its own home', async () => {
    const homes = { L001: '组长工作台', S001: '督导工作台', A001: '管理工作台' } as const;
    for (const [badge, heading] of Object.entries(homes)) {
      const fresh = await context.newPage();
      await fresh.goto(server.url);
      await signIn(fresh, badge);
      await fresh.getByRole('heading', { name: heading }).waitFor();
      // No list of "coming later" features: each home shows what exists.
      expect(await fresh.getByText('正在建设中').count()).toBe(0);
      await fresh.getByRole('button', { name: '退出登录' }).click();
      await fresh.getByLabel('警号').waitFor();
      await fresh.close();
    }
  });

  it('ran without a single CSP violation or page error', () => {
    expect(cspViolations).toEqual([]);
  });
});
