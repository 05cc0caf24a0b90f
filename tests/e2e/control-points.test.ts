import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlPoint } from '../../src/domain/control-points.js';
import { haversineM } from '../../src/domain/geo.js';
import { Client, startServer, type TestServer } from '../integration/harness.js';
import { signIn, watchProblems } from './app.js';
import { launchChromium } from './chromium.js';

const json = async <T>(response: Response) => (await response.json()) as T;
const file = (name: string, content: unknown) => ({ name, mimeType: 'application/geo+json', buffer: Buffer.from(JSON.stringify(content)) });
const EARTH_M = 40_075_016.686;
/** Pixels per degree of longitude at a maplibre zoom (512-pixel tiles). */
const pxPerDegLon = (zoom: number) => (512 * 2 ** zoom) / 360;
const mercatorY = (lat: number) => Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));

/** What the map in `scope` (a page with one map, or the panel holding it) shows: its WGS-84 centre and zoom, as MapView writes them on the element. */
async function camera(scope: Pick<Page, 'getByTestId'>): Promise<{ lon: number; lat: number; zoom: number }> {
  const map = scope.getByTestId('map');
  const [lon, lat] = ((await map.getAttribute('data-center')) ?? '').split(',').map(Number);
  return { lon: lon!, lat: lat!, zoom: Number(await map.getAttribute('data-zoom')) };
}

// The admin adds a control point (卡口) by clicking the admin map; the squad leader's next
// lockdown proposal around an incident a kilometre away offers it, marked as an approximate position.
describe('control points edited by the admin reach the leader’s lockdown', () => {
  let server: TestServer;
  let browser: Browser;
  let admin: Page;
  let leader: Page;
  let adminProblems: string[] = [];
  let leaderProblems: string[] = [];
  let api: Client;

  beforeAll(async () => {
    server = await startServer('sqlite', { staticDir: 'dist/app' });
    browser = await launchChromium({ webgl: true });
    const desk = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1400, height: 900 } });
    admin = await desk.newPage();
    const phone = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    leader = await phone.newPage();
    adminProblems = watchProblems(admin);
    leaderProblems = watchProblems(leader);
    api = new Client(server.url);
    await api.login('A001');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('adds a control point with a click on the admin map, and the leader’s proposal offers it as approximate', { timeout: 180_000 }, async () => {
    // The leader opens the planner first: where their map is centred is where the incident will be.
    await leader.goto(server.url);
    await signIn(leader, 'L001');
    const panel = leader.getByTestId('lockdown');
    await panel.getByRole('button', { name: '发起快速封控' }).tap();
    // The lockdown planner's map, not the live squad's above it.
    await panel.locator('[data-testid="map"][data-ready="yes"]').waitFor({ timeout: 30_000 });
    const incident = await camera(panel);

    await admin.goto(server.url);
    await signIn(admin, 'A001');
    await admin.getByTestId('admin-screen').waitFor();
    await admin.getByRole('button', { name: '卡口', exact: true }).click();
    const ctlPanel = admin.getByTestId('control-points-panel');
    await ctlPanel.getByText('本单位卡口（8 个）').waitFor();
    expect(await ctlPanel.locator('[data-testid="control-point-list"] li[data-approximate="yes"]').count()).toBe(8);
    await admin.locator('[data-testid="map"][data-ready="yes"]').waitFor({ timeout: 30_000 });

    // Click the admin map one kilometre north of the leader's incident.
    const target = { lon: incident.lon, lat: incident.lat + 1000 / (EARTH_M / 360) };
    const view = await camera(admin);
    const canvas = admin.locator('[data-testid="map"] canvas');
    const box = (await canvas.boundingBox())!;
    const scale = pxPerDegLon(view.zoom);
    const x = box.width / 2 + (target.lon - view.lon) * scale;
    const y = box.height / 2 - ((mercatorY(target.lat) - mercatorY(view.lat)) * 180 * scale) / Math.PI;
    expect(x > 0 && x < box.width && y > 0 && y < box.height).toBe(true);

    await ctlPanel.getByRole('button', { name: '新建卡口' }).click();
    await ctlPanel.getByText('请在地图上点击新卡口的位置。').waitFor();
    await canvas.click({ position: { x, y } });
    const form = admin.getByTestId('control-point-form');
    await form.getByRole('heading', { name: '新卡口' }).waitFor();
    // A point placed by a click on a map is not surveyed: the form says so until told otherwise.
    expect(await form.getByLabel('位置为近似（未经实地测量）').isChecked()).toBe(true);
    await form.getByLabel('中文名称').fill('上排大桥北');
    await form.getByRole('button', { name: '保存' }).click();
    await form.getByTestId('form-problems').getByText('英文名称: is required').waitFor();
    await form.getByLabel('英文名称').fill('Shangpai Bridge north');
    await form.getByLabel('类型').selectOption({ label: '桥梁' });
    await form.getByRole('button', { name: '保存' }).click();
    await form.getByText('已保存。').waitFor();
    const item = ctlPanel.getByTestId('control-point-list').getByRole('button', { name: /上排大桥北/ });
    await item.waitFor();
    expect(await item.textContent()).toContain('位置为近似');
    await ctlPanel.getByText('本单位卡口（9 个）').waitFor();

    const saved = (await json<{ controlPoints: ControlPoint[] }>(await api.request('GET', '/api/admin/control-points'))).controlPoints.find(
      (p) => p.name['zh-CN'] === '上排大桥北',
    );
    expect(saved).toMatchObject({ kind: 'bridge', approximate: true, name: { en: 'Shangpai Bridge north' } });
    // Where the click was: within a click's width (tens of metres at this zoom) of a kilometre from the incident.
    expect(Math.abs(haversineM(incident, saved!) - 1000)).toBeLessThan(150);

    // The leader asks for the 1 km ring around the incident at the centre of their map.
    expect(await camera(panel)).toEqual(incident);
    await panel.getByLabel('封控半径').selectOption('1000');
    const leaderCanvas = panel.locator('[data-testid="map"] canvas');
    const leaderBox = (await leaderCanvas.boundingBox())!;
    await leaderCanvas.tap({ position: { x: leaderBox.width / 2, y: leaderBox.height / 2 } });
    await panel.getByTestId('lockdown-ring').waitFor();
    const offered = panel.locator(`.lockdown-planner li[data-point="${saved!.id}"]`);
    await offered.waitFor();
    expect(await offered.locator('strong').textContent()).toBe('上排大桥北');
    expect(await offered.textContent()).toContain('位置为近似');

    await panel.getByRole('button', { name: '取消' }).tap();
    expect([...adminProblems, ...leaderProblems]).toEqual([]);
  });

  it('imports control points from GeoJSON all or nothing, naming a bad feature, and deletes one after a second tap', { timeout: 120_000 }, async () => {
    const ctlPanel = admin.getByTestId('control-points-panel');
    const io = admin.getByTestId('control-point-import-export');
    const input = io.locator('input[type="file"]');
    const feature = (name: string, kind: string, coordinates: number[]) => ({
      type: 'Feature',
      properties: { name_zh: name, name_en: `${name} (en)`, kind },
      geometry: { type: 'Point', coordinates },
    });
    await input.setInputFiles(
      file('bad.geojson', { type: 'FeatureCollection', features: [feature('好卡口', 'road', [114.41, 23.11]), feature('坏卡口', 'tunnel', [114.42, 23.11])] }),
    );
    await io.getByText('文件“bad.geojson”包含 2 个要素。确定导入吗？').waitFor();
    await io.getByRole('button', { name: '确认导入' }).click();
    const result = io.getByTestId('import-result');
    await result.getByText('文件中有 1 处问题，未做任何更改：').waitFor();
    expect(await result.locator('li').allTextContents()).toEqual([
      'feature 1 (“坏卡口”): properties.kind: kind must be one of road, bridge, toll, station, ferry',
    ]);
    await ctlPanel.getByText('本单位卡口（9 个）').waitFor();

    await input.setInputFiles(file('good.geojson', { type: 'FeatureCollection', features: [feature('马安收费站', 'toll', [114.48, 23.05])] }));
    await io.getByRole('button', { name: '确认导入' }).click();
    await result.getByText('导入完成：新建 1 个，更新 0 个。').waitFor();
    await ctlPanel.getByText('本单位卡口（10 个）').waitFor();
    const imported = ctlPanel.getByTestId('control-point-list').getByRole('button', { name: /马安收费站/ });
    // Imported without `approximate`: a surveyed position, so no "approximate" mark.
    expect(await imported.textContent()).not.toContain('位置为近似');

    await imported.click();
    const form = admin.getByTestId('control-point-form');
    await form.getByRole('heading', { name: '编辑卡口' }).waitFor();
    expect(await form.getByLabel('类型').inputValue()).toBe('toll');
    await form.getByRole('button', { name: '删除', exact: true }).click();
    await form.getByText('确定删除“马安收费站”').waitFor();
    await form.getByRole('button', { name: '确认删除' }).click();
    await ctlPanel.getByText('本单位卡口（9 个）').waitFor();
    const left = (await json<{ controlPoints: ControlPoint[] }>(await api.request('GET', '/api/admin/control-points'))).controlPoints;
    expect(left.map((p) => p.name['zh-CN'])).not.toContain('马安收费站');
    expect(adminProblems).toEqual([]);
  });
});
