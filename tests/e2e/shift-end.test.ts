import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EquipmentLossesResponse } from '../../src/domain/protocol/shifts.js';
import { startServer, type TestServer } from '../integration/harness.js';
import { loadTrack, shiftTo, TRACE_FILES } from '../../src/simulator/traces.js';
import { deliverFix, geolocationUse, installPatrolClock, patrolPending, pauseClock, signIn, unlock, watchProblems } from './app.js';
import { launchChromium } from './chromium.js';

// A real walk (Osaka, SOURCES.md §1) moved into Huicheng: enough fixes for a distance to show.
const walk = shiftTo(loadTrack(TRACE_FILES.osakaWalk))
  .filter((_, i) => i % 5 === 0)
  .slice(0, 15);

describe('ending a shift with a firearm not returned', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[] = [];

  beforeAll(async () => {
    server = await startServer('sqlite', { staticDir: 'dist/app' });
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

  /** A leader or supervisor signed in on a page of their own. */
  const staff = async (badge: string) => {
    const other = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
    await other.goto(server.url);
    await signIn(other, badge);
    await other.getByTestId('open-shifts').waitFor();
    return other;
  };

  it(
    'asks about every item, needs a reason for the firearm, alerts the leader and supervisor until resolved, and leaves a summary that works offline',
    { timeout: 180_000 },
    async () => {
      await page.goto(server.url);
      await signIn(page, 'J001');
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
      await page.getByRole('button', { name: '开始巡逻' }).click();
      await page.getByRole('checkbox', { name: '枪支' }).check();
      await page.getByLabel('枪支 编号').fill('G-17');
      await page.getByLabel('子弹数').fill('12');
      await page.getByRole('checkbox', { name: '对讲机' }).check();
      await page.getByRole('button', { name: '确认开始巡逻' }).click();
      await page.getByTestId('tracking-state').filter({ hasText: '轨迹记录中' }).waitFor();

      // The watch's first fix is the walk's start; Chromium sends no new fix for the same position.
      await expect.poll(async () => (await geolocationUse(page)).fixes, { timeout: 10_000 }).toBeGreaterThan(0);
      await pauseClock(page);
      for (const p of walk.slice(1)) {
        await deliverFix(context, page, p);
        await page.clock.runFor(1000);
      }
      await expect.poll(() => patrolPending(page), { timeout: 10_000 }).toBe(0);
      await page.clock.resume();
      const walked = Number(await page.getByTestId('route-stats').getAttribute('data-distance-m'));
      expect(walked).toBeGreaterThan(20);

      // Offline from here: the summary is the device's own.
      await context.setOffline(true);
      await page.getByRole('button', { name: '结束巡逻' }).click();
      // Nothing is taken as returned, and one tap does not end the shift.
      expect(await page.getByRole('radio', { checked: true }).count()).toBe(0);
      await page.getByRole('button', { name: '确认结束' }).click();
      await page.getByTestId('end-problems').waitFor();
      expect(await page.locator('fieldset[data-problem="unanswered"]').count()).toBe(2);

      const firearm = page.locator('fieldset[data-item="firearm"]');
      await firearm.getByRole('radio', { name: '未交还' }).check();
      await page.locator('fieldset[data-item="radio"]').getByRole('radio', { name: '已交还' }).check();
      await page.getByRole('button', { name: '确认结束' }).click();
      expect(await firearm.getAttribute('data-problem')).toBe('reason');
      expect(await page.getByTestId('shift-summary').count()).toBe(0);
      await firearm.getByLabel('未交还原因（必填）').fill('交予J002继续执勤');
      expect(await page.getByTestId('unreturned').textContent()).toContain('枪支（含子弹 12 发）');
      await page.getByRole('button', { name: '确认结束' }).click();

      const summary = page.getByTestId('shift-summary');
      await summary.waitFor();
      await page.getByText('当前未在巡逻').waitFor();
      const distance = Number(await summary.locator('[data-distance-m]').getAttribute('data-distance-m'));
      // Ending records the one fix sampling held back (≤ 10 m).
      expect(Math.abs(distance - walked)).toBeLessThanOrEqual(10);
      // Squad A's "every shift" plan asks for three checkpoints; none was visited.
      expect(await summary.locator('[data-done]').getAttribute('data-done')).toBe('0');
      expect(await summary.locator('[data-missed]').getAttribute('data-missed')).toBe('3');
      expect(Number(await summary.locator('[data-waiting]').getAttribute('data-waiting'))).toBeGreaterThan(0);

      // It is still there after an offline reload, and counts the upload down once online.
      await page.reload();
      await unlock(page); // the data key left memory with the page (issue 16)
      await summary.waitFor();
      await context.setOffline(false);
      await summary.getByText('记录已全部上传').waitFor({ timeout: 30_000 });

      const leader = await staff('L001');
      const supervisor = await staff('S001');
      for (const viewer of [leader, supervisor]) {
        const alert = viewer.getByTestId('equipment-losses');
        await alert.getByText('陈志强（J001）').waitFor();
        expect(await alert.textContent()).toContain('枪支未交还');
        expect(await alert.textContent()).toContain('交予J002继续执勤');
      }
      // Another squad's leader is not told: their list has come back empty, and shows nothing.
      const otherLeader = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
      const lossesLoaded = otherLeader.waitForResponse((r) => new URL(r.url()).pathname === '/api/shifts/equipment-losses' && r.ok());
      await otherLeader.goto(server.url);
      await signIn(otherLeader, 'L002');
      await otherLeader.getByTestId('open-shifts').waitFor();
      expect(((await (await lossesLoaded).json()) as EquipmentLossesResponse).losses).toEqual([]);
      expect(await otherLeader.getByTestId('equipment-losses').count()).toBe(0);

      const alert = leader.getByTestId('equipment-losses');
      await alert.getByRole('button', { name: '标记已处理' }).click();
      await alert.getByLabel('处理情况（必填）').fill('枪已入库，J002 签收');
      await alert.getByRole('button', { name: '确认已处理' }).click();
      await alert.waitFor({ state: 'detached' });
      // The supervisor's list drops it at once, told by the live channel: well before its 15 s poll.
      await supervisor.getByTestId('equipment-losses').waitFor({ state: 'detached', timeout: 10_000 });

      await summary.getByRole('button', { name: '知道了' }).click();
      await summary.waitFor({ state: 'detached' });
      await page.reload();
      await unlock(page); // the data key left memory with the page (issue 16)
      await page.getByText('当前未在巡逻').waitFor();
      expect(await summary.count()).toBe(0);
      expect(problems).toEqual([]);
    },
  );
});
