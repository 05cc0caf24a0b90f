import { readFile } from 'node:fs/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/server/blobs/blob-store.js';
import { startServer, type TestServer } from '../integration/harness.js';
import { recordsWaiting, signIn, unlock, watchProblems } from './app.js';
import { launchChromium, launchPersistent } from './chromium.js';

/** Two camera-sized PNGs drawn in the page (no downloads): larger than 2048 px, so the worker resizes them. */
async function cameraPngs(page: Page): Promise<Buffer[]> {
  const encoded = await page.evaluate(async () => {
    const out: string[] = [];
    for (const [w, h, hue] of [
      [3000, 2000, 20],
      [1800, 2600, 200],
    ] as const) {
      const canvas = new OffscreenCanvas(w, h);
      const context = canvas.getContext('2d');
      if (!context) throw new Error('no 2d context');
      const gradient = context.createLinearGradient(0, 0, w, h);
      gradient.addColorStop(0, `hsl(${hue} 80% 40%)`);
      gradient.addColorStop(1, `hsl(${hue + 120} 80% 60%)`);
      context.fillStyle = gradient;
      context.fillRect(0, 0, w, h);
      context.fillStyle = '#fff';
      context.font = '200px sans-serif';
      context.fillText('现场 ' + hue, 100, 400);
      const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      out.push(btoa(binary));
    }
    return out;
  });
  return encoded.map((b64) => Buffer.from(b64, 'base64'));
}

/** The photos the device holds in IndexedDB, with their bytes. */
/**
 * The photos kept on the device, read raw from IndexedDB: their clear fields and the first bytes
 * of what is stored for them, which is ciphertext (issue 16), never the JPEG itself.
 */
function devicePhotos(page: Page): Promise<Array<{ sha256: string; width: number; height: number; uploaded: boolean; head: number[] }>> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('xunfang');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const entries = await new Promise<Array<{ sha256: string; width: number; height: number; uploaded: boolean; sealedBlob: { data: ArrayBuffer } }>>(
      (resolve, reject) => {
        const request = db.transaction('PHOTO').objectStore('PHOTO').getAll();
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      },
    );
    db.close();
    return entries.map(({ sealedBlob, sha256, width, height, uploaded }) => ({
      sha256,
      width,
      height,
      uploaded,
      head: [...new Uint8Array(sealedBlob.data, 0, 3)],
    }));
  });
}

describe('an officer reports an incident with photos offline in Chromium', () => {
  let server: TestServer;
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  /** The photos as the officer's device stored them, by hash: what the leader's page must show. */
  const sent = new Map<string, { width: number; height: number }>();
  let leaderBrowser: Browser | undefined;

  beforeAll(async () => {
    server = await startServer('sqlite', { staticDir: 'dist/app' });
    profile = mkdtempSync(join(tmpdir(), 'xf-profile-'));
    context = await launchPersistent(profile, {
      permissions: ['geolocation'],
      geolocation: { latitude: 23.0921, longitude: 114.4312, accuracy: 8 },
      locale: 'zh-CN',
      viewport: { width: 390, height: 844 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    problems = watchProblems(page);
  });
  afterAll(async () => {
    await leaderBrowser?.close();
    await context?.close();
    await server?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it('keeps the report and both photos through a reload offline, then sends each once, byte for byte', async () => {
    await page.goto(server.url);
    await signIn(page, 'J001');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await expect.poll(() => recordsWaiting(page), { timeout: 15_000 }).toBe(0);
    const pngs = await cameraPngs(page);

    await context.setOffline(true);
    await page.getByTestId('report-incident').click();
    const form = page.getByRole('form', { name: '上报警情' });
    await form.getByRole('radio', { name: '入室盗窃' }).click();
    await form
      .getByTestId('incident-fix')
      .getByText(/已定位，精度 ±8 米/)
      .waitFor();
    await form.getByLabel('情况描述').fill('居民报称家中被盗，门锁有撬痕');
    await form.getByRole('button', { name: '添加人员' }).click();
    await form.getByPlaceholder('姓名').fill('李女士');
    await form.getByLabel('受伤人数').fill('0');
    await form.getByTestId('incident-photos').setInputFiles(pngs.map((buffer, i) => ({ name: `IMG_000${i + 1}.png`, mimeType: 'image/png', buffer })));
    await expect.poll(() => form.getByTestId('incident-thumbs').locator('img').count(), { timeout: 30_000 }).toBe(2);
    await form.getByRole('button', { name: '上报', exact: true }).click();

    const list = page.getByTestId('my-incidents');
    await list.getByText('入室盗窃').waitFor();
    await list
      .getByText(/2 张照片/)
      .first()
      .waitFor();
    await page.getByTestId('photos-waiting').getByText('2 张照片待上传').waitFor();
    const stored = await devicePhotos(page);
    expect(stored).toHaveLength(2);
    for (const p of stored) sent.set(p.sha256, { width: p.width, height: p.height });
    // Resized in the worker to 2048 px on the longest side, re-encoded as JPEG, named by their hash.
    expect(stored.map((p) => Math.max(p.width, p.height))).toEqual([2048, 2048]);
    // At rest they are AES-GCM ciphertext, not a JPEG (issue 16); the bytes are checked on the server below.
    for (const p of stored) expect(p.head).not.toEqual([0xff, 0xd8, 0xff]);

    await page.reload();
    await unlock(page); // the data key left memory with the page (issue 16)
    await page.getByTestId('my-incidents').getByText('入室盗窃').waitFor();
    expect(await devicePhotos(page)).toHaveLength(2);
    expect(await server.database.db.selectFrom('incidents').select('incident_id').execute()).toEqual([]);

    await context.setOffline(false);
    await expect.poll(() => recordsWaiting(page), { timeout: 30_000 }).toBe(0);
    await expect.poll(async () => (await devicePhotos(page)).length, { timeout: 15_000 }).toBe(0);
    await page.getByTestId('photos-waiting').waitFor({ state: 'detached' });

    const db = server.database.db;
    const incidents = await db.selectFrom('incidents').selectAll().execute();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ category: 'burglary', status: 'reported', lat: 23.0921, lon: 114.4312 });
    expect(await db.selectFrom('records').select('id').where('kind', '=', 'incident.report').execute()).toHaveLength(1);
    const blobs = await db.selectFrom('blobs').select(['sha256', 'size']).orderBy('sha256').execute();
    expect(blobs.map((b) => b.sha256)).toEqual(stored.map((p) => p.sha256).sort());
    for (const p of stored) {
      // Byte for byte what the device prepared: named by its hash, a JPEG with no EXIF segment (APP1, "Exif\0\0").
      const onServer = await readFile(join(server.env.DATA_DIR, 'blobs', p.sha256.slice(0, 2), p.sha256));
      expect(sha256Hex(onServer)).toBe(p.sha256);
      expect([...onServer.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
      expect(onServer.includes(Buffer.from('Exif\0\0', 'latin1'))).toBe(false);
    }
    const named = await db.selectFrom('incident_photos').select('sha256').orderBy('sha256').execute();
    expect(named.map((n) => n.sha256)).toEqual(stored.map((p) => p.sha256).sort());
    expect(problems).toEqual([]);
  });

  it('moves the incident along with a signed update, the note appended', async () => {
    const item = page.getByTestId('my-incidents').locator('li.incident');
    await item.getByRole('button', { name: '更新处置' }).click();
    await item.getByRole('radio', { name: '已到场' }).click();
    await item.getByLabel(/备注/).fill('已联系物业调取监控');
    await item.getByRole('button', { name: '保存' }).click();
    await item.getByTestId('incident-state').getByText('已到场').waitFor();
    await item.getByText('已联系物业调取监控').waitFor();
    await expect.poll(() => recordsWaiting(page), { timeout: 30_000 }).toBe(0);
    const row = await server.database.db.selectFrom('incidents').select('status').executeTakeFirstOrThrow();
    expect(row.status).toBe('on-scene');
    expect(problems).toEqual([]);
  });

  it('shows the leader of the same squad the incident, its timeline and both photos, which load, and makes a task from it', async () => {
    // WebGL: the task made from the incident is placed on the map.
    leaderBrowser = await launchChromium({ webgl: true });
    const leaderContext = await leaderBrowser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
    const leader = await leaderContext.newPage();
    const leaderProblems = watchProblems(leader);
    await leader.goto(server.url);
    await signIn(leader, 'L001');

    const panel = leader.getByTestId('incidents');
    const item = panel.locator('li.incident');
    await item.getByText('入室盗窃').waitFor();
    expect(await item.count()).toBe(1);
    await item.getByText(/陈志强 J001 · 2 张照片/).waitFor();
    expect(await item.getAttribute('data-state')).toBe('on-scene');
    await item.getByRole('button').click();

    const incident = leader.getByTestId('incident-page');
    await incident.getByText('居民报称家中被盗，门锁有撬痕').waitFor();
    await incident.getByTestId('incident-status').getByText('已到场').waitFor();
    await incident.getByText('受害人 李女士').waitFor();
    const timeline = incident.getByTestId('incident-timeline').locator('li');
    expect(await timeline.evaluateAll((steps) => steps.map((s) => s.getAttribute('data-state')))).toEqual(['reported', 'on-scene']);
    await timeline.nth(1).getByText('已联系物业调取监控').waitFor();

    // Both photos come from /api/blobs and decode: the page shows what the device took, at its size.
    const images = incident.getByTestId('incident-photos').locator('img');
    await expect
      .poll(() => images.evaluateAll((imgs) => (imgs as HTMLImageElement[]).filter((img) => img.complete && img.naturalWidth > 0).length), { timeout: 15_000 })
      .toBe(2);
    const shown = await images.evaluateAll((imgs) =>
      (imgs as HTMLImageElement[]).map((img) => ({ src: new URL(img.src).pathname, width: img.naturalWidth, height: img.naturalHeight })),
    );
    expect(shown.map((s) => s.src).sort()).toEqual([...sent.keys()].map((sha256) => `/api/blobs/${sha256}`).sort());
    for (const s of shown) {
      expect(s.width).toBeGreaterThan(0);
      expect({ width: s.width, height: s.height }).toEqual(sent.get(s.src.slice('/api/blobs/'.length)));
    }

    // A thumbnail opens its photo full size, and closes again.
    await incident.getByRole('button', { name: '查看第 1 张照片原图' }).click();
    const viewer = leader.getByTestId('photo-viewer');
    await expect.poll(() => viewer.locator('img').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(shown[0]!.width);
    await viewer.getByRole('button', { name: '关闭' }).click();
    await viewer.waitFor({ state: 'detached' });

    // A task from the incident: its place and what happened are filled in; the leader sends it.
    await incident.getByTestId('incident-make-task').click();
    const form = incident.getByTestId('incident-task-form');
    expect(await form.getByLabel('标题').inputValue()).toMatch(/^入室盗窃 · /);
    const stored = await server.database.db.selectFrom('incidents').select(['lat', 'lon', 'incident_id']).executeTakeFirstOrThrow();
    const picked = (await form.getByTestId('task-place').getAttribute('data-picked'))!.split(',').map(Number);
    expect(picked[0]).toBeCloseTo(Number(stored.lon), 6);
    expect(picked[1]).toBeCloseTo(Number(stored.lat), 6);
    await form.getByRole('button', { name: '派发' }).click();
    await form.waitFor({ state: 'detached' });
    const task = await server.database.db.selectFrom('tasks').selectAll().where('title', 'like', '入室盗窃 · %').executeTakeFirstOrThrow();
    expect(task.details).toContain('居民报称家中被盗，门锁有撬痕');
    expect(leaderProblems).toEqual([]);
  });
});
