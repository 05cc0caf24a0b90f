import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../integration/harness.js';
import {
  deliverFix,
  installPatrolClock,
  outboxCount,
  pauseClock,
  patrolPending,
  recordsWaiting,
  reportPosition,
  signIn,
  TEST_PIN,
  unlock,
  watchProblems,
} from './app.js';
import { launchChromium, launchPersistent } from './chromium.js';

// A lost handheld gives nothing away (issue 16): what the device keeps is ciphertext, a restart
// opens nothing before the PIN, 5 wrong PINs leave only the password, and no record is lost.

/**
 * Every value of every store of the device database, as its bytes: binary values (ciphertext,
 * salts) decoded as UTF-8 so a plaintext inside them would still show, the rest as text.
 */
function rawStorage(page: Page): Promise<{ text: string; values: number }> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('xunfang');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const parts: string[] = [];
    const decoder = new TextDecoder('utf-8');
    const dump = async (value: unknown): Promise<void> => {
      if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) parts.push(decoder.decode(value));
      else if (value instanceof Blob) parts.push(decoder.decode(await value.arrayBuffer()));
      else if (Array.isArray(value)) for (const item of value) await dump(item);
      else if (value && typeof value === 'object') {
        for (const [key, item] of Object.entries(value)) {
          parts.push(key);
          await dump(item);
        }
      } else parts.push(String(value));
    };
    let values = 0;
    for (const name of [...db.objectStoreNames]) {
      const all = await new Promise<unknown[]>((resolve, reject) => {
        const request = db.transaction(name).objectStore(name).getAll();
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      values += all.length;
      await dump(all);
    }
    db.close();
    return { text: parts.join('\n'), values };
  });
}

describe('a lost handheld in Chromium: ciphertext at rest, the PIN after a restart, the password after 5 wrong PINs', () => {
  let server: TestServer;
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  let officerId: string;
  let problems: string[] = [];

  const open = async (offline = false) => {
    context = await launchPersistent(profile, {
      permissions: ['geolocation'],
      geolocation: { latitude: 23.111537, longitude: 114.415281, accuracy: 6 },
      locale: 'zh-CN',
      offline,
    });
    page = context.pages()[0] ?? (await context.newPage());
    problems = watchProblems(page);
  };
  const report = async (n: number) => {
    for (let i = 0; i < n; i++) await reportPosition(context, page, { lat: 23.111537 + i * 1e-6, lon: 114.415281 });
  };

  beforeAll(async () => {
    server = await startServer('sqlite', { staticDir: 'dist/app' });
    officerId = (await server.database.db.selectFrom('users').select('id').where('badge', '=', 'J001').executeTakeFirstOrThrow()).id;
    profile = mkdtempSync(join(tmpdir(), 'xf-lock-'));
    await open();
  });
  afterAll(async () => {
    await context?.close();
    await server?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it('keeps the records, the route and the officer’s name in IndexedDB only as ciphertext', async () => {
    await page.goto(server.url);
    await signIn(page, 'J001');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await page.getByRole('button', { name: '开始巡逻' }).click();
    await page.getByRole('button', { name: '确认开始巡逻' }).click();
    await page.getByText('巡逻中').waitFor();
    await expect.poll(() => recordsWaiting(page), { timeout: 15_000 }).toBe(0);
    await context.setOffline(true);
    await report(5);
    expect(await recordsWaiting(page)).toBeGreaterThanOrEqual(5);
    // On screen, in the clear: the officer and where they are.
    expect(await page.locator('.who').textContent()).toContain('陈志强（J001）');

    const { text, values } = await rawStorage(page);
    expect(values).toBeGreaterThan(10);
    for (const plaintext of ['J001', '陈志强', '23.1115', '114.4152', 'fixAt', 'accuracy']) expect(text, plaintext).not.toContain(plaintext);
    // The signing key is still the non-extractable one; the data key is stored only wrapped.
    const keys = await page.evaluate(
      (id) =>
        new Promise<{ extractable: boolean; wrapped: boolean; salt: number; iterations: number }>((resolve, reject) => {
          const open = indexedDB.open('xunfang');
          open.onsuccess = () => {
            const tx = open.result.transaction(['DEVICE', 'KEYRING']);
            const device = tx.objectStore('DEVICE').get(id);
            const ring = tx.objectStore('KEYRING').get(id);
            tx.oncomplete = () =>
              resolve({
                extractable: (device.result as { privateKey: CryptoKey }).privateKey.extractable,
                wrapped: !!(ring.result as { pinWrapped: unknown }).pinWrapped,
                salt: (ring.result as { salt: Uint8Array }).salt.length,
                iterations: (ring.result as { iterations: number }).iterations,
              });
            tx.onerror = () => reject(tx.error);
          };
        }),
      officerId,
    );
    expect(keys).toEqual({ extractable: false, wrapped: true, salt: 16, iterations: 600_000 });
  });

  it('needs the PIN after a browser restart offline before anything shows', async () => {
    await context.close();
    await open(true);
    await page.goto(server.url);
    const lock = page.getByTestId('lock-screen');
    await lock.waitFor();
    expect(await lock.getAttribute('data-lock')).toBe('sealed');
    // Nothing of the officer's shows: not the home, not the shift, not who they are.
    expect(await page.getByRole('heading', { name: '民警工作台' }).count()).toBe(0);
    expect(await page.getByText('巡逻中').count()).toBe(0);
    expect(await page.getByText('J001').count()).toBe(0);
    // The records wait, and the officer is told so.
    const waiting = page.getByTestId('lock-waiting');
    await waiting.waitFor();
    expect(Number(await waiting.getAttribute('data-waiting'))).toBeGreaterThanOrEqual(5);
    expect(await waiting.textContent()).toMatch(/条记录保存在本机（已加密），解锁后上传/);

    await unlock(page);
    await page.getByText('巡逻中').waitFor();
    expect(await page.locator('.who').textContent()).toContain('陈志强（J001）');
    await expect.poll(() => recordsWaiting(page)).toBeGreaterThanOrEqual(5);
  });

  it('after 5 wrong PINs opens only to a password sign-in, and then the waiting records arrive', async () => {
    const before = await recordsWaiting(page);
    await page.reload();
    const lock = page.getByTestId('lock-screen');
    for (const left of [4, 3, 2, 1]) {
      await lock.locator('input[name="pin"]').fill('000000');
      await lock.locator('button[type="submit"]').click();
      await lock
        .getByTestId('pin-error')
        .filter({ hasText: `还可尝试 ${left} 次` })
        .waitFor();
    }
    await lock.locator('input[name="pin"]').fill(TEST_PIN.split('').reverse().join(''));
    await lock.locator('button[type="submit"]').click();
    await lock.getByTestId('pin-wiped').waitFor();
    // The PIN no longer opens anything: only the password form is offered.
    expect(await lock.locator('input[name="pin"]').count()).toBe(0);
    const stored = await page.evaluate(
      (id) =>
        new Promise<unknown>((resolve) => {
          const open = indexedDB.open('xunfang');
          open.onsuccess = () => {
            const get = open.result.transaction('KEYRING').objectStore('KEYRING').get(id);
            get.onsuccess = () => resolve((get.result as { pinWrapped: unknown }).pinWrapped);
          };
        }),
      officerId,
    );
    expect(stored).toBeNull();

    await context.setOffline(false);
    await signIn(page, 'J001'); // the password, then a new PIN
    await page.getByText('巡逻中').waitFor();
    await expect.poll(() => recordsWaiting(page), { timeout: 30_000 }).toBe(0);
    const reports = await server.database.db.selectFrom('records').select('id').where('officer_id', '=', officerId).where('kind', '=', 'position').execute();
    expect(reports.length).toBeGreaterThanOrEqual(Math.min(before, 5));
    // The wrong PINs reached the audit log once the device was online and signed in.
    await expect
      .poll(async () =>
        (
          await server.database.db
            .selectFrom('audit_events')
            .select('kind')
            .where('user_id', '=', officerId)
            .where('kind', 'in', ['pin-failure', 'pin-lockout'])
            .execute()
        )
          .map((r) => r.kind)
          .sort(),
      )
      .toEqual(['pin-failure', 'pin-failure', 'pin-failure', 'pin-failure', 'pin-lockout']);
    // Each names the device, and so does the password sign-in that opened it again.
    const device = await server.database.db.selectFrom('devices').select('id').where('officer_id', '=', officerId).executeTakeFirstOrThrow();
    const named = await server.database.db
      .selectFrom('audit_events')
      .select(['kind', 'device_id'])
      .where('user_id', '=', officerId)
      .where('kind', 'in', ['pin-failure', 'pin-lockout', 'login'])
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    expect(named.filter((e) => e.kind !== 'login').every((e) => e.device_id === device.id)).toBe(true);
    expect(named.find((e) => e.kind === 'login')).toEqual({ kind: 'login', device_id: device.id });
    expect(problems).toEqual([]);
  });
});

describe('the lock while the app runs', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    server = await startServer('sqlite', { staticDir: 'dist/app' });
    browser = await launchChromium();
    context = await browser.newContext({
      locale: 'zh-CN',
      viewport: { width: 390, height: 844 },
      permissions: ['geolocation'],
      geolocation: { latitude: 23.1115, longitude: 114.4152, accuracy: 5 },
    });
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('locks after the unit’s 30 idle minutes, keeps tracking behind the lock, shows only the PIN and SOS, and unlocks offline', async () => {
    const problems = watchProblems(page);
    await installPatrolClock(page);
    await page.goto(server.url);
    await signIn(page, 'J002');
    await page.getByRole('button', { name: '开始巡逻' }).click();
    await page.getByRole('button', { name: '确认开始巡逻' }).click();
    await page.getByTestId('tracking-state').filter({ hasText: '轨迹记录中' }).waitFor();
    await deliverFix(context, page, { lat: 23.1116, lon: 114.4152 });
    await expect.poll(() => page.getByTestId('route-stats').getAttribute('data-fixes')).not.toBe('0');
    const fixesBefore = Number(await page.getByTestId('route-stats').getAttribute('data-fixes'));

    await pauseClock(page);
    await page.clock.runFor(29 * 60_000);
    expect(await page.getByTestId('lock-screen').count()).toBe(0);
    await page.clock.runFor(61_000);
    const lock = page.getByTestId('lock-screen');
    await lock.waitFor();
    expect(await lock.getAttribute('data-lock')).toBe('locked');
    // Only the way in and the SOS: no route, no sync state, no menu to sign out.
    await page.getByTestId('sos-button').waitFor();
    expect(await page.getByTestId('route-stats').count()).toBe(0);
    expect(await page.getByTestId('sync-waiting').count()).toBe(0);
    expect(await page.getByTestId('lock-button').count()).toBe(0);

    // Behind the lock, the patrol goes on: fixes are judged and written. What the 30 minutes
    // wrote goes up first (time moving on as it would), so no push still in flight takes records
    // out of the outbox after they were counted.
    await expect.poll(async () => (await page.clock.runFor(1000), outboxCount(page)), { timeout: 15_000 }).toBe(0);
    await context.setOffline(true);
    const queued = await outboxCount(page);
    for (let i = 1; i <= 6; i++) {
      await deliverFix(context, page, { lat: 23.1116 + i * 2e-4, lon: 114.4152 });
      await page.clock.runFor(5000);
    }
    await expect.poll(() => outboxCount(page), { timeout: 10_000 }).toBeGreaterThanOrEqual(queued + 5);

    await unlock(page);
    await expect.poll(() => patrolPending(page), { timeout: 10_000 }).toBe(0);
    await page.clock.resume();
    expect(await page.getByTestId('net-status').textContent()).toBe('离线');
    // The route drawn after the unlock has what was kept behind the lock.
    await expect.poll(async () => Number(await page.getByTestId('route-stats').getAttribute('data-fixes'))).toBeGreaterThan(fixesBefore);
    expect(await recordsWaiting(page)).toBeGreaterThanOrEqual(5);

    // The lock button locks at once; a wrong PIN says how many tries are left.
    await page.getByTestId('lock-button').click();
    await lock.locator('input[name="pin"]').fill('111111');
    await lock.locator('button[type="submit"]').click();
    await lock.getByTestId('pin-error').filter({ hasText: '还可尝试 4 次' }).waitFor();
    await unlock(page);
    await page.getByTestId('route-stats').waitFor();
    expect(problems).toEqual([]);
  });

  it('signs out only after saying how many records would stay on the device, and once they are uploaded', async () => {
    await page.getByRole('button', { name: '菜单' }).click();
    await page.getByRole('menuitem', { name: '退出登录' }).click();
    const dialog = page.getByTestId('signout-dialog');
    await dialog.waitFor();
    const waiting = Number(await dialog.getByTestId('signout-waiting').getAttribute('data-waiting'));
    expect(waiting).toBeGreaterThanOrEqual(5);
    expect(await dialog.textContent()).toContain('不会删除');
    // Offline, uploading first cannot start.
    expect(await dialog.getByRole('button', { name: '先上传，再退出' }).isDisabled()).toBe(true);
    // Back online, the outbox drains while the dialog is open (or at once on "upload first"), and
    // with nothing left to lose the sign-out goes ahead.
    await context.setOffline(false);
    await page.getByLabel('警号').waitFor({ timeout: 30_000 });
    const officerId = (await server.database.db.selectFrom('users').select('id').where('badge', '=', 'J002').executeTakeFirstOrThrow()).id;
    const stored = await server.database.db.selectFrom('records').select('id').where('officer_id', '=', officerId).execute();
    expect(stored.length).toBeGreaterThanOrEqual(waiting);
  });
});
