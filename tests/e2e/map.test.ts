import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haversineM } from '../../src/domain/geo.js';
import { FOLLOW_SLACK } from '../../src/app/map/follow.js';
import { buildHuichengDemo } from '../../src/server/demo/huicheng.js';
import { startServer, type TestServer } from '../integration/harness.js';
import { loadTrack, shiftTo, TRACE_FILES } from '../../src/simulator/traces.js';
import { deliverFix, installPatrolClock, namePlacement, patrolPending, signIn, unlock, watchProblems } from './app.js';
import { launchChromium } from './chromium.js';

// A real walk (Osaka, SOURCES.md §1) moved into Huicheng: every 15th point, about 20 m apart,
// far enough that each fix is kept and the officer's dot moves on.
const walk = shiftTo(loadTrack(TRACE_FILES.osakaWalk)).filter((_, i) => i % 15 === 0);
const PHONE = { width: 390, height: 844 };
const demo = buildHuichengDemo();

/** The WGS-84 point in the middle of the map, as the map element reports it. */
async function mapCentre(page: Page): Promise<{ lat: number; lon: number }> {
  const [lon, lat] = ((await page.getByTestId('map').getAttribute('data-center')) ?? '').split(',').map(Number);
  return { lat: lat ?? NaN, lon: lon ?? NaN };
}

/** Kept fixes so far, as the route figures on the officer's screen count them. */
const keptFixes = async (page: Page) => Number(await page.getByTestId('route-stats').getAttribute('data-fixes'));

describe('the officer map on a phone with no base map', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[] = [];
  let step = 0;

  /** How far the dot may drift from the middle (FOLLOW_SLACK of the map's smaller side) before the map moves. */
  async function slackM(): Promise<number> {
    const zoom = Number(await page.getByTestId('map').getAttribute('data-zoom'));
    const box = await page.getByTestId('map').boundingBox();
    const metresPerPixel = (156_543.03 * Math.cos((walk[step]!.lat * Math.PI) / 180)) / 2 ** zoom;
    return FOLLOW_SLACK * Math.min(box!.width, box!.height) * metresPerPixel * Math.SQRT2;
  }

  /** The officer walks on to the next point of the walk; resolves once the app has kept the fix. */
  async function walkOn(): Promise<{ lat: number; lon: number }> {
    const at = walk[++step]!;
    const before = await keptFixes(page);
    await page.clock.fastForward(4000); // about 5 m/s: a brisk walk, never a GPS jump
    await deliverFix(context, page, at);
    await expect.poll(() => patrolPending(page), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => keptFixes(page), { timeout: 10_000 }).toBeGreaterThan(before);
    return at;
  }

  beforeAll(async () => {
    server = await startServer('sqlite', { staticDir: 'dist/app' });
    browser = await launchChromium({ webgl: true });
    context = await browser.newContext({
      locale: 'zh-CN',
      viewport: PHONE,
      permissions: ['geolocation'],
      geolocation: { latitude: walk[0]!.lat, longitude: walk[0]!.lon, accuracy: 5 },
    });
    page = await context.newPage();
    problems = watchProblems(page);
    await installPatrolClock(page);
    await page.goto(server.url);
    await signIn(page, 'J001');
    await page.getByRole('button', { name: '开始巡逻' }).click();
    await page.getByRole('checkbox', { name: '对讲机' }).check();
    await page.getByRole('button', { name: '确认开始巡逻' }).click();
    await page.getByTestId('tracking-state').filter({ hasText: '轨迹记录中' }).waitFor();
    await page.locator('[data-testid="map"][data-ready="yes"]').waitFor({ timeout: 30_000 });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('keeps the officer in the middle of the map as they walk', { timeout: 60_000 }, async () => {
    const start = await mapCentre(page);
    for (let i = 0; i < 12; i++) {
      const at = await walkOn();
      const allowed = await slackM();
      await expect.poll(async () => haversineM(await mapCentre(page), at), { timeout: 5000 }).toBeLessThan(allowed);
    }
    // And it did move with the officer, not stay where it began.
    expect(haversineM(await mapCentre(page), start)).toBeGreaterThan(50);
    expect(await page.getByTestId('map-recentre').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('stops following once the officer drags the map, and the re-centre button brings it back', { timeout: 60_000 }, async () => {
    const canvas = page.locator('[data-testid="map"] canvas');
    await canvas.scrollIntoViewIfNeeded();
    const box = await canvas.boundingBox();
    if (!box) throw new Error('the map canvas has no box');
    const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
    await page.mouse.move(x, y);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(x - 15 * i, y - 10 * i);
    await page.mouse.up();
    const recentre = page.getByRole('button', { name: '回到我的位置' });
    await recentre.waitFor();
    // The centre is written when the map comes to rest, after the drag's glide.
    await expect.poll(async () => haversineM(await mapCentre(page), walk[step]!), { timeout: 5000 }).toBeGreaterThan(200);
    const panned = await mapCentre(page);

    // The officer walks on, and the map stays where they put it.
    await walkOn();
    await walkOn();
    expect(await mapCentre(page)).toEqual(panned);

    // One tap, and it is back on the officer and following again.
    const box2 = await recentre.boundingBox();
    expect(Math.min(box2?.width ?? 0, box2?.height ?? 0)).toBeGreaterThanOrEqual(48); // thumb-sized
    await recentre.click();
    await expect.poll(async () => haversineM(await mapCentre(page), walk[step]!), { timeout: 5000 }).toBeLessThan(2);
    expect(await recentre.count()).toBe(0);
    const at = await walkOn();
    const allowed = await slackM();
    await expect.poll(async () => haversineM(await mapCentre(page), at), { timeout: 5000 }).toBeLessThan(allowed);
    expect(problems).toEqual([]);
  });

  it('names the squad’s zones and checkpoints on the map, and shows a scale bar', async () => {
    const squadZones = demo.zones.filter((z) => z.squad === 'A');
    const names = (kind: string) => page.locator(`[data-testid="map"] .map-label-${kind}`).allTextContents();
    expect((await names('zone')).sort()).toEqual(squadZones.map((z) => z.name['zh-CN']).sort());
    const squadCheckpoints = demo.checkpoints.filter((c) => squadZones.some((z) => z.id === c.zoneId));
    expect((await names('checkpoint')).sort()).toEqual(squadCheckpoints.map((c) => c.name['zh-CN']).sort());
    expect(await page.locator('[data-testid="map"] .map-label-checkpoint:visible').count()).toBeGreaterThan(0);

    // The district the demo carries is drawn and named, with no base map to show it.
    expect(await names('district')).toEqual(['惠城区']);
    await expectDistrictNameClear();

    const scale = page.locator('[data-testid="map"] .maplibregl-ctrl-scale');
    expect(await scale.isVisible()).toBe(true);
    expect(await scale.textContent()).toMatch(/^\d+\s?k?m$/);

    // In English, the names are the English ones.
    await page.evaluate(() => localStorage.setItem('xf.locale', 'en'));
    await page.reload();
    await unlock(page); // the data key left memory with the page (issue 16)
    await page.locator('[data-testid="map"][data-ready="yes"]').waitFor({ timeout: 30_000 });
    await expect.poll(async () => (await names('zone')).sort()).toEqual(squadZones.map((z) => z.name.en).sort());
    expect(await names('district')).toEqual(['Huicheng District']);
    await expectDistrictNameClear(); // the longer English name too
    expect(problems).toEqual([]);
  });

  /** The district's name is whole on the map, none of it past the map's edge or under the zoom buttons or the scale bar. */
  async function expectDistrictNameClear(): Promise<void> {
    const map = page.locator('[data-testid="map"]');
    const label = map.locator('.map-label-district');
    await label.waitFor({ state: 'visible' });
    await expect.poll(() => namePlacement(map, label)).toEqual(['clear']);
  }
});

describe('the admin places a checkpoint on a phone with no base map', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer('sqlite', { staticDir: 'dist/app' });
    browser = await launchChromium({ webgl: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the hint across the map’s width, and a tap on the outlined map places the new checkpoint there', { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: PHONE, hasTouch: true, isMobile: true });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(server.url);
    await signIn(page, 'A001');
    await page.locator('[data-testid="map"][data-ready="yes"]').waitFor({ timeout: 30_000 });
    // The map an admin places on is not a blank field: the district and every zone are drawn and named.
    const names = (kind: string) => page.locator(`[data-testid="map"] .map-label-${kind}`).allTextContents();
    expect(await names('district')).toEqual(['惠城区']);
    expect((await names('zone')).sort()).toEqual(demo.zones.map((z) => z.name['zh-CN']).sort());

    await page.getByRole('button', { name: '新建检查点' }).tap();
    const hint = page.getByText('请在地图上点击新检查点的位置');
    await hint.waitFor();
    const map = page.getByTestId('map');
    const [hintBox, mapBox] = [await hint.boundingBox(), await map.boundingBox()];
    expect(hintBox!.width).toBeGreaterThan(0.8 * mapBox!.width); // not a column four characters wide
    expect(hintBox!.height).toBeLessThan(100); // two or three lines, not ten

    await map.scrollIntoViewIfNeeded();
    const centre = await mapCentre(page);
    const canvas = page.locator('[data-testid="map"] canvas');
    const box = await canvas.boundingBox();
    await canvas.tap({ position: { x: box!.width / 2, y: box!.height / 2 } });
    const form = page.getByTestId('checkpoint-form');
    await form.getByRole('heading', { name: '新检查点' }).waitFor();
    const placed = { lon: Number(await form.getByLabel('中心经度').inputValue()), lat: Number(await form.getByLabel('中心纬度').inputValue()) };
    expect(haversineM(placed, centre)).toBeLessThan(50); // where the finger was, within a pixel or two at this zoom
    expect(problems).toEqual([]);
    await context.close();
  });
});
