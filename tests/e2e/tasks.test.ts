import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../integration/harness.js';
import { recordsWaiting, signIn, watchProblems } from './app.js';
import { launchChromium } from './chromium.js';

// Two people on two phones: a squad leader sends a task, an officer works it partly offline.
describe('a task from a leader to an officer', () => {
  let server: TestServer;
  let browser: Browser;
  let leaderContext: BrowserContext;
  let officerContext: BrowserContext;
  let leader: Page;
  let officer: Page;
  let leaderProblems: string[] = [];
  let officerProblems: string[] = [];

  beforeAll(async () => {
    server = await startServer('sqlite', { staticDir: 'dist/app' });
    browser = await launchChromium();
    const phone = { locale: 'zh-CN', viewport: { width: 390, height: 844 } };
    leaderContext = await browser.newContext(phone);
    officerContext = await browser.newContext(phone);
    leader = await leaderContext.newPage();
    officer = await officerContext.newPage();
    leaderProblems = watchProblems(leader);
    officerProblems = watchProblems(officer);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('reaches the online officer within 2 s without a reload, is worked offline, and shows done on the leader’s board', async () => {
    await officer.goto(server.url);
    const streaming = officer.waitForResponse((r) => r.url().includes('/api/live') && r.status() === 200);
    await signIn(officer, 'J001');
    await streaming;
    await officer.getByTestId('my-tasks').waitFor();
    await officer.waitForFunction(() => navigator.serviceWorker.controller !== null);

    await leader.goto(server.url);
    await signIn(leader, 'L001');
    const board = leader.getByTestId('task-board');
    await board.getByRole('button', { name: '派发任务' }).click();
    await board.getByLabel('类型').selectOption({ label: '盘查人车' });
    await board.getByLabel('标题').fill('核查白色面包车');
    await board.getByLabel('详情').fill('粤L·12345，停在江北夜市东口');
    await board.getByLabel('紧急').check();
    await board.getByLabel('派给').selectOption({ label: '陈志强（J001）' });
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
    await mine.getByRole('button', { name: '已到现场' }).click();
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
    expect([...leaderProblems, ...officerProblems]).toEqual([]);
  });
});
