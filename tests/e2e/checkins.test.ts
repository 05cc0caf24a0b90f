import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../src/domain/checkpoints.js';
import type { CheckinsResponse, ComplianceResponse } from '../../src/domain/protocol/compliance.js';
import { Client, startServer, type TestServer } from '../integration/harness.js';
import { loadTrack, shiftTo, TRACE_FILES } from '../../src/simulator/traces.js';
import { deliverFix, geolocationUse, installPatrolClock, pauseClock, recordsWaiting, signIn, unlock, watchProblems } from './app.js';
import { launchChromium } from './chromium.js';

// A real walk (Osaka, SOURCES.md §1) moved into Huicheng, past two checkpoints an admin placed on
// it. The officer lingers at each a little longer than its dwell, with the phone offline all along.
// One fix a second of the page's clock (page.clock): each fix is delivered, then the clock runs on.
const STEP = 5;
const STEPS = 50;
const STOPS = [12, 36];
const DWELL_S = 10;
const LINGER_S = 16;
/** A demo checkpoint (seed.ts) of squad A's "every shift" plan, kilometres from the walk. */
const BANK = '0190a1f0-0000-7000-8000-300000000003';
const EVERY_SHIFT_PLAN = '0190a1f0-0000-7000-8000-500000000002';

describe('geofenced check-ins made offline on a real walk', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[] = [];
  const walk = shiftTo(loadTrack(TRACE_FILES.osakaWalk))
    .filter((_, i) => i % STEP === 0)
    .slice(0, STEPS);
  const created: Checkpoint[] = [];

  beforeAll(async () => {
    server = await startServer('sqlite', { staticDir: 'dist/app' });
    const admin = new Client(server.url);
    await admin.login('A001');
    const zone = await server.database.db
      .selectFrom('zones')
      .innerJoin('squads', 'squads.id', 'zones.squad_id')
      .select(['zones.id', 'squads.id as squadId'])
      .where('zones.name_en', '=', 'Jiangbei sector')
      .executeTakeFirstOrThrow();
    for (const [n, i] of STOPS.entries()) {
      const response = await admin.request('POST', '/api/admin/checkpoints', {
        zoneId: zone.id,
        name: { 'zh-CN': `测试岗${n + 1}`, en: `Test post ${n + 1}` },
        type: 'other',
        shape: { kind: 'circle', center: [walk[i]!.lon, walk[i]!.lat], radiusM: 30 },
        minDwellS: DWELL_S,
      });
      expect(response.status).toBe(201);
      created.push(((await response.json()) as { checkpoint: Checkpoint }).checkpoint);
    }
    const plan = await admin.request('POST', '/api/admin/plans', {
      squadId: zone.squadId,
      name: { 'zh-CN': '测试计划', en: 'Test plan' },
      checkpointIds: created.map((c) => c.id),
      rule: { kind: 'per-shift', times: 1 },
    });
    expect(plan.status).toBe(201);

    browser = await launchChromium({ webgl: true });
    context = await browser.newContext({
      permissions: ['geolocation'],
      geolocation: { latitude: walk[0]!.lat, longitude: walk[0]!.lon, accuracy: 5 },
      locale: 'zh-CN',
    });
    page = await context.newPage();
    problems = watchProblems(page);
    await installPatrolClock(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const status = (checkpoint: Checkpoint) => page.locator(`[data-testid="checkpoints-due"] li[data-checkpoint="${checkpoint.id}"]`).getAttribute('data-status');

  it(
    'checks in at both checkpoints on screen while offline, takes a manual check-in marked as such, and the server verifies the geofenced ones after reconnecting',
    { timeout: 180_000 },
    async () => {
      await page.goto(server.url);
      await signIn(page, 'J001');
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
      await page.getByRole('button', { name: '开始巡逻' }).click();
      await page.getByRole('button', { name: '确认开始巡逻' }).click();
      await page.getByTestId('tracking-state').filter({ hasText: '轨迹记录中' }).waitFor();
      await expect.poll(() => recordsWaiting(page), { timeout: 15_000 }).toBe(0);
      expect(await status(created[0]!)).toBe('due');
      expect(await status(created[1]!)).toBe('due');

      await context.setOffline(true);
      await expect.poll(async () => (await geolocationUse(page)).fixes, { timeout: 10_000 }).toBeGreaterThan(0); // the watch's first fix
      await pauseClock(page);
      for (let i = 0; i < walk.length; i++) {
        const p = walk[i]!;
        const seconds = STOPS.includes(i) ? LINGER_S : 1;
        for (let s = 0; s < seconds; s++) {
          // Standing still, a phone's fix wanders by a few decimetres.
          const jitter = s === 0 ? 0 : ((s % 3) - 1) * 2e-6;
          await deliverFix(context, page, { lat: p.lat + jitter, lon: p.lon - jitter });
          await page.clock.runFor(1000);
        }
        if (i === STOPS[0]!) {
          await expect.poll(() => status(created[0]!), { timeout: 10_000 }).toBe('done');
          await page.getByText('已在「测试岗1」签到').waitFor();
          expect(await status(created[1]!)).toBe('due');
        }
      }
      await expect.poll(() => status(created[1]!), { timeout: 10_000 }).toBe('done');
      await page.clock.resume(); // time flows again for the officer's taps and the sync

      // The bank is far from this walk: a manual check-in there is possible, marked, and the server
      // will not take the officer's word for it.
      const bank = page.locator(`[data-testid="checkpoints-due"] li[data-plan="${EVERY_SHIFT_PLAN}"][data-checkpoint="${BANK}"]`);
      await bank.getByRole('button', { name: '手动签到' }).click();
      await page.getByLabel('原因').selectOption({ label: '在室内' });
      await page.getByLabel('备注（可选）').fill('营业厅内，无定位');
      await page.getByRole('button', { name: '确认签到' }).click();
      await page.getByText('已在「中国银行惠州江北支行」手动签到').waitFor();
      // Met for now, but marked as the officer's word awaiting the server, not the geofence's green.
      expect(await bank.getAttribute('data-status')).toBe('done');
      expect(await bank.getAttribute('data-checkin')).toBe('manual');
      expect(await bank.locator('.due-status').textContent()).toBe('手动 · 待核验');
      expect(await page.locator(`[data-testid="checkpoints-due"] li[data-checkpoint="${created[0]!.id}"]`).getAttribute('data-checkin')).toBe('geofence');

      // Back online mid-shift: the server's verdicts come back with the pull and show on the list.
      await context.setOffline(false);
      await expect.poll(() => recordsWaiting(page), { timeout: 30_000 }).toBe(0);
      const post1 = page.locator(`[data-testid="checkpoints-due"] li[data-checkpoint="${created[0]!.id}"]`);
      await expect.poll(() => post1.getAttribute('data-checkin'), { timeout: 30_000 }).toBe('verified');
      expect(await post1.locator('.due-status').textContent()).toBe('已核验');
      await expect.poll(() => bank.getAttribute('data-checkin'), { timeout: 30_000 }).toBe('unsupported');
      expect(await bank.getAttribute('data-status')).toBe('due');
      expect(await bank.textContent()).toContain('已提交的签到未获轨迹支持，不计入');

      await page.getByRole('button', { name: '结束巡逻' }).click();
      await page.getByRole('button', { name: '确认结束' }).click();
      await page.getByText('当前未在巡逻').waitFor();
      await expect.poll(() => recordsWaiting(page), { timeout: 30_000 }).toBe(0);

      const supervisor = new Client(server.url);
      await supervisor.login('S001');
      const officerId = (await server.database.db.selectFrom('users').select('id').where('badge', '=', 'J001').executeTakeFirstOrThrow()).id;
      const { checkins } = (await (await supervisor.request('GET', `/api/checkins?officerId=${officerId}`)).json()) as CheckinsResponse;
      expect(checkins.map((c) => [c.checkpointId, c.method, c.verdict])).toEqual([
        [created[0]!.id, 'geofence', 'verified'],
        [created[1]!.id, 'geofence', 'verified'],
        [BANK, 'manual', 'unsupported'],
      ]);
      expect(checkins.slice(0, 2).every((c) => c.dwellS >= DWELL_S)).toBe(true);
      expect(checkins[2]!.reason).toBe('indoors');

      const compliance = (await (await supervisor.request('GET', `/api/compliance?officerId=${officerId}`)).json()) as ComplianceResponse;
      const shift = compliance.shifts[0]!;
      const testPlan = shift.requirements.filter((r) => created.some((c) => c.id === r.checkpointId));
      expect(testPlan.map((r) => r.status)).toEqual(['done', 'done']);
      expect(shift.checkins).toEqual({ verified: 2, weak: 0, unsupported: 1 });

      // The squad leader sees it on their home: both test posts met.
      const leaderContext = await browser.newContext({ locale: 'zh-CN' });
      const leader = await leaderContext.newPage();
      await leader.goto(server.url);
      await signIn(leader, 'L001');
      const post = leader.locator(`[data-testid="compliance"] li[data-checkpoint="${created[0]!.id}"]`);
      await post.waitFor();
      expect(await post.getAttribute('data-ratio')).toBe('1');
      expect(await post.textContent()).toContain('完成 1/1');
      // The shift missed the bank and more: its line gives the share met, never 100 %.
      const line = leader.locator(`[data-testid="compliance"] li[data-shift="${shift.shiftId}"]`);
      expect(Number(await line.getAttribute('data-ratio'))).toBeLessThan(1);
      expect(await line.textContent()).toMatch(new RegExp(`完成 ${shift.completion.met}/${shift.completion.required}（\\d+%）`));
      await leaderContext.close();
      expect(problems).toEqual([]);
    },
  );

  it(
    'counts a check-in at the checkpoint where the shift starts, the phone’s first fix taken 6 s before the start, and still does after a reload',
    { timeout: 120_000 },
    async () => {
      const post = walk[STOPS[0]!]!;
      const j002 = await browser.newContext({
        permissions: ['geolocation'],
        geolocation: { latitude: post.lat, longitude: post.lon, accuracy: 5 },
        locale: 'zh-CN',
      });
      const officer = await j002.newPage();
      const seen = watchProblems(officer);
      await installPatrolClock(officer);
      // A phone stamps a fix when its receiver took it: the watch's first answer is a few seconds old.
      await officer.addInitScript(() => {
        const { watchPosition } = Geolocation.prototype;
        let first = true;
        Geolocation.prototype.watchPosition = function (success, error, options) {
          const early: PositionCallback = (position) => {
            const timestamp = first ? position.timestamp - 6_000 : position.timestamp;
            first = false;
            success({ coords: position.coords, timestamp, toJSON: () => ({ coords: position.coords.toJSON(), timestamp }) });
          };
          return watchPosition.call(this, early, error, options);
        };
      });
      await officer.goto(server.url);
      await signIn(officer, 'J002');
      await officer.getByRole('button', { name: '开始巡逻' }).click();
      await officer.getByRole('button', { name: '确认开始巡逻' }).click();
      await officer.getByTestId('tracking-state').filter({ hasText: '轨迹记录中' }).waitFor();
      await expect.poll(async () => (await geolocationUse(officer)).fixes, { timeout: 10_000 }).toBeGreaterThan(0);
      await pauseClock(officer);
      for (let s = 1; s <= LINGER_S; s++) {
        await officer.clock.runFor(1000);
        await deliverFix(j002, officer, { lat: post.lat + (s % 2) * 2e-6, lon: post.lon });
      }
      const row = officer.locator(`[data-testid="checkpoints-due"] li[data-checkpoint="${created[0]!.id}"]`);
      await expect.poll(() => row.getAttribute('data-status'), { timeout: 10_000 }).toBe('done');
      await officer.clock.resume();
      await officer.reload();
      await unlock(officer); // the data key left memory with the page (issue 16)
      await row.waitFor();
      expect(await row.getAttribute('data-status')).toBe('done');
      // The server counts it for this shift too.
      await expect.poll(() => recordsWaiting(officer), { timeout: 30_000 }).toBe(0);
      const leader = new Client(server.url);
      await leader.login('L001');
      const officerId = (await server.database.db.selectFrom('users').select('id').where('badge', '=', 'J002').executeTakeFirstOrThrow()).id;
      const { shifts } = (await (await leader.request('GET', `/api/compliance?officerId=${officerId}`)).json()) as ComplianceResponse;
      expect(shifts[0]!.requirements.find((r) => r.checkpointId === created[0]!.id)?.status).toBe('done');
      await j002.close();
      expect(seen).toEqual([]);
    },
  );
});
