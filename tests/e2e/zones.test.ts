import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminZonesResponse } from '../../src/domain/protocol/admin.js';
import { Client, startServer, type TestServer } from '../integration/harness.js';
import { signIn, watchProblems } from './app.js';
import { launchChromium } from './chromium.js';

const json = async <T>(response: Response) => (await response.json()) as T;

describe('the admin draws a patrol zone on a phone and imports zones from GeoJSON', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[] = [];
  let api: Client;
  const zones = async () => (await json<AdminZonesResponse>(await api.request('GET', '/api/admin/zones'))).zones;
  const map = () => page.locator('[data-testid="map"] canvas');
  const form = () => page.getByTestId('zone-form');
  const tools = () => page.getByTestId('zone-outline');
  /** Taps the map `dx`, `dy` pixels from its centre. */
  const tapMap = async (dx: number, dy: number) => {
    const box = await map().boundingBox();
    if (!box) throw new Error('the map canvas has no box');
    await map().click({ position: { x: box.width / 2 + dx, y: box.height / 2 + dy } });
  };

  beforeAll(async () => {
    server = await startServer('sqlite', { staticDir: 'dist/app' });
    browser = await launchChromium({ webgl: true }); // the map needs WebGL
    context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    page = await context.newPage();
    problems = watchProblems(page);
    api = new Client(server.url);
    await api.login('A001');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('draws a zone by tapping its corners, undoing one, closing the ring, and saves it with squad and population', async () => {
    await page.goto(server.url);
    await signIn(page, 'A001');
    await page.getByTestId('admin-screen').waitFor();
    await page.getByRole('button', { name: '巡区', exact: true }).click();
    await page.locator('[data-testid="map"][data-ready="yes"]').waitFor({ timeout: 30_000 });
    await page.getByText('本单位巡区（4 个）').waitFor();

    await page.getByRole('button', { name: '新建巡区' }).click();
    await tools().getByText('已点 0 个拐点').waitFor();
    for (const [dx, dy] of [
      [-50, -50],
      [50, -50],
      [90, 90],
    ] as const)
      await tapMap(dx, dy);
    await tools().getByText('已点 3 个拐点').waitFor();
    // A corner tapped in the wrong place is taken back, and the right one tapped.
    await tools().getByRole('button', { name: '撤销上一点' }).click();
    await tools().getByText('已点 2 个拐点').waitFor();
    await tapMap(50, 50);
    await tapMap(-50, 50);
    await tools().getByRole('button', { name: '闭合' }).click();
    await tools()
      .getByText(/已点 4 个拐点 · 边界已闭合/)
      .waitFor();

    // Nothing is sent until the schema is satisfied.
    await form().getByLabel('中文名称').fill('江滨片区');
    await form().getByLabel('人口（不详可不填）').fill('-4');
    await form().getByRole('button', { name: '保存' }).click();
    const shown = form().getByTestId('form-problems');
    await shown.getByText('英文名称: is required').waitFor();
    await shown.getByText('人口（不详可不填）: must be ≥ 0').waitFor();
    expect(await zones()).toHaveLength(4);

    await form().getByLabel('英文名称').fill('Riverside');
    await form().getByLabel('人口（不详可不填）').fill('3200');
    await form().getByLabel('所属中队').selectOption({ label: '二中队' });
    await form().getByRole('button', { name: '保存' }).click();
    await form().getByText('已保存。').waitFor();

    const saved = (await zones()).find((z) => z.name['zh-CN'] === '江滨片区');
    expect(saved).toMatchObject({ name: { en: 'Riverside' }, population: 3200 });
    const squadB = (await json<AdminZonesResponse>(await api.request('GET', '/api/admin/zones'))).squads.find((s) => s.code === 'B');
    expect(saved?.squadId).toBe(squadB?.id);
    const ring = saved?.polygon.coordinates[0] ?? [];
    expect(ring).toHaveLength(5);
    expect(ring[0]).toEqual(ring[4]);
    // Tapped clockwise on screen from the top left: west to east along the north edge.
    expect(ring[1]![0]).toBeGreaterThan(ring[0]![0]);
    expect(ring[2]![1]).toBeLessThan(ring[1]![1]);

    // In the list with its squad and population, and on the map under its name once the form is closed.
    const item = page.getByTestId('zone-list').getByRole('button', { name: /江滨片区/ });
    await item.getByText('二中队 · 人口 3,200').waitFor();
    await page.getByText('本单位巡区（5 个）').waitFor();
    await form().getByRole('button', { name: '取消' }).click();
    await page.locator('.map-label-zone', { hasText: '江滨片区' }).waitFor();
    // A tap inside it on the map opens it again.
    await tapMap(0, 0);
    expect(await form().getByLabel('中文名称').inputValue()).toBe('江滨片区');
    await form().getByRole('button', { name: '取消' }).click();
  });

  it('imports a GeoJSON file with a bad feature, names the reasons, and changes nothing', async () => {
    const before = await zones();
    const square = (lon: number, lat: number) => [
      [
        [lon, lat],
        [lon + 0.004, lat],
        [lon + 0.004, lat + 0.004],
        [lon, lat + 0.004],
        [lon, lat],
      ],
    ];
    const bad = {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { squad: 'A', name_zh: '好片区', population: 900 }, geometry: { type: 'Polygon', coordinates: square(114.43, 23.06) } },
        { type: 'Feature', properties: { squad: 'Q', name_zh: '无此中队' }, geometry: { type: 'Polygon', coordinates: square(114.44, 23.06) } },
        { type: 'Feature', properties: { squad: 'B', name_zh: '负人口', population: -1 }, geometry: { type: 'Polygon', coordinates: square(114.45, 23.06) } },
      ],
    };
    const io = page.getByTestId('zone-import-export');
    await io.getByLabel('导入 GeoJSON').setInputFiles({ name: 'zones.geojson', mimeType: 'application/geo+json', buffer: Buffer.from(JSON.stringify(bad)) });
    await io.getByText('文件“zones.geojson”包含 3 个要素。确定导入吗？').waitFor();
    await io.getByRole('button', { name: '确认导入' }).click();
    const result = io.getByTestId('import-result');
    await result.getByText('文件中有 2 处问题，未做任何更改：').waitFor();
    expect(await result.locator('li').allTextContents()).toEqual([
      'feature 1 (“无此中队”): properties.squad: no squad “Q” in your unit',
      'feature 2 (“负人口”): properties.population: must be ≥ 0',
    ]);
    expect(await zones()).toEqual(before);
    await page.getByText('本单位巡区（5 个）').waitFor();
  });

  it('renames the unit on the People tab', async () => {
    await page.getByRole('button', { name: '人员', exact: true }).click();
    const panel = page.getByTestId('unit-panel');
    const zh = panel.getByLabel('中文名称');
    await expect.poll(() => zh.inputValue()).toBe('惠城区巡特警大队');
    await zh.fill('惠城分局巡特警大队');
    await panel.getByRole('button', { name: '保存名称' }).click();
    await panel.getByText('已保存。').waitFor();
    const unit = await json<{ name: { 'zh-CN': string; en: string } }>(await api.request('GET', '/api/admin/unit'));
    expect(unit.name).toEqual({ 'zh-CN': '惠城分局巡特警大队', en: 'Huicheng Patrol Brigade' });
    expect(problems).toEqual([]);
  });
});
