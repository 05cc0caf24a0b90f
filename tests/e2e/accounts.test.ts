import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../integration/harness.js';
import { recordsWaiting, reportPosition, signIn, watchProblems } from './app.js';
import { launchChromium } from './chromium.js';

const csv = (name: string, content: string) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(content) });

describe('accounts in Chromium: a roster import is all or nothing, and a lost device sends what it holds, then erases itself', () => {
  let server: TestServer;
  let browser: Browser;
  let adminContext: BrowserContext;
  let officerContext: BrowserContext;
  let admin: Page;
  let officer: Page;
  const problems: string[][] = [];

  const count = async (table: 'users' | 'records', where?: { column: 'device_id'; value: string }) =>
    Number(
      (
        await server.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .$if(where !== undefined, (q) => q.where(where?.column ?? 'device_id', '=', where?.value ?? ''))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    server = await startServer('sqlite', { staticDir: 'dist/app' });
    browser = await launchChromium();
    adminContext = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1024, height: 900 } });
    admin = await adminContext.newPage();
    officerContext = await browser.newContext({
      locale: 'zh-CN',
      viewport: { width: 390, height: 844 },
      permissions: ['geolocation'],
      geolocation: { latitude: 23.1115, longitude: 114.4152, accuracy: 6 },
    });
    officer = await officerContext.newPage();
    problems.push(watchProblems(admin), watchProblems(officer));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('names every bad row of a roster and imports nothing, then imports a good one with one-time passwords', async () => {
    await admin.goto(server.url);
    await signIn(admin, 'A001');
    await admin.getByRole('button', { name: '人员' }).click();
    await admin.getByTestId('users-panel').getByText('陈志强').waitFor();
    const users = await count('users');
    const input = admin.getByTestId('roster-import').locator('input[type=file]');

    await input.setInputFiles(csv('bad.csv', 'badge,name,role,squad\nJ301,宋江,officer,A\nJ302,卢俊义,general,A\nJ303,吴用,officer,Q\n'));
    const rows = admin.getByTestId('roster-import-rows');
    await rows.waitFor();
    expect(await rows.locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-line')))).toEqual(['3']);
    expect(await rows.textContent()).toContain('角色须为 officer、leader、supervisor 或 admin');
    expect(await count('users')).toBe(users);
    // The squad code is checked by the server against the unit: still nothing written.
    await input.setInputFiles(csv('bad-squad.csv', 'badge,name,role,squad\nJ301,宋江,officer,A\nJ303,吴用,officer,Q\n'));
    await rows.locator('li[data-line="3"]').getByText('Q 不是本单位的中队代号').waitFor();
    expect(await count('users')).toBe(users);

    await input.setInputFiles(csv('good.csv', 'badge,name,role,squad\nJ301,宋江,officer,A\nJ303,吴用,leader,B\n'));
    await admin.getByTestId('roster-import-done').waitFor();
    expect(await count('users')).toBe(users + 2);
    const passwords = admin.getByTestId('one-time-passwords');
    expect(await passwords.locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-badge')))).toEqual(['J301', 'J303']);
    await admin.getByTestId('users-panel').getByText('宋江').waitFor();
  });

  it('has the marked-lost device send what it signed before, then erase everything and say so', async () => {
    await officer.goto(server.url);
    await signIn(officer, 'J001');
    await officer.getByRole('button', { name: '开始巡逻' }).click();
    await officer.getByRole('button', { name: '确认开始巡逻' }).click();
    await officer.getByText('巡逻中').waitFor();
    await expect.poll(() => recordsWaiting(officer), { timeout: 15_000 }).toBe(0);
    const officerId = (await server.database.db.selectFrom('users').select('id').where('badge', '=', 'J001').executeTakeFirstOrThrow()).id;
    const device = await server.database.db.selectFrom('devices').select('id').where('officer_id', '=', officerId).executeTakeFirstOrThrow();
    const stored = await count('records', { column: 'device_id', value: device.id });

    // Offline, the device holds records the server has not seen.
    await officerContext.setOffline(true);
    for (let i = 0; i < 3; i++) await reportPosition(officerContext, officer, { lat: 23.1115 + i * 1e-5, lon: 114.4152 });
    const held = await recordsWaiting(officer);
    expect(held).toBeGreaterThanOrEqual(3);

    // Meanwhile the admin marks it lost.
    await admin.getByRole('button', { name: '设备' }).click();
    const row = admin.locator(`[data-device="${device.id}"]`);
    // Listed by what the browser says it is, not as an unnamed device.
    await expect.poll(() => row.textContent()).toMatch(/Linux · Chrome \d+/);
    await row.getByRole('button', { name: '挂失' }).click();
    await row.getByRole('button', { name: '确认挂失' }).click();
    await admin.locator(`[data-device="${device.id}"][data-revoked="yes"]`).waitFor();

    // Back online: it sends what it held, erases itself and shows the sign-in with a plain message.
    await officerContext.setOffline(false);
    await officer.getByTestId('device-wiped').waitFor({ timeout: 30_000 });
    expect(await count('records', { column: 'device_id', value: device.id })).toBeGreaterThanOrEqual(stored + held);
    await officer.getByLabel('警号').waitFor();
    const left = await officer.evaluate(async () => {
      const names = (await indexedDB.databases()).map((d) => d.name ?? '');
      const counts: Record<string, number> = {};
      for (const name of names) {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const request = indexedDB.open(name);
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
        for (const store of [...db.objectStoreNames]) {
          counts[`${name}/${store}`] = await new Promise<number>((resolve, reject) => {
            const request = db.transaction(store).objectStore(store).count();
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(request.error);
          });
        }
        db.close();
      }
      const caches = (await globalThis.caches.keys()).filter((name) => !name.startsWith('workbox-precache'));
      return { stores: Object.values(counts).reduce((a, b) => a + b, 0), caches };
    });
    // Nothing of the officer's is left: no records, no copies, no signing key, no session.
    expect(left).toEqual({ stores: 0, caches: [] });
    const audit = await server.database.db.selectFrom('audit_events').select('kind').where('device_id', '=', device.id).execute();
    expect(audit.map((a) => a.kind)).toEqual(expect.arrayContaining(['device-registered', 'device-revoked', 'device-late-records']));
    expect(problems.flat()).toEqual([]);
  });
});
