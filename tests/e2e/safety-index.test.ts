import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SafetyIndexResponse } from '../../src/domain/protocol/safety-index.js';
import { addMonths, districtMonth, rankTowns } from '../../src/domain/safety-index.js';
import { seedDemoIncidents } from '../../src/server/demo/incidents.js';
import { Client, startServer, type TestServer } from '../integration/harness.js';
import { namePlacement, signIn, watchProblems } from './app.js';
import { launchChromium } from './chromium.js';

// The supervisor publishes last month's safety index from the demo's year of past incidents.
describe('the safety index on the supervisor’s screen', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];
  let answer: SafetyIndexResponse;

  beforeAll(async () => {
    server = await startServer('sqlite', { staticDir: 'dist/app' });
    await seedDemoIncidents(server.database.db, server.clock.now(), 600);
    const supervisor = new Client(server.url);
    await supervisor.login('S001');
    const month = addMonths(districtMonth(server.clock.now().getTime()), -1);
    answer = (await (await supervisor.request('GET', `/api/safety-index?month=${month}`)).json()) as SafetyIndexResponse;
    browser = await launchChromium({ webgl: true });
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, acceptDownloads: true });
    page = await context.newPage();
    problems = watchProblems(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('ranks the towns best to worst as the server counts them, draws the map and the trend, and says the incidents are demo', async () => {
    await page.goto(server.url);
    await signIn(page, 'S001');
    const report = page.getByTestId('index-report');
    await report.waitFor({ timeout: 30_000 });
    expect(await report.getAttribute('data-month')).toBe(answer.month);
    const current = answer.months.at(-1)!;
    const expected = rankTowns(current, answer.months.at(-2), 'rate:criminal-order', (id) => answer.areas.find((a) => a.id === id)!.name['zh-CN'], 'zh-CN');
    const rows = page.getByTestId('index-ranking').locator('tbody tr');
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-area')))).toEqual(expected.map((r) => r.areaId));
    const shown = await rows.locator('td[data-value]').evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-value'))));
    expect(shown).toEqual([...shown].sort((a, b) => a - b));
    expect(await page.getByTestId('index-demo').textContent()).toContain(String(current.demo));
    await page.getByTestId('index-map').locator('[data-ready="yes"]').waitFor({ timeout: 60_000 });
    // The map carries every town's rank; the worst, shown by default, is also named.
    const labels = page.getByTestId('index-map').locator('.map-label-area');
    await expect.poll(() => labels.count()).toBe(expected.length);
    // Every rank whole on the map, none under the zoom buttons or the scale bar, and no district
    // name over them (the district is the whole map).
    await expect.poll(() => namePlacement(page.getByTestId('index-map'), labels)).toEqual(expected.map(() => 'clear'));
    expect(await page.getByTestId('index-map').locator('.map-label-district').count()).toBe(0);
    const nameOf = (id: string) => answer.areas.find((a) => a.id === id)!.name['zh-CN'];
    const picked = page.getByTestId('index-map').locator('.map-label-area[data-selected="true"]');
    const worst = expected.at(-1)!;
    expect(await picked.textContent()).toBe(`${worst.rank} ${nameOf(worst.areaId)}`);
    // Picking a town draws its trend and names it on the map.
    const town = expected[0]!.areaId;
    await page.locator(`tr[data-area="${town}"] button`).click();
    expect(await page.getByTestId('index-trend').getAttribute('data-area')).toBe(town);
    await expect.poll(() => picked.textContent()).toBe(`${expected[0]!.rank} ${nameOf(town)}`);
    expect(await page.getByTestId('index-trend').locator('circle').count()).toBe(12);
    expect(problems).toEqual([]);
  });

  it('exports the month as CSV with every town and community', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('index-csv').click()]);
    expect(download.suggestedFilename()).toBe(`safety-index-${answer.month}.csv`);
    const text = readFileSync((await download.path())!, 'utf8');
    expect(text.startsWith('\ufeff')).toBe(true);
    for (const area of answer.areas) expect(text).toContain(area.name['zh-CN']);
    expect(problems).toEqual([]);
  });
});
