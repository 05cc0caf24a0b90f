import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import type { PullResponse, PushResponse } from '../../src/domain/protocol/sync.js';
import type { Task } from '../../src/domain/tasks.js';
import { positionBody, TestDevice } from '../integration/device.js';
import { Client, startServer, type TestServer } from '../integration/harness.js';
import { signIn, watchProblems } from './app.js';
import { launchChromium } from './chromium.js';

// A squad leader seals the area around a fresh incident from a phone; three officers on patrol
// (driven through the API as their phones would) reach their control points, and the board seals.
describe('rapid lockdown from the leader’s phone', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];

  beforeAll(async () => {
    server = await startServer('sqlite', { staticDir: 'dist/app' });
    browser = await launchChromium({ webgl: true });
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    page = await context.newPage();
    problems = watchProblems(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('proposes points and officers for a tap on the map, orders them, and shows the board sealing as they arrive', { timeout: 120_000 }, async () => {
    await page.goto(server.url);
    await signIn(page, 'L001');
    const panel = page.getByTestId('lockdown');
    await panel.getByRole('button', { name: '发起快速封控' }).tap();
    // The planner's map, not the live squad's above it.
    await panel.locator('[data-testid="map"][data-ready="yes"]').waitFor({ timeout: 30_000 });
    const [lon, lat] = ((await panel.getByTestId('map').getAttribute('data-center')) ?? '').split(',').map(Number);

    // Three officers of the squad on patrol near where the leader is about to tap.
    const users = await server.database.db.selectFrom('users').select(['id', 'badge', 'squad_id']).execute();
    const officers: Array<{ client: Client; device: TestDevice; shiftId: string }> = [];
    for (const [n, badge] of ['J001', 'J002', 'J003'].entries()) {
      const user = users.find((u) => u.badge === badge)!;
      const client = new Client(server.url);
      await client.login(badge);
      const device = await TestDevice.create(user.id);
      await device.register(client);
      const shiftId = newId();
      const at = new Date();
      const start = await device.next('shift.start', { shiftId, squadId: user.squad_id!, members: [user.id], equipment: [], zoneIds: [] }, at);
      const fix = await device.next('position', { ...positionBody(shiftId, n, at), lon: lon! + 0.003 * (n - 1), lat: lat! + 0.002 }, at);
      const pushed = (await (await client.request('POST', '/api/sync/push', { records: [start, fix] })).json()) as PushResponse;
      expect(pushed.results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
      officers.push({ client, device, shiftId });
    }

    const map = panel.getByTestId('map');
    await map.scrollIntoViewIfNeeded();
    const box = await panel.locator('[data-testid="map"] canvas').boundingBox();
    await panel.locator('[data-testid="map"] canvas').tap({ position: { x: box!.width / 2, y: box!.height / 2 } });
    const ring = panel.getByTestId('lockdown-ring');
    await ring.waitFor();
    const points = panel.locator('.lockdown-planner li[data-point]');
    expect(await points.count()).toBeGreaterThanOrEqual(3);
    expect(await panel.locator('.lockdown-planner li[data-manned="yes"]').count()).toBe(3);
    await panel.getByTestId('lockdown-eta').waitFor();
    await panel.getByLabel('案情简述（随任务下发）').fill('持刀抢劫，嫌疑人往北逃窜');
    await panel.getByRole('button', { name: '下达封控指令' }).tap();

    const board = panel.getByTestId('lockdown-board');
    await board.waitFor();
    expect(await board.getAttribute('data-sealed')).toBe('no');
    await expect.poll(() => board.locator('li[data-arrived="no"]').count()).toBe(3);

    // Each officer's phone pulls the guard task, and its geofence sees the officer arrive at the
    // point: fixes inside, then the on-scene update citing them, as the patrol session writes it.
    for (const [n, { client, device, shiftId }] of officers.entries()) {
      const page1 = (await (await client.request('GET', '/api/sync/pull?cursor=0')).json()) as PullResponse;
      const task = page1.changes.filter((c) => c.entity === 'task').map((c) => c.data as unknown as Task)[0]!;
      expect(task).toMatchObject({ kind: 'guard', priority: 'urgent', details: '持刀抢劫，嫌疑人往北逃窜' });
      expect(task.location?.kind).toBe('circle');
      const [pointLon, pointLat] = task.location!.kind === 'circle' ? task.location!.center : [0, 0];
      const fixes = [];
      for (let k = 0; k < 4; k++) {
        const at = new Date(Date.now() - (4 - k) * 3_000);
        fixes.push(await device.next('position', { ...positionBody(shiftId, k, at), lon: pointLon, lat: pointLat }, at));
      }
      const evidence = fixes.map((f) => f.id);
      const arrived = await device.next('task.update', { taskId: task.id, state: 'on-scene', revision: task.revision, method: 'geofence', evidence });
      const result = (await (await client.request('POST', '/api/sync/push', { records: [...fixes, arrived] })).json()) as PushResponse;
      expect(result.results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'accepted']);
      await expect.poll(() => board.locator('li[data-arrived="yes"]').count(), { timeout: 5_000 }).toBe(n + 1);
    }
    // Each point says how its officer's arrival is known.
    expect(await board.locator('li[data-arrived="yes"]', { hasText: '定位到场 · 轨迹已核验' }).count()).toBe(3);
    // The live channel brings each arrival to the board without a reload.
    await expect.poll(() => board.getAttribute('data-sealed'), { timeout: 5_000 }).toBe('yes');
    expect(await board.textContent()).toMatch(/已合围，用时/);

    await board
      .getByRole('button', { name: '结束封控' })
      .tap()
      .catch(() => undefined);
    expect(problems).toEqual([]);
  });
});
