import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EARTH_RADIUS_M } from '../../src/domain/geo.js';
import { newId } from '../../src/domain/ids.js';
import type { PushResponse } from '../../src/domain/protocol/sync.js';
import type { SignedRecord } from '../../src/domain/records.js';
import { TestDevice } from '../integration/device.js';
import { Client, startServer, type TestServer } from '../integration/harness.js';
import { signIn, unlock, watchProblems } from './app.js';
import { launchChromium } from './chromium.js';

// An officer's phone is reported lost in the middle of syncing a shift: what it sends after the
// revocation (dated before it, so taken) is shown for what it is on the supervisor's audit screen.
// With SHOTS_DIR set, the screen is also saved as a PNG in each language.

/** A demo checkpoint (seed.ts): a 50 m circle, 60 s dwell. */
const BANK = { id: '0190a1f0-0000-7000-8000-300000000003', lon: 114.4118, lat: 23.1068 };
/** `m` metres east of the bank (negative: west), `n` metres north. */
const nearBank = (m: number, n = 0) => ({
  lat: BANK.lat + (n / EARTH_RADIUS_M) * (180 / Math.PI),
  lon: BANK.lon + (m / (EARTH_RADIUS_M * Math.cos((BANK.lat * Math.PI) / 180))) * (180 / Math.PI),
});
/** Fixes the phone synced before it was reported lost. */
const SENT = 60;

describe('the route audit of a device reported lost', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];
  let officerId = '';
  /** Fixes and records the phone sent after its revocation. */
  let heldFixes = 0;
  let heldRecords = 0;
  let revokedAt = '';

  beforeAll(async () => {
    server = await startServer('sqlite', { staticDir: 'dist/app' });
    const user = await server.database.db.selectFrom('users').select(['id', 'squad_id']).where('badge', '=', 'J001').executeTakeFirstOrThrow();
    officerId = user.id;
    const client = new Client(server.url);
    await client.login('J001');
    const device = await TestDevice.create(user.id);
    await device.register(client);
    // Forty minutes ago: a walk east to the bank at 1.3 m/s, 90 s inside it, on east; a fix every 5 s.
    const t0 = Date.now() - 40 * 60_000;
    const at = (s: number) => new Date(t0 + s * 1000);
    const shiftId = newId();
    const records: SignedRecord[] = [
      await device.next('shift.start', { shiftId, squadId: user.squad_id ?? '', members: [user.id], equipment: [], zoneIds: [] }, at(0)),
      await device.next('tracking', { shiftId, state: 'on', reason: 'shift-start' }, at(0)),
    ];
    const fix = async (i: number, east: number, north: number, speed: number) => {
      const p = nearBank(east, north);
      const body = { shiftId, ...p, accuracy: 4 + ((i * 37) % 21) / 10, speed, heading: 90, altitude: 12 + (i % 5) / 10, fixAt: at(5 + i * 5).toISOString() };
      const record = await device.next('position', body, at(5 + i * 5));
      records.push(record);
      return record;
    };
    let i = 0;
    for (; i < 100; i++) await fix(i, -650 + i * 6.5, 0, 1.3);
    const inside: SignedRecord[] = [];
    const entered = at(5 + i * 5);
    for (let k = 0; k < 18; k++, i++) inside.push(await fix(i, (k % 3) * 3, (k % 2) * 3, 0.2));
    records.push(
      await device.next(
        'checkin',
        { shiftId, checkpointId: BANK.id, method: 'geofence', enteredAt: entered.toISOString(), dwellS: 85, evidence: inside.map((r) => r.id) },
        at(5 + i * 5),
      ),
    );
    for (let k = 1; k <= 60; k++, i++) await fix(i, k * 6.5, 0, 1.3);
    records.push(await device.next('shift.end', { shiftId, equipmentReturned: [] }, at(5 + i * 5)));

    const push = async (batch: readonly SignedRecord[]) =>
      ((await (await client.request('POST', '/api/sync/push', { records: batch })).json()) as PushResponse).results.map((r) => r.reason ?? r.status);
    const cut = records.findIndex((r) => r.kind === 'position') + SENT;
    expect(new Set(await push(records.slice(0, cut)))).toEqual(new Set(['accepted']));
    const admin = new Client(server.url);
    await admin.login('A001');
    revokedAt = ((await (await admin.request('POST', `/api/admin/devices/${device.deviceId}/revoke`)).json()) as { revokedAt: string }).revokedAt;
    const held = records.slice(cut);
    expect(new Set(await push(held))).toEqual(new Set(['accepted']));
    heldFixes = held.filter((r) => r.kind === 'position').length;
    heldRecords = held.length;

    browser = await launchChromium({ webgl: true });
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
    page = await context.newPage();
    problems = watchProblems(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Opens J001's shift on the audit screen and waits for the screen's own verdict and the map. */
  const openShift = async (officerLabel: string) => {
    const audit = page.getByTestId('route-audit');
    await audit.getByLabel(officerLabel).selectOption(officerId);
    await audit.locator('li[data-shift] button').first().click();
    await audit.locator('[data-testid="audit-verdict"][data-by="screen"]').waitFor({ timeout: 30_000 });
    await audit.locator('[data-testid="map"][data-ready="yes"]').waitFor({ timeout: 30_000 });
    return audit;
  };
  const shot = async (name: string) => {
    const dir = process.env.SHOTS_DIR;
    if (!dir) return;
    await mkdir(dir, { recursive: true });
    // The map once it has drawn its layers: a WebGL canvas shows nothing until its first frames.
    await page.getByTestId('route-audit').getByTestId('map').scrollIntoViewIfNeeded();
    await page.waitForTimeout(2000);
    await page.screenshot({ path: join(dir, `map-${name}`) });
    await page.getByTestId('route-audit').screenshot({ path: join(dir, name) });
  };

  it(
    'calls the shift suspicious, counts what the device sent after it was reported lost, and marks those points on the map and their check-in as weak',
    { timeout: 120_000 },
    async () => {
      await page.goto(server.url);
      await signIn(page, 'S001');
      const audit = page.getByTestId('route-audit');
      // The list already says it, before the shift is opened.
      await audit.getByLabel('民警').selectOption(officerId);
      await expect.poll(() => audit.locator('li[data-shift]').first().getAttribute('data-verdict')).toBe('suspicious');
      await openShift('民警');
      expect(await audit.getByTestId('audit-verdict').getAttribute('data-verdict')).toBe('suspicious');
      // The chains hold, the route in them is flagged for this one reason.
      const flags = audit.getByTestId('audit-flags');
      expect(await flags.locator('[data-flag]').evaluateAll((els) => els.map((e) => e.getAttribute('data-flag')))).toEqual(['after-revocation']);
      expect(await flags.locator('[data-reason="after-revocation"]').textContent()).toContain(`设备挂失后才收到的定位点 ${heldFixes} 个`);
      const line = audit.getByTestId('audit-after-revocation');
      expect(await line.getAttribute('data-n')).toBe(String(heldRecords));
      expect(await line.getAttribute('data-revoked-at')).toBe(revokedAt);
      expect(await line.textContent()).toMatch(new RegExp(`^设备于 .+ 挂失，之后才收到的记录 ${heldRecords} 条$`));
      // The map's key names the flagged points and how many.
      const legend = audit.getByTestId('audit-legend');
      expect(await legend.locator('li[data-flag]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-flag'), e.getAttribute('data-n')]))).toEqual([
        ['after-revocation', String(heldFixes)],
      ]);
      expect(await legend.textContent()).toContain(`设备挂失后才收到的定位点 ${heldFixes} 个`);
      // The check-in at the bank is backed by the track, but rests on records sent after the loss.
      const checkin = audit.locator('li[data-mark="checkin"]');
      expect(await checkin.getAttribute('data-verdict')).toBe('weak');
      expect(await checkin.textContent()).toContain('设备挂失后才收到');
      await shot('audit-zh-CN.png');

      await page.evaluate(() => localStorage.setItem('xf.locale', 'en'));
      await page.reload();
      await unlock(page);
      await openShift('Officer');
      expect(await audit.getByTestId('audit-after-revocation').textContent()).toMatch(
        new RegExp(`^${heldRecords} records received after the device was reported lost at .+$`),
      );
      expect(await audit.getByTestId('audit-legend').textContent()).toContain(`${heldFixes} fixes received after the device was reported lost`);
      await shot('audit-en.png');
      expect(problems).toEqual([]);
    },
  );
});
