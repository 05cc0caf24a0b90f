import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../integration/harness.js';
import { recordsWaiting, signIn, unlock, watchProblems } from './app.js';
import { launchChromium } from './chromium.js';

/** Width and height of a PNG, from its IHDR chunk. */
function pngSize(bytes: Uint8Array): [number, number] {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  expect([...bytes.slice(1, 4)]).toEqual([0x50, 0x4e, 0x47]); // "PNG"
  return [view.getUint32(16), view.getUint32(20)];
}

/** Picks an entry of the header's menu, as a thumb would: the menu button, then the item. */
async function fromMenu(page: Page, item: string): Promise<void> {
  await page.getByRole('button', { name: /^(菜单|Menu)$/ }).click();
  await page.getByRole('menuitem', { name: item }).click();
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
    // The notice already on screen follows a switch of language, then back.
    await fromMenu(page, 'English');
    await page.getByText('Ready to work offline.').waitFor();
    expect(await page.getByText('已可离线使用').count()).toBe(0);
    await fromMenu(page, '中文');
    await page.getByText('已可离线使用').waitFor();
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
    await unlock(page); // the data key left memory with the page (issue 16)
    await page.getByRole('heading', { name: '民警工作台' }).waitFor();
    expect(await page.getByTestId('net-status').textContent()).toBe('离线');
    await page.getByText('当前离线').waitFor();
  });

  it('remembers English when the officer switches language', async () => {
    await fromMenu(page, 'English');
    await page.getByRole('heading', { name: 'Officer' }).waitFor();
    await page.reload();
    await unlock(page); // the data key left memory with the page (issue 16)
    await page.getByRole('heading', { name: 'Officer' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await fromMenu(page, '中文');
    await page.getByRole('heading', { name: '民警工作台' }).waitFor();
  });

  it('says "offline" when a call needs the server, instead of failing silently', async () => {
    await fromMenu(page, '退出登录');
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
      await fromMenu(fresh, '退出登录');
      await fresh.getByLabel('警号').waitFor();
      await fresh.close();
    }
  });

  it('ran without a single CSP violation or page error', () => {
    expect(cspViolations).toEqual([]);
  });
});

describe('an officer on a 390 × 844 phone', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const warnings: string[] = [];

  beforeAll(async () => {
    server = await startServer('sqlite', { staticDir: 'dist/app' });
    browser = await launchChromium();
    context = await browser.newContext({
      locale: 'zh-CN',
      viewport: { width: 390, height: 844 },
      permissions: ['geolocation'],
      geolocation: { latitude: 23.1115, longitude: 114.4152, accuracy: 6 },
    });
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'warning') warnings.push(message.text());
    });
    await page.goto(server.url);
    await signIn(page, 'J003');
    await page.getByRole('heading', { name: '民警工作台' }).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('opens language and sign-out from one menu button, which Escape closes', async () => {
    const menu = page.getByRole('button', { name: '菜单' });
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    await menu.click();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    expect(await page.getByRole('menuitem').allTextContents()).toEqual(['English', '退出登录']);
    await page.keyboard.press('Escape');
    expect(await page.getByRole('menu').count()).toBe(0);
    expect(await menu.evaluate((button) => button === document.activeElement)).toBe(true);
  });

  it('shows the tracking that began at the top of the page, not the bottom of the start form', async () => {
    await page.getByRole('button', { name: '开始巡逻' }).click();
    const submit = page.getByRole('button', { name: '确认开始巡逻' });
    await submit.scrollIntoViewIfNeeded();
    expect(await page.evaluate(() => scrollY)).toBeGreaterThan(0);
    await submit.click();
    await page.getByText('巡逻中').waitFor();
    await expect.poll(() => page.evaluate(() => scrollY)).toBe(0);
  });

  it('tells the officer once that the screen cannot be kept on, since tracking pauses when it locks', async () => {
    // Headless Chromium refuses the screen wake lock, as a phone in battery saver does.
    await page.getByText('屏幕常亮未获允许').waitFor();
    expect(await page.getByText('屏幕常亮未获允许').count()).toBe(1);
  });

  it('reads counts and durations in English: "1 fix", minutes, and hours left rather than hundreds of minutes', async () => {
    await expect.poll(() => page.getByTestId('route-stats').getAttribute('data-fixes')).toBe('1');
    await fromMenu(page, 'English');
    const stats = (await page.getByTestId('route-stats').textContent()) ?? '';
    expect(stats).toMatch(/\b0 min\b/);
    expect(stats).toMatch(/\b1 fix$/);
    const checkpoints = (await page.locator('main, body').first().textContent()) ?? '';
    expect(checkpoints).toMatch(/\d+ hr(, \d+ min)? left/);
    expect(checkpoints).not.toMatch(/\d{3} min/);
  });

  it('keeps the header to one compact bar in English, saying Offline once, with the records waiting', async () => {
    await context.setOffline(true);
    for (let i = 0; i < 30; i++) {
      await context.setGeolocation({ latitude: 23.1115 + (i % 7) * 1e-6, longitude: 114.4152, accuracy: 6 });
      await page.getByRole('button', { name: 'Report my position' }).click();
      await page.getByRole('button', { name: 'Report my position' }).and(page.locator(':enabled')).waitFor();
    }
    await expect.poll(() => recordsWaiting(page)).toBeGreaterThanOrEqual(30);
    const header = page.locator('header');
    const text = (await header.textContent()) ?? '';
    expect(text.match(/Offline/g)).toHaveLength(1);
    expect(text).toMatch(/\d+ waiting/);
    expect(text).toMatch(/Last sync \d\d:\d\d/);
    // A quarter of the screen before; now at most two short lines.
    expect((await header.boundingBox())?.height).toBeLessThanOrEqual(844 / 8);
  });

  it('warns about background sync at most once, not once per record', () => {
    expect(warnings.filter((w) => /background sync/i.test(w)).length).toBeLessThanOrEqual(1);
  });
});
