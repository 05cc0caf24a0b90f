import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import type { CoverageResponse } from '../../src/domain/protocol/coverage.js';
import type { SignedRecord } from '../../src/domain/records.js';
import { TestDevice } from '../integration/device.js';
import { Client, startServer, type TestServer } from '../integration/harness.js';
import { loadTrack, shiftTo, TRACE_FILES } from '../../src/simulator/traces.js';
import { signIn, watchProblems } from './app.js';
import { launchChromium } from './chromium.js';

const JIANGBEI = '0190a1f0-0000-7000-8000-200000000001';

// A squad leader checks on a phone how much of the beat the squad walked in the last hours.
describe('beat coverage on the leader’s phone', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];
  let leaderApi: Client;

  beforeAll(async () => {
    server = await startServer('sqlite', { staticDir: 'dist/app' });
    // J001 walked the Osaka route, moved into Jiangbei, three hours ago.
    const users = await server.database.db.selectFrom('users').select(['id', 'badge', 'squad_id']).execute();
    const j001 = users.find((u) => u.badge === 'J001')!;
    const officer = new Client(server.url);
    await officer.login('J001');
    const device = await TestDevice.create(j001.id);
    await device.register(officer);
    const shiftId = newId();
    const start = Date.now() - 3 * 3600_000;
    const walk = shiftTo(loadTrack(TRACE_FILES.osakaWalk), { lat: 23.112, lon: 114.405 }).filter((p) => p.time !== null);
    const records: SignedRecord[] = [
      await device.next('shift.start', { shiftId, squadId: j001.squad_id!, members: [j001.id], equipment: [], zoneIds: [JIANGBEI] }, new Date(start)),
    ];
    for (const p of walk.filter((_, i) => i % 5 === 0)) {
      const at = new Date(start + (p.time! - walk[0]!.time!));
      records.push(await device.next('position', { shiftId, lat: p.lat, lon: p.lon, accuracy: 6, fixAt: at.toISOString() }, at));
    }
    for (let i = 0; i < records.length; i += 500) await officer.request('POST', '/api/sync/push', { records: records.slice(i, i + 500) });
    leaderApi = new Client(server.url);
    await leaderApi.login('L001');

    browser = await launchChromium({ webgl: true });
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
    page = await context.newPage();
    problems = watchProblems(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the squad’s and each officer’s share of the zone, its map, and the area nobody passed lately', async () => {
    await page.goto(server.url);
    await signIn(page, 'L001');
    const panel = page.getByTestId('coverage');
    const squad = panel.getByTestId('coverage-squad');
    await squad.waitFor();
    const answer = (await (await leaderApi.request('GET', `/api/coverage?zoneId=${JIANGBEI}&unseenHours=2`)).json()) as CoverageResponse;
    expect(answer.squad.passed).toBeGreaterThan(5);
    expect(Number(await squad.getAttribute('data-ratio'))).toBeCloseTo(answer.squad.ratio, 10);
    expect(await squad.textContent()).toContain(`${answer.squad.passed}/${answer.cellCount}`);
    expect(Number(await panel.locator('[data-officer="J001"]').getAttribute('data-ratio'))).toBeCloseTo(answer.squad.ratio, 10);
    // The 44-minute walk ended more than the two-hour limit ago: the whole zone is one unseen area.
    await expect.poll(() => panel.getByTestId('coverage-unseen').locator('li').count()).toBe(1);
    expect(await panel.getByTestId('coverage-unseen').textContent()).toMatch(/平方公里 · 2小时1\d分钟前有人巡过/);
    await panel.getByTestId('coverage-map').locator('canvas').waitFor();

    // Over the last two hours nobody passed at all.
    await panel.getByLabel('时段').selectOption({ label: '最近 2 小时' });
    await expect.poll(() => squad.getAttribute('data-ratio')).toBe('0');
    expect(await panel.getByTestId('coverage-unseen').textContent()).toContain('时段内无人巡过');
    expect(problems).toEqual([]);
  });
});
