import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../integration/harness.js';
import { recordsWaiting, signIn, watchProblems } from './app.js';
import { launchChromium } from './chromium.js';

// A squad leader on a phone drops a task's place on the map, gives it to an officer's running
// shift, and finds it on the board's map; the officer on that shift receives it.
describe('a task placed on the map and given to a shift', () => {
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
    browser = await launchChromium({ webgl: true });
    const phone = { locale: 'zh-CN', viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true };
    leaderContext = await browser.newContext(phone);
    officerContext = await browser.newContext(phone);
    leader = await leaderContext.newPage();
    officer = await officerContext.newPage();
    leaderProblems = watchProblems(leader);
    // maplibre reports a style or layer error to the console and draws on without that layer.
    leader.on('console', (message) => {
      if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) leaderProblems.push(message.text());
    });
    officerProblems = watchProblems(officer);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('puts the task at the tapped place on the board’s map, and the shift’s officer receives it', { timeout: 180_000 }, async () => {
    // The officer starts a patrol on their phone; the shift reaches the server.
    await officer.goto(server.url);
    await signIn(officer, 'J001');
    await officer.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await officer.getByRole('button', { name: '开始巡逻' }).tap();
    await officer.getByRole('button', { name: '确认开始巡逻' }).tap();
    await officer.getByText('巡逻中').waitFor();
    await expect.poll(() => recordsWaiting(officer), { timeout: 20_000 }).toBe(0);
    const j001 = await server.database.db.selectFrom('users').select('id').where('badge', '=', 'J001').executeTakeFirstOrThrow();
    const shift = await server.database.db
      .selectFrom('shifts')
      .select('shift_id')
      .where('officer_id', '=', j001.id)
      .where('ended_at', 'is', null)
      .executeTakeFirstOrThrow();

    await leader.goto(server.url);
    await signIn(leader, 'L001');
    const board = leader.getByTestId('task-board');
    await board.getByRole('button', { name: '派发任务' }).tap();
    await board.getByLabel('标题').fill('查看江北桥下聚集人员');

    // Assign to the officer's open shift, offered beside the officers and the squad.
    const choice = board.locator('optgroup[label="在岗班次"] option', { hasText: '陈志强（J001）' });
    await choice.waitFor({ state: 'attached' });
    expect(await choice.getAttribute('value')).toBe(`shift:${shift.shift_id}`);
    await board.getByLabel('派给').selectOption(`shift:${shift.shift_id}`);

    // Pick the place on the map: a tap off the map's centre, and a wider arrival radius.
    await board.getByRole('combobox', { name: /^地点/ }).selectOption({ label: '在地图上选点' });
    const place = board.getByTestId('task-place');
    await place.getByText('点击地图放置任务地点。').waitFor();
    const pickMap = place.locator('[data-testid="map"][data-ready="yes"]');
    await pickMap.waitFor({ timeout: 30_000 });
    await pickMap.scrollIntoViewIfNeeded();
    const [centreLon, centreLat] = ((await pickMap.getAttribute('data-center')) ?? '').split(',').map(Number);
    const canvas = place.locator('[data-testid="map"] canvas');
    const box = (await canvas.boundingBox())!;
    await canvas.tap({ position: { x: box.width * 0.35, y: box.height * 0.6 } });
    await place.getByText('地点已选定；点击地图可移动。').waitFor();
    const [pickedLon, pickedLat] = ((await place.getAttribute('data-picked')) ?? '').split(',').map(Number);
    // South-west of the centre, where the tap was; the map then zooms in on it to street level.
    expect(pickedLon).toBeLessThan(centreLon!);
    expect(pickedLat).toBeLessThan(centreLat!);
    await expect.poll(async () => ((await pickMap.getAttribute('data-center')) ?? '').split(',').map(Number)).toEqual([pickedLon, pickedLat]);
    expect(Number(await pickMap.getAttribute('data-zoom'))).toBeGreaterThanOrEqual(16);
    await board.getByLabel('到达半径（米）').fill('80');
    await board.getByRole('button', { name: '派发', exact: true }).tap();

    const card = board.locator('li.task', { hasText: '查看江北桥下聚集人员' });
    await card.waitFor();
    expect(await card.getByTestId('task-state').textContent()).toBe('待接受');
    await expect(card.textContent()).resolves.toContain('陈志强（当前班次）');
    const taskId = (await card.getAttribute('data-task'))!;
    const row = await server.database.db.selectFrom('tasks').selectAll().where('id', '=', taskId).executeTakeFirstOrThrow();
    expect(row.assignee_shift_id).toBe(shift.shift_id);
    expect(JSON.parse(row.location!)).toEqual({ kind: 'circle', center: [pickedLon, pickedLat], radiusM: 80 });

    // On the board's map, the task is drawn at that place: its marker's dot is where the map puts the point.
    await board.getByRole('button', { name: '地图', exact: true }).tap();
    const boardMap = board.getByTestId('task-map');
    await boardMap.locator('[data-testid="map"][data-ready="yes"]').waitFor({ timeout: 30_000 });
    const marker = boardMap.locator(`button.map-task[data-task="${taskId}"]`);
    await marker.waitFor();
    expect(await marker.getAttribute('data-mark')).toBe('assigned');
    expect(Number(await marker.getAttribute('data-lon'))).toBeCloseTo(pickedLon!, 6);
    expect(Number(await marker.getAttribute('data-lat'))).toBeCloseTo(pickedLat!, 6);
    // A lone task is framed in the middle of the map.
    await expect.poll(() => boardMap.locator('[data-testid="map"]').getAttribute('data-center')).toMatch(/,/);
    const [fitLon, fitLat] = ((await boardMap.locator('[data-testid="map"]').getAttribute('data-center')) ?? '').split(',').map(Number);
    expect(fitLon).toBeCloseTo(pickedLon!, 5);
    expect(fitLat).toBeCloseTo(pickedLat!, 5);
    const mapBox = (await boardMap.locator('[data-testid="map"]').boundingBox())!;
    const dot = (await marker.locator('.map-task-dot').boundingBox())!;
    expect(Math.abs(dot.x + dot.width / 2 - (mapBox.x + mapBox.width / 2))).toBeLessThan(2);
    expect(Math.abs(dot.y + dot.height / 2 - (mapBox.y + mapBox.height / 2))).toBeLessThan(2);

    // Its 80 m arrival circle is drawn in the mark's colour (yellow) around the dot, and not beyond.
    const centre = { x: dot.x + dot.width / 2, y: dot.y + dot.height / 2 };
    const metresPerPx = (await metresPerPixel(boardMap.locator('[data-testid="map"]'), pickedLat!)) ?? 0;
    const inside = await pixelAt(leader, centre.x + (0.75 * 80) / metresPerPx, centre.y - 12);
    const outside = await pixelAt(leader, centre.x + (1.5 * 80) / metresPerPx, centre.y - 12);
    expect(inside.r - outside.r).toBeGreaterThan(15);
    expect(inside.g - outside.g).toBeGreaterThan(8);

    // Tapping it finds its card.
    await marker.tap();
    await expect.poll(() => card.getAttribute('data-selected')).toBe('yes');
    // The markers are redrawn after the selection renders: the pressed one comes a frame later.
    await expect.poll(() => marker.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => card.isVisible()).toBe(true);
    const cardBox = (await card.boundingBox())!;
    expect(cardBox.y).toBeGreaterThanOrEqual(0);
    expect(cardBox.y + cardBox.height).toBeLessThanOrEqual(844);

    // The officer on that shift has it, with its place; accepting it turns the leader's marker to "in hand".
    const mine = officer.getByTestId('my-tasks').locator('li.task', { hasText: '查看江北桥下聚集人员' });
    await mine.waitFor({ timeout: 10_000 });
    expect(await mine.getAttribute('data-state')).toBe('assigned');
    await mine.getByRole('button', { name: '接受' }).tap();
    await expect.poll(() => recordsWaiting(officer), { timeout: 20_000 }).toBe(0);
    await expect.poll(() => boardMap.locator(`button.map-task[data-task="${taskId}"]`).getAttribute('data-mark'), { timeout: 10_000 }).toBe('working');

    expect([...leaderProblems, ...officerProblems]).toEqual([]);
  });
});

/** Ground metres per CSS pixel at the map's zoom (its data-zoom) and a latitude, in Web Mercator. */
async function metresPerPixel(map: Locator, lat: number): Promise<number | null> {
  const zoom = Number(await map.getAttribute('data-zoom'));
  return Number.isFinite(zoom) ? (40_075_016.686 * Math.cos((lat * Math.PI) / 180)) / (512 * 2 ** zoom) : null;
}

/** The colour on screen at a CSS pixel, decoded in the page (createImageBitmap needs no URL, so no CSP exception). */
async function pixelAt(page: Page, x: number, y: number): Promise<{ r: number; g: number; b: number }> {
  const png = await page.screenshot({ clip: { x: Math.round(x), y: Math.round(y), width: 1, height: 1 } });
  return page.evaluate(
    async (bytes) => {
      const bitmap = await createImageBitmap(new Blob([new Uint8Array(bytes)], { type: 'image/png' }));
      const context = new OffscreenCanvas(1, 1).getContext('2d')!;
      context.drawImage(bitmap, 0, 0);
      const [r = 0, g = 0, b = 0] = context.getImageData(0, 0, 1, 1).data;
      return { r, g, b };
    },
    [...png],
  );
}
