import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SquadLiveResponse } from '../../src/domain/protocol/squad.js';
import type { AuditTrackResponse } from '../../src/domain/protocol/track-audit.js';
import { OUTBOX_FLUSH_MESSAGE, OUTBOX_SYNC_TAG } from '../../src/store/sync-engine.js';
import { Client, DATABASES, PASSWORD, startServer, type TestServer } from '../integration/harness.js';
import {
  deliverFix,
  installPatrolClock,
  pauseClock,
  rawIndexedDb,
  recordsWaiting,
  reportPosition,
  storeCount,
  TEST_PIN,
  unlock,
  watchProblems,
} from './app.js';
import { launchChromium } from './chromium.js';

// Issue 16, while the app runs: a lock only hides the screen. The data key stays in memory, so
// the outbox drains, tracking goes on and SOS works behind the lock. After a reload nothing can be
// read or sent until the PIN: Background Sync then finds only a sealed page, the records wait
// (the lock screen says so), and they go once the PIN opens the key.

/** The keys of the outbox's entries, read raw (they are record ids, kept in clear), as no key is needed for them. */
function outboxIds(page: Page): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open('xunfang');
        open.onsuccess = () => {
          const keys = open.result.transaction('OUTBOX').objectStore('OUTBOX').getAllKeys();
          keys.onsuccess = () => (resolve(keys.result.map(String)), open.result.close());
          keys.onerror = () => reject(keys.error);
        };
        open.onerror = () => reject(open.error);
      }),
  );
}

/** The ids of the local copies of one kind the device holds for the officer (clear key fields). */
function localIds(page: Page, entity: string): Promise<string[]> {
  return page.evaluate(
    (wanted) =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open('xunfang');
        open.onsuccess = () => {
          const all = open.result.transaction('LOCAL').objectStore('LOCAL').getAll();
          all.onsuccess = () => (
            resolve((all.result as Array<{ entity: string; id: string }>).filter((e) => e.entity === wanted).map((e) => e.id)),
            open.result.close()
          );
          all.onerror = () => reject(all.error);
        };
        open.onerror = () => reject(open.error);
      }),
    entity,
  );
}

describe.each(DATABASES)('the lock in Chromium while the app runs, and Background Sync under a sealed page (%s)', (kind) => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[] = [];
  let officerId: string;
  const supervisor = () => signedIn('S001');
  const leader = () => signedIn('L001');

  async function signedIn(badge: string): Promise<Client> {
    const client = new Client(server.url);
    expect((await client.login(badge)).status).toBe(200);
    return client;
  }
  /** The ids, of those given, that the server has stored, each as often as it holds it. */
  async function storedOf(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await server.database.db
      .selectFrom('records')
      .select('id')
      .where('id', 'in', [...ids])
      .execute();
    return rows.map((r) => r.id).sort();
  }
  /** Reports the position by hand, at each of the given latitudes, as the officer would tap it. */
  async function report(lats: readonly number[]): Promise<void> {
    for (const lat of lats) await reportPosition(context, page, { lat, lon: 114.4152 });
  }
  const lockScreen = () => page.getByTestId('lock-screen');

  beforeAll(async () => {
    server = await startServer(kind, { staticDir: 'dist/app' });
    officerId = (await server.database.db.selectFrom('users').select('id').where('badge', '=', 'J001').executeTakeFirstOrThrow()).id;
    browser = await launchChromium();
    context = await browser.newContext({
      locale: 'zh-CN',
      viewport: { width: 390, height: 844 },
      permissions: ['geolocation'],
      geolocation: { latitude: 23.1115, longitude: 114.4152, accuracy: 5 },
    });
    page = await context.newPage();
    problems = watchProblems(page);
    await installPatrolClock(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('refuses a 5-digit PIN at the first sign-in, saying why, writes no key for it, and takes 246810', async () => {
    await page.goto(server.url);
    await page.getByLabel('警号').fill('J001');
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    const setup = page.getByTestId('pin-setup');
    await setup.waitFor({ timeout: 30_000 });
    expect(await setup.textContent()).toContain('至少 6 位数字。');
    await setup.locator('input[name="new-pin"]').fill('12345');
    await setup.locator('input[name="confirm-pin"]').fill('12345');
    await setup.locator('button[type="submit"]').click();
    await expect.poll(() => setup.getByRole('alert').textContent()).toBe('PIN 至少 6 位数字。');
    // Nothing was wrapped by the refused PIN: the device still has no key for this officer.
    const keyring = () => storeCount(page, 'KEYRING');
    expect(await keyring()).toBe(0);
    expect(await page.getByRole('heading', { name: '民警工作台' }).count()).toBe(0);

    await setup.locator('input[name="new-pin"]').fill(TEST_PIN);
    await setup.locator('input[name="confirm-pin"]').fill(TEST_PIN);
    await setup.locator('button[type="submit"]').click();
    await setup.waitFor({ state: 'detached', timeout: 30_000 });
    await page.getByRole('heading', { name: '民警工作台' }).waitFor();
    expect(await keyring()).toBe(1);
  });

  it('keeps the zone and checkpoint names it pulled only as ciphertext, in every IndexedDB database', async () => {
    const zones = await server.database.db.selectFrom('zones').select(['id', 'name_zh', 'name_en']).execute();
    const checkpoints = await server.database.db.selectFrom('checkpoints').select(['id', 'name_zh', 'name_en']).execute();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await page.getByRole('button', { name: '开始巡逻' }).click();
    // The squad's zones were pulled and are shown to the officer by name: the device has them.
    await page.getByText('江北片区').waitFor();
    await expect.poll(() => localIds(page, 'zone')).toEqual(expect.arrayContaining(zones.filter((z) => z.name_zh === '江北片区').map((z) => z.id)));
    await expect.poll(async () => (await localIds(page, 'checkpoint')).length).toBeGreaterThan(0);
    await page.getByRole('button', { name: '确认开始巡逻' }).click();
    await page.getByText('巡逻中').waitFor();
    await expect.poll(() => recordsWaiting(page), { timeout: 15_000 }).toBe(0);

    const { text, values, databases } = await rawIndexedDb(page);
    expect(databases).toContain('xunfang');
    expect(values).toBeGreaterThan(10);
    // The dump does read what is kept in clear (the officer's id is a key field), so a name in clear would show.
    expect(text).toContain(officerId);
    const held = new Set([...(await localIds(page, 'zone')), ...(await localIds(page, 'checkpoint'))]);
    const names = [...zones, ...checkpoints].filter((a) => held.has(a.id)).flatMap((a) => [a.name_zh, a.name_en]);
    expect(names.length).toBeGreaterThan(4);
    for (const name of names) expect(text, name).not.toContain(name);
  });

  it('drains the outbox while the lock screen shows: records made before the lock and fixes taken behind it reach the server', async () => {
    await context.setOffline(true);
    // Near where the shift started, so the route's filter takes the walk on from there.
    const beforeLock = [23.1116, 23.1117, 23.1118];
    await report(beforeLock);
    expect(await recordsWaiting(page)).toBeGreaterThanOrEqual(3);

    await page.getByTestId('lock-button').click();
    await lockScreen().waitFor();
    expect(await lockScreen().getAttribute('data-lock')).toBe('locked');
    // Behind the lock, still offline, the patrol goes on: fixes are kept and written.
    const queued = (await outboxIds(page)).length;
    // A walk north, 22 m every 5 s: each fix is kept on the route.
    const behindLock = [1, 2, 3, 4, 5, 6].map((i) => 23.1118 + i * 2e-4);
    await pauseClock(page);
    try {
      await page.clock.runFor(5000);
      for (const lat of behindLock) {
        await deliverFix(context, page, { lat, lon: 114.4152 });
        await page.clock.runFor(5000);
      }
      await expect.poll(async () => (await outboxIds(page)).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(queued + behindLock.length);
    } finally {
      await page.clock.resume();
    }
    const waiting = await outboxIds(page);
    expect(await storedOf(waiting)).toEqual([]);

    // Online again with the lock still on: the outbox empties and the server has every record once.
    await context.setOffline(false);
    await expect.poll(async () => (await outboxIds(page)).length, { timeout: 30_000 }).toBe(0);
    expect(await storedOf(waiting)).toEqual([...waiting].sort());
    expect(await lockScreen().getAttribute('data-lock')).toBe('locked');
    expect(await page.getByTestId('route-stats').count()).toBe(0);

    // The supervisor's route audit shows them: the hand reports and the fixes behind the lock.
    const track = (await (await (await supervisor()).request('GET', `/api/audit/track?officerId=${officerId}`)).json()) as AuditTrackResponse;
    const lats = track.points.map((p) => p.lat);
    for (const lat of [...beforeLock, ...behindLock])
      expect(
        lats.some((l) => Math.abs(l - lat) < 1e-6),
        String(lat),
      ).toBe(true);
    expect(new Set(track.points.map((p) => p.id)).size).toBe(track.points.length);
  });

  it('sends an SOS held on the lock screen, which the squad leader sees, without unlocking', async () => {
    const sos = lockScreen().getByTestId('sos-button');
    const box = await sos.boundingBox();
    if (!box) throw new Error('the SOS control is not on the lock screen');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.getByTestId('sos-countdown').filter({ hasText: '秒后发出求助，松开取消' }).waitFor();
    await page.waitForTimeout(2300);
    await page.mouse.up();
    await lockScreen().getByTestId('sos-active').waitFor();

    const squadLive = async () => {
      const answer = (await (await (await leader()).request('GET', '/api/squad/live')).json()) as SquadLiveResponse;
      return answer.officers.find((o) => o.badge === 'J001')?.sos ?? null;
    };
    await expect.poll(async () => (await squadLive())?.raisedAt ?? null, { timeout: 15_000 }).not.toBeNull();
    const alert = await squadLive();
    expect(alert).toMatchObject({ cancelledAt: null, ackedAt: null, officer: { badge: 'J001' } });
    expect(alert?.fix).not.toBeNull();
    expect(await lockScreen().getAttribute('data-lock')).toBe('locked');
    await expect.poll(() => lockScreen().getByTestId('sos-active').textContent()).toContain('求助已发出');
  });

  it('keeps the records in the outbox when Background Sync fires under a sealed page, says so, and sends each once after the PIN', async () => {
    // Records made offline, then a reload: the page no longer holds the key.
    await unlock(page);
    await context.setOffline(true);
    await report([23.1131, 23.1132, 23.1133]);
    await page.reload();
    await lockScreen().waitFor();
    expect(await lockScreen().getAttribute('data-lock')).toBe('sealed');
    const waiting = await outboxIds(page);
    expect(waiting.length).toBeGreaterThanOrEqual(3);
    const shown = lockScreen().getByTestId('lock-waiting');
    await shown.waitFor();
    expect(Number(await shown.getAttribute('data-waiting'))).toBe(waiting.length);
    expect(await shown.textContent()).toBe(`${waiting.length} 条记录保存在本机（已加密），解锁后上传。`);

    // Online, sealed: the browser's Background Sync fires in the service worker.
    await context.setOffline(false);
    await page.evaluate(() => {
      const seen: unknown[] = [];
      (window as unknown as { xfFromSw: unknown[] }).xfFromSw = seen;
      navigator.serviceWorker.addEventListener('message', (event) => seen.push(event.data));
    });
    const cdp = await context.newCDPSession(page);
    const registration = new Promise<string>((resolve) =>
      cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        const ours = registrations.find((r) => !r.isDeleted && r.scopeURL.startsWith(server.url));
        if (ours) resolve(ours.registrationId);
      }),
    );
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.dispatchSyncEvent', { origin: server.url, registrationId: await registration, tag: OUTBOX_SYNC_TAG, lastChance: false });
    // The service worker took the sync and asked the page to flush; the sealed page cannot.
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { xfFromSw: Array<{ type?: string }> }).xfFromSw.map((m) => m.type)), { timeout: 10_000 })
      .toContain(OUTBOX_FLUSH_MESSAGE);
    // Time for a flush, had anything started one (a page flush takes well under a second here).
    await page.waitForTimeout(2000);
    expect(await storedOf(waiting)).toEqual([]);
    expect((await outboxIds(page)).sort()).toEqual([...waiting].sort());
    expect(await lockScreen().getAttribute('data-lock')).toBe('sealed');
    expect(Number(await shown.getAttribute('data-waiting'))).toBe(waiting.length);

    // The PIN opens the key: they go, and the server holds each exactly once.
    await unlock(page);
    await expect.poll(async () => (await outboxIds(page)).length, { timeout: 30_000 }).toBe(0);
    expect(await storedOf(waiting)).toEqual([...waiting].sort());
    await expect.poll(() => recordsWaiting(page)).toBe(0);
    expect(problems).toEqual([]);
  });
});
