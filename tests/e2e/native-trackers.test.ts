import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../integration/harness.js';
import { signIn, watchProblems } from './app.js';
import { launchChromium } from './chromium.js';

// An officer pairs OwnTracks from the phone: the code is shown once, as a QR code and as text;
// a report sent with it shows on the list; revoked, the app is turned away.
describe('pairing a native tracker app from the officer’s phone', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];

  beforeAll(async () => {
    server = await startServer('sqlite', { staticDir: 'dist/app' });
    browser = await launchChromium();
    page = await (await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } })).newPage();
    problems = watchProblems(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const report = (token: string) =>
    fetch(`${server.url}/api/native/owntracks`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`J001:${token}`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ _type: 'location', lat: 23.1116, lon: 114.4155, acc: 10, tst: Math.floor(Date.now() / 1000) - 5, tid: 'J1' }),
    });

  it('shows the code once with a QR code, lists the pairing with its reports, and revokes it with a second tap', { timeout: 90_000 }, async () => {
    await page.goto(server.url);
    await signIn(page, 'J001');
    const panel = page.getByTestId('native-trackers');
    await panel.locator('summary').click();
    await panel.getByLabel('设备名称').fill('我的手机 OwnTracks');
    await panel.getByRole('button', { name: '生成配对码' }).click();
    const fresh = panel.getByTestId('tracker-new');
    await fresh.waitFor();
    await fresh.getByText('配对码只显示这一次').waitFor();
    expect(await fresh.getByRole('img', { name: 'OwnTracks 配置二维码' }).isVisible()).toBe(true);
    const token = (await fresh.getByTestId('tracker-token').textContent()) ?? '';
    expect(token.length).toBeGreaterThanOrEqual(32);
    const row = panel.locator('li[data-tracker]', { hasText: '我的手机 OwnTracks' });
    expect(await row.textContent()).toContain('尚未收到定位');

    expect((await report(token)).status).toBe(200);
    // Closed, the code is gone for good; reopened, the list shows the report.
    await fresh.getByRole('button', { name: '已填写，关闭' }).click();
    await panel.locator('summary').click();
    await panel.locator('summary').click();
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toMatch(/最近上报 .* · 共 1 个定位/);
    expect(await panel.textContent()).not.toContain(token);

    await row.getByRole('button', { name: '撤销' }).click();
    await row.getByRole('button', { name: '确认撤销' }).click();
    await expect.poll(() => row.getAttribute('data-revoked')).toBe('yes');
    expect((await report(token)).status).toBe(401);
    expect(problems).toEqual([]);
  });
});
