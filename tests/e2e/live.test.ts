import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../src/domain/checkpoints.js';
import { Client, startServer, type TestServer } from '../integration/harness.js';
import { recordsWaiting, signIn, watchProblems } from './app.js';
import { launchChromium } from './chromium.js';

// With nothing new on the device, its sync timer runs once a minute; only the live channel brings a
// change from the server within seconds.
describe('the live channel in the app', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];

  beforeAll(async () => {
    server = await startServer('sqlite', { staticDir: 'dist/app' });
    browser = await launchChromium();
    const context = await browser.newContext({
      locale: 'zh-CN',
      permissions: ['geolocation'],
      geolocation: { latitude: 23.11, longitude: 114.41, accuracy: 5 },
    });
    page = await context.newPage();
    problems = watchProblems(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows an officer on shift a checkpoint the admin has just required, within seconds, under the strict CSP', async () => {
    await page.goto(server.url);
    const streaming = page.waitForResponse((r) => r.url().includes('/api/live') && r.status() === 200);
    await signIn(page, 'J001');
    await page.getByRole('button', { name: '开始巡逻' }).click();
    await page.getByRole('button', { name: '确认开始巡逻' }).click();
    await expect.poll(() => recordsWaiting(page), { timeout: 15_000 }).toBe(0);
    expect((await streaming).headers()['content-type']).toMatch(/text\/event-stream/);

    const admin = new Client(server.url);
    await admin.login('A001');
    const zone = await server.database.db
      .selectFrom('zones')
      .innerJoin('squads', 'squads.id', 'zones.squad_id')
      .select(['zones.id', 'squads.id as squadId'])
      .where('squads.code', '=', 'A')
      .executeTakeFirstOrThrow();
    const created = await admin.request('POST', '/api/admin/checkpoints', {
      zoneId: zone.id,
      name: { 'zh-CN': '新设临时卡点', en: 'New temporary post' },
      type: 'other',
      shape: { kind: 'circle', center: [114.41, 23.11], radiusM: 40 },
      minDwellS: 30,
    });
    const { checkpoint } = (await created.json()) as { checkpoint: Checkpoint };
    const started = Date.now();
    const plan = await admin.request('POST', '/api/admin/plans', {
      squadId: zone.squadId,
      name: { 'zh-CN': '临时加派', en: 'Extra round' },
      checkpointIds: [checkpoint.id],
      rule: { kind: 'per-shift', times: 1 },
    });
    expect(plan.status).toBe(201);
    await page.locator(`[data-testid="checkpoints-due"] li[data-checkpoint="${checkpoint.id}"]`).waitFor({ timeout: 5_000 });
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(page.getByTestId('checkpoints-due').textContent()).resolves.toContain('新设临时卡点');
    expect(problems).toEqual([]);
  });
});
