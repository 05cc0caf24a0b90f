import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Checkpoint, Plan } from '../../src/domain/checkpoints.js';
import type { AdminZonesResponse } from '../../src/domain/protocol/admin.js';
import type { PullResponse } from '../../src/domain/protocol/sync.js';
import { Client, startServer, type TestServer } from '../integration/harness.js';
import { recordsWaiting, signIn, watchProblems } from './app.js';
import { launchChromium } from './chromium.js';

const json = async <T>(response: Response) => (await response.json()) as T;

/** Everything an officer's device holds after pulling from the start. */
async function pullAll(client: Client): Promise<Map<string, Record<string, unknown>>> {
  const seen = new Map<string, Record<string, unknown>>();
  let cursor = '0';
  for (;;) {
    const page = await json<PullResponse>(await client.request('GET', `/api/sync/pull?cursor=${cursor}`));
    for (const c of page.changes) {
      if (c.op === 'delete') seen.delete(`${c.entity}:${c.id}`);
      else if (c.data) seen.set(`${c.entity}:${c.id}`, c.data);
    }
    cursor = page.cursor;
    if (!page.more) return seen;
  }
}

const file = (name: string, content: unknown) => ({
  name,
  mimeType: 'application/geo+json',
  buffer: Buffer.from(typeof content === 'string' ? content : JSON.stringify(content)),
});

describe('the admin edits checkpoints and plans at a desktop browser', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[] = [];
  let api: Client;
  let officer: Client;
  let geography: AdminZonesResponse;
  let squadA: string;
  const checkpoints = async () => (await json<{ checkpoints: Checkpoint[] }>(await api.request('GET', '/api/admin/checkpoints'))).checkpoints;
  const map = () => page.locator('[data-testid="map"] canvas');
  const cpForm = () => page.getByTestId('checkpoint-form');
  /** Clicks the map `dx` pixels right of its centre. */
  const clickMap = async (dx = 0) => {
    const box = await map().boundingBox();
    if (!box) throw new Error('the map canvas has no box');
    await map().click({ position: { x: box.width / 2 + dx, y: box.height / 2 } });
  };

  beforeAll(async () => {
    server = await startServer('sqlite', { staticDir: 'dist/app' });
    browser = await launchChromium({ webgl: true }); // the map needs WebGL
    context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1400, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    problems = watchProblems(page);
    api = new Client(server.url);
    await api.login('A001');
    officer = new Client(server.url);
    await officer.login('J001');
    geography = await json<AdminZonesResponse>(await api.request('GET', '/api/admin/zones'));
    squadA = geography.squads.find((s) => s.code === 'A')?.id ?? '';
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('opens the admin home on the checkpoint editor, loaded as its own chunk', async () => {
    await page.goto(server.url);
    await signIn(page, 'A001');
    await page.getByRole('heading', { name: '管理工作台' }).waitFor();
    await page.getByTestId('admin-screen').waitFor();
    await page.locator('[data-testid="map"][data-ready="yes"]').waitFor({ timeout: 30_000 });
    await page.getByText('本单位检查点（12 个）').waitFor();
    const loaded = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
    expect(loaded.some((p) => /\/assets\/admin-[\w-]+\.js$/.test(p))).toBe(true);
    // Officers' phones do not get the editors with the service worker's precache either.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    const precached = await page.evaluate(async () =>
      (await Promise.all((await caches.keys()).map(async (name) => (await (await caches.open(name)).keys()).map((r) => r.url)))).flat(),
    );
    expect(precached.some((u) => /\/assets\/index-[\w-]+\.js/.test(u))).toBe(true);
    expect(precached.filter((u) => /\/assets\/admin-/.test(u))).toEqual([]);
    // The map to place things on is not an editor: an officer offline taps an incident's place on it.
    expect(precached.some((u) => /\/assets\/PlaceMap-[\w-]+\.js/.test(u))).toBe(true);
  });

  it('creates a checkpoint with a click on the map, saves it, and picks and moves it on the map', async () => {
    await page.getByRole('button', { name: '新建检查点' }).click();
    await page.getByText('请在地图上点击新检查点的位置').waitFor();
    await clickMap();
    await cpForm().getByRole('heading', { name: '新检查点' }).waitFor();
    expect(await cpForm().getByLabel('半径（米）').inputValue()).toBe('50');
    expect(await cpForm().getByLabel('最短停留（秒）').inputValue()).toBe('60');

    // Nothing is sent until the schema is satisfied: the English name is missing.
    await cpForm().getByLabel('中文名称').fill('东门岗亭');
    await cpForm().getByRole('button', { name: '保存' }).click();
    await cpForm().getByTestId('form-problems').getByText('英文名称: is required').waitFor();
    expect(await checkpoints()).toHaveLength(12);

    await cpForm().getByLabel('英文名称').fill('East gate post');
    await cpForm().getByLabel('类型').selectOption({ label: '银行' });
    await cpForm().getByLabel('最短停留（秒）').fill('90');
    await cpForm().getByRole('button', { name: '保存' }).click();
    await cpForm().getByText('已保存。').waitFor();
    await page
      .getByTestId('checkpoint-list')
      .getByRole('button', { name: /东门岗亭/ })
      .waitFor();
    const created = (await checkpoints()).find((c) => c.name['zh-CN'] === '东门岗亭');
    expect(created).toMatchObject({ name: { en: 'East gate post' }, type: 'bank', minDwellS: 90, shape: { kind: 'circle', radiusM: 50 } });
    const center = created?.shape.kind === 'circle' ? created.shape.center : [0, 0];

    // A click on the map picks the checkpoint under it; "set centre" then moves it.
    await cpForm().getByRole('button', { name: '取消' }).click();
    await clickMap();
    await cpForm().getByRole('heading', { name: '编辑检查点' }).waitFor();
    expect(await cpForm().getByLabel('中文名称').inputValue()).toBe('东门岗亭');
    await cpForm().getByRole('button', { name: '在地图上设置中心' }).click();
    await clickMap(60);
    await cpForm().getByRole('button', { name: '保存' }).click();
    await cpForm().getByText('已保存。').waitFor();
    const moved = (await checkpoints()).find((c) => c.id === created?.id);
    const movedCenter = moved?.shape.kind === 'circle' ? moved.shape.center : [0, 0];
    expect(movedCenter[0]).toBeGreaterThan(center[0] ?? 0);
    expect(movedCenter[1]).toBeCloseTo(center[1] ?? 0, 4);
    await cpForm().getByRole('button', { name: '取消' }).click();
  });

  it('rejects a GeoJSON file with a bad feature, naming it, and changes nothing; an invalid JSON file gets a clear error', async () => {
    const before = await checkpoints();
    const zoneA = geography.zones.find((z) => z.squadId === squadA)?.id;
    const bad = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { zoneId: zoneA, name_zh: '北门岗亭', name_en: 'North gate', type: 'other', radiusM: 40 },
          geometry: { type: 'Point', coordinates: [114.41, 23.11] },
        },
        { type: 'Feature', properties: { zoneId: zoneA, name_zh: '缺半径', type: 'bank' }, geometry: { type: 'Point', coordinates: [114.41, 23.11] } },
      ],
    };
    const io = page.getByTestId('import-export');
    await io.getByLabel('导入 GeoJSON').setInputFiles(file('bad.geojson', bad));
    await io.getByText('文件“bad.geojson”包含 2 个要素。确定导入吗？').waitFor();
    await io.getByRole('button', { name: '确认导入' }).click();
    const result = io.getByTestId('import-result');
    await result.getByText('文件中有 1 处问题，未做任何更改：').waitFor();
    expect(await result.locator('li').allTextContents()).toEqual(['feature 1 (“缺半径”): properties.radiusM: must be a number']);
    expect(await checkpoints()).toEqual(before);

    await io.getByLabel('导入 GeoJSON').setInputFiles(file('broken.geojson', '{"type": "FeatureCollection", '));
    await result.getByText(/文件“broken.geojson”不是有效的 JSON：/).waitFor();
    expect(await io.getByRole('button', { name: '确认导入' }).count()).toBe(0);
  });

  it('imports a good file, says "1 created", shows it in the list, and exports the unit as a GeoJSON download', async () => {
    const zoneA = geography.zones.find((z) => z.squadId === squadA)?.id;
    const good = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { zoneId: zoneA, name_zh: '北门岗亭', name_en: 'North gate', type: 'other', radiusM: 40 },
          geometry: { type: 'Point', coordinates: [114.41, 23.11] },
        },
      ],
    };
    const io = page.getByTestId('import-export');
    await io.getByLabel('导入 GeoJSON').setInputFiles(file('good.geojson', good));
    await io.getByRole('button', { name: '确认导入' }).click();
    await io.getByTestId('import-result').getByText('导入完成：新建 1 个，更新 0 个。').waitFor();
    await page
      .getByTestId('checkpoint-list')
      .getByRole('button', { name: /北门岗亭/ })
      .waitFor();
    await page.getByText('本单位检查点（14 个）').waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), io.getByRole('link', { name: '导出 GeoJSON' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^checkpoints-\d{4}-\d{2}-\d{2}\.geojson$/);
    const path = await download.path();
    const { readFile } = await import('node:fs/promises');
    const exported = JSON.parse(await readFile(path, 'utf8')) as { features: Array<{ properties: { name_zh: string } }> };
    expect(exported.features.map((f) => f.properties.name_zh)).toEqual(expect.arrayContaining(['东门岗亭', '北门岗亭']));
    expect(exported.features).toHaveLength(14);
  });

  it('creates a plan with two of the squad’s checkpoints, which squad A’s officers then pull', async () => {
    const zonesA = new Set(geography.zones.filter((z) => z.squadId === squadA).map((z) => z.id));
    const inA = (await checkpoints()).filter((c) => zonesA.has(c.zoneId));
    const seeded = inA.find((c) => c.name['zh-CN'] !== '北门岗亭' && c.name['zh-CN'] !== '东门岗亭');
    const imported = inA.find((c) => c.name['zh-CN'] === '北门岗亭');
    if (!seeded || !imported) throw new Error('squad A needs a seeded and the imported checkpoint');

    await page.getByRole('button', { name: '新建计划' }).click();
    const form = page.getByTestId('plan-form');
    await form.getByLabel('中队').selectOption({ label: '一中队' });
    await form.getByLabel('中文名称').fill('北门夜巡');
    await form.getByLabel('英文名称').fill('North gate nights');
    // Only squad A's checkpoints are offered.
    const offered = await form.getByRole('checkbox').count();
    expect(offered).toBe(inA.length);
    await form.getByRole('button', { name: '保存' }).click();
    await form
      .getByTestId('form-problems')
      .getByText(/a plan needs at least one checkpoint/)
      .waitFor();

    await checkbox(form, imported.name['zh-CN']).check();
    await checkbox(form, seeded.name['zh-CN']).check();
    await form.getByLabel('间隔（分钟）').fill('30');
    await form.getByLabel('每日开始').fill('22:00');
    await form.getByLabel('每日结束').fill('04:00');
    await form.getByRole('button', { name: '保存' }).click();
    await form.getByText('已保存。').waitFor();
    await page
      .getByTestId('plan-list')
      .getByRole('button', { name: /北门夜巡.*一中队 · 2 个检查点 · 22:00–04:00 每 30 分钟/ })
      .waitFor();

    const plans = [...(await pullAll(officer)).entries()].filter(([key]) => key.startsWith('plan:')).map(([, data]) => data as unknown as Plan);
    expect(plans.find((p) => p.name['zh-CN'] === '北门夜巡')).toMatchObject({
      squadId: squadA,
      checkpointIds: [imported.id, seeded.id],
      rule: { kind: 'interval', everyMin: 30, from: '22:00', to: '04:00' },
    });
    await form.getByRole('button', { name: '取消' }).click();
  });

  it('refuses to delete a checkpoint a plan uses, and says which plan', async () => {
    await page
      .getByTestId('checkpoint-list')
      .getByRole('button', { name: /北门岗亭/ })
      .click();
    await cpForm().getByRole('button', { name: '删除' }).click();
    await cpForm().getByText('确定删除“北门岗亭”吗？').waitFor();
    await cpForm().getByRole('button', { name: '确认删除' }).click();
    await cpForm().getByTestId('form-problems').getByText('无法完成：checkpoint is in plan “北门夜巡”: take it out of the plan first').waitFor();
    expect((await checkpoints()).some((c) => c.name['zh-CN'] === '北门岗亭')).toBe(true);

    // One no plan uses goes.
    await page
      .getByTestId('checkpoint-list')
      .getByRole('button', { name: /东门岗亭/ })
      .click();
    await cpForm().getByRole('button', { name: '删除' }).click();
    await cpForm().getByRole('button', { name: '确认删除' }).click();
    await page.getByText('本单位检查点（13 个）').waitFor();
    expect(await cpForm().count()).toBe(0);
    expect((await checkpoints()).some((c) => c.name['zh-CN'] === '东门岗亭')).toBe(false);
    expect(problems).toEqual([]);
  });

  it('adds a category of the unit and hides a built-in one; an officer’s phone offers it offline, and the report made offline is accepted', async () => {
    await page.getByRole('button', { name: '警情类别' }).click();
    const panel = page.getByTestId('taxonomy-panel');
    await panel.locator('li[data-category="burglary"]').getByText('内置').waitFor();
    const form = page.getByTestId('taxonomy-form');
    // A code the rules refuse is named before anything is sent.
    await form.getByLabel('代码').fill('Fraud!');
    await form.getByLabel('中文名称').fill('电信诈骗');
    await form.getByLabel('英文名称').fill('Telecom fraud');
    await form.getByRole('button', { name: '新增' }).click();
    await form
      .getByRole('alert')
      .getByText(/code: must be a category code/)
      .waitFor();
    await form.getByLabel('代码').fill('fraud');
    await form.getByLabel('计入指数分组').selectOption({ label: '刑事治安' });
    await form.getByRole('button', { name: '新增' }).click();
    await form.getByText('已新增“电信诈骗”，民警设备同步后即可选用。').waitFor();
    await panel.locator('li[data-category="fraud"]').getByText('电信诈骗').waitFor();
    await panel.locator('li[data-category="dispute"]').getByRole('button', { name: '隐藏' }).click();
    await panel.locator('li[data-category="dispute"][data-hidden="yes"]').waitFor();
    expect(problems).toEqual([]);

    // The officer's phone pulls the taxonomy online, then reports offline in the new category.
    const phone = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
    try {
      const officerPage = await phone.newPage();
      const officerProblems = watchProblems(officerPage);
      await officerPage.goto(server.url);
      await signIn(officerPage, 'J001');
      await officerPage.waitForFunction(() => navigator.serviceWorker.controller !== null);
      await expect.poll(() => pulledCategories(officerPage), { timeout: 15_000 }).toEqual(['dispute', 'fraud']);
      await phone.setOffline(true);
      await officerPage.getByTestId('report-incident').click();
      const report = officerPage.getByRole('form', { name: '上报警情' });
      await report.getByRole('radio', { name: '电信诈骗' }).click();
      // Hidden for new reports: not offered.
      expect(await report.getByRole('radio', { name: '纠纷' }).count()).toBe(0);
      expect(await report.getByRole('radio', { name: '入室盗窃' }).count()).toBe(1);
      await report.getByRole('radio', { name: '输入地址' }).check();
      await report.getByRole('textbox', { name: '输入地址' }).fill('惠城区江北街道文明一路 12 号');
      await report.getByLabel('情况描述').fill('群众报称接到冒充客服电话被骗');
      await report.getByRole('button', { name: '上报', exact: true }).click();
      await officerPage.getByTestId('my-incidents').getByText('电信诈骗').waitFor();
      await phone.setOffline(false);
      await expect.poll(() => recordsWaiting(officerPage), { timeout: 30_000 }).toBe(0);
      const stored = await server.database.db.selectFrom('incidents').select(['category', 'address']).execute();
      expect(stored).toEqual([{ category: 'fraud', address: '惠城区江北街道文明一路 12 号' }]);
      expect(officerProblems).toEqual([]);
    } finally {
      await phone.close();
    }
  });
});

/** The codes of the incident categories the device holds from pull (the unit's own, and the built-in ones it hides). */
function pulledCategories(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('xunfang');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const entries = await new Promise<Array<{ entity: string; id: string }>>((resolve, reject) => {
      const request = db.transaction('LOCAL').objectStore('LOCAL').getAll();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    db.close();
    return entries
      .filter((e) => e.entity === 'incident-category')
      .map((e) => e.id)
      .sort();
  });
}

/** A checkbox by its exact label, so "银行" does not also match "中国银行". */
function checkbox(scope: Locator, name: string): Locator {
  return scope.getByRole('checkbox', { name, exact: true });
}
