import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haversineM } from '../../src/domain/geo.js';
import { Client, startServer, type TestServer } from '../integration/harness.js';
import { loadTrack, shiftTo, TRACE_FILES } from '../../src/simulator/traces.js';
import { deliverFix, geolocationUse, installPatrolClock, patrolPending, pauseClock, recordsWaiting, signIn, watchProblems } from './app.js';
import { launchChromium } from './chromium.js';

// A real walk (Osaka, SOURCES.md §1) moved into Huicheng, one fix a second of the page's clock.
const STEP = 5;
/** Where on the walk the task's place is, and how far along the officer is when it arrives. */
const PLACE_AT = 30;
const PLACE_RADIUS_M = 30;

// Two people on two phones: a squad leader sends a task, an officer works it offline and the
// geofence, not a tap, says when they got there.
describe('a task from a leader to an officer', () => {
  let server: TestServer;
  let browser: Browser;
  let leaderContext: BrowserContext;
  let officerContext: BrowserContext;
  let leader: Page;
  let officer: Page;
  let leaderProblems: string[] = [];
  let officerProblems: string[] = [];
  const walk = shiftTo(loadTrack(TRACE_FILES.osakaWalk))
    .filter((_, i) => i % STEP === 0)
    .slice(0, PLACE_AT + 12);

  beforeAll(async () => {
    server = await startServer('sqlite', { staticDir: 'dist/app' });
    // The place the leader will pick: a post an admin set on the walk.
    const admin = new Client(server.url);
    await admin.login('A001');
    const zone = await server.database.db.selectFrom('zones').select('id').where('name_en', '=', 'Jiangbei sector').executeTakeFirstOrThrow();
    const post = await admin.request('POST', '/api/admin/checkpoints', {
      zoneId: zone.id,
      name: { 'zh-CN': '江北夜市东口', en: 'Jiangbei night market east gate' },
      type: 'market',
      shape: { kind: 'circle', center: [walk[PLACE_AT]!.lon, walk[PLACE_AT]!.lat], radiusM: PLACE_RADIUS_M },
      minDwellS: 60,
    });
    expect(post.status).toBe(201);

    browser = await launchChromium();
    const phone = { locale: 'zh-CN', viewport: { width: 390, height: 844 } };
    leaderContext = await browser.newContext(phone);
    officerContext = await browser.newContext({
      ...phone,
      permissions: ['geolocation'],
      geolocation: { latitude: walk[0]!.lat, longitude: walk[0]!.lon, accuracy: 5 },
    });
    leader = await leaderContext.newPage();
    officer = await officerContext.newPage();
    leaderProblems = watchProblems(leader);
    officerProblems = watchProblems(officer);
    await installPatrolClock(officer);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it(
    'reaches the online officer within 2 s without a reload, is worked offline, arrives by geofence on a real walk, and shows done on the leader’s board',
    { timeout: 120_000 },
    async () => {
      await officer.goto(server.url);
      const streaming = officer.waitForResponse((r) => r.url().includes('/api/live') && r.status() === 200);
      await signIn(officer, 'J001');
      await streaming;
      await officer.getByTestId('my-tasks').waitFor();
      await officer.waitForFunction(() => navigator.serviceWorker.controller !== null);
      await officer.getByRole('button', { name: '开始巡逻' }).click();
      await officer.getByRole('button', { name: '确认开始巡逻' }).click();
      await officer.getByTestId('tracking-state').filter({ hasText: '轨迹记录中' }).waitFor();

      await leader.goto(server.url);
      await signIn(leader, 'L001');
      const board = leader.getByTestId('task-board');
      await board.getByRole('button', { name: '派发任务' }).click();
      await board.getByLabel('类型').selectOption({ label: '盘查人车' });
      await board.getByLabel('标题').fill('核查白色面包车');
      await board.getByLabel('详情').fill('粤L·12345，停在江北夜市东口');
      await board.getByLabel('紧急').check();
      await board.getByLabel('派给').selectOption({ label: '陈志强（J001）' });
      await board.getByLabel(/^地点/).selectOption({ label: '江北夜市东口' });
      const sent = Date.now();
      await board.getByRole('button', { name: '派发', exact: true }).click();
      const row = board.locator('li.task', { hasText: '核查白色面包车' });
      await row.waitFor();
      expect(await row.getByTestId('task-state').textContent()).toBe('待接受');

      const mine = officer.getByTestId('my-tasks').locator('li.task', { hasText: '核查白色面包车' });
      await mine.waitFor({ timeout: 2_000 });
      expect(Date.now() - sent).toBeLessThan(2_000 + 1_000);
      expect(await mine.getAttribute('data-priority')).toBe('urgent');
      await officer.getByText('紧急任务：核查白色面包车').waitFor();

      await officerContext.setOffline(true);
      await mine.getByRole('button', { name: '接受' }).click();
      await expect.poll(() => mine.getAttribute('data-state')).toBe('accepted');
      await expect(mine.textContent()).resolves.toContain('待上传');
      await mine.getByRole('button', { name: '出发前往' }).click();
      await expect.poll(() => mine.getAttribute('data-state')).toBe('en-route');
      expect(Number(await mine.locator('.task-way').getAttribute('data-distance-m'))).toBeGreaterThan(PLACE_RADIUS_M);

      // The officer walks there; nobody taps "on scene": the fixes inside the place say it.
      await expect.poll(async () => (await geolocationUse(officer)).fixes, { timeout: 10_000 }).toBeGreaterThan(0);
      await pauseClock(officer);
      let arrivedAt = -1;
      for (let i = 0; i < walk.length && arrivedAt < 0; i++) {
        await deliverFix(officerContext, officer, walk[i]!);
        await officer.clock.runFor(1000);
        // The app has judged and written this fix before the screen is read: on a busy machine
        // the arrival showed a fix later than it was decided.
        await expect.poll(() => patrolPending(officer)).toBe(0);
        if ((await mine.getAttribute('data-state')) === 'on-scene') arrivedAt = i;
      }
      await officer.clock.resume();
      await expect.poll(() => mine.getAttribute('data-state'), { timeout: 5_000 }).toBe('on-scene');
      await officer.getByText('已到达任务地点：核查白色面包车（定位确认）').waitFor();
      // Not before the place, and within a few fixes of walking into it.
      const firstInside = walk.findIndex((p) => haversineM(p, walk[PLACE_AT]!) <= PLACE_RADIUS_M);
      expect(arrivedAt).toBeGreaterThanOrEqual(firstInside);
      expect(arrivedAt).toBeLessThanOrEqual(firstInside + 6);

      await mine.getByRole('button', { name: '完成' }).click();
      await mine.getByLabel('处置情况（可选）').fill('已核查，车主在场，无异常');
      await mine.getByRole('button', { name: '完成' }).click();
      await expect.poll(() => mine.getAttribute('data-state')).toBe('done');
      expect(await recordsWaiting(officer)).toBeGreaterThanOrEqual(4);
      // Nothing reaches the leader while the officer is offline.
      expect(await row.getByTestId('task-state').textContent()).toBe('待接受');

      await officerContext.setOffline(false);
      await expect.poll(() => recordsWaiting(officer), { timeout: 20_000 }).toBe(0);
      await expect.poll(() => row.getByTestId('task-state').textContent(), { timeout: 5_000 }).toBe('已完成');
      await expect(row.textContent()).resolves.toContain('已核查，车主在场，无异常');
      // The board says how the arrival is known: the geofence, and the server's check of the track.
      const arrival = row.getByTestId('task-arrival');
      expect(await arrival.getAttribute('data-method')).toBe('geofence');
      expect(await arrival.getAttribute('data-check')).toBe('verified');
      expect(await arrival.textContent()).toContain('定位到场 · 轨迹已核验');
      expect([...leaderProblems, ...officerProblems]).toEqual([]);
    },
  );
});
