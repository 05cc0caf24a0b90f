import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startServer, type TestServer } from '../integration/harness.js';
import {
  deliverFix,
  geolocationUse,
  installPatrolClock,
  outboxCount,
  patrolPending,
  pauseClock,
  recordsWaiting,
  reportPosition,
  signIn,
  syncSettled,
  TEST_PIN,
  unlock,
  watchProblems,
} from './app.js';
import { launchChromium } from './chromium.js';

// The unit's lock policy in the browser (issue 16): the password again every 12 hours when the
// server can be reached (never a lock-out offline), and a unit that asks for a passphrase.

const HOUR = 3600_000;
const PASSPHRASE = '东江夜巡，平安惠城2026';

async function officerId(server: TestServer, badge: string): Promise<string> {
  return (await server.database.db.selectFrom('users').select('id').where('badge', '=', badge).executeTakeFirstOrThrow()).id;
}

async function storedRecords(server: TestServer, officer: string, kind: string): Promise<number> {
  return (await server.database.db.selectFrom('records').select('id').where('officer_id', '=', officer).where('kind', '=', kind).execute()).length;
}

describe('the password again every 12 hours, in Chromium', () => {
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

  it('asks for the password once online after 12 hours, lets the PIN in offline, and keeps every record and the patrol', async () => {
    const problems = watchProblems(page);
    const j003 = await officerId(server, 'J003');
    await installPatrolClock(page);
    await page.goto(server.url);
    await signIn(page, 'J003');
    await page.getByRole('button', { name: '开始巡逻' }).click();
    await page.getByRole('button', { name: '确认开始巡逻' }).click();
    await page.getByTestId('tracking-state').filter({ hasText: '轨迹记录中' }).waitFor();
    // The watch's first fix, then one 11 m on, five seconds later by the phone's clock: the filter
    // keeps no two fixes closer in time than a second, so a fix sent at once might not count.
    await expect.poll(async () => (await geolocationUse(page)).fixes, { timeout: 10_000 }).toBeGreaterThan(0);
    await pauseClock(page);
    await page.clock.runFor(5000);
    await deliverFix(context, page, { lat: 23.1116, lon: 114.4152 });
    await expect.poll(() => patrolPending(page), { timeout: 10_000 }).toBe(0);
    await page.clock.resume();
    await expect.poll(() => outboxCount(page), { timeout: 15_000 }).toBe(0);

    // No signal for the rest of the shift; a position report waits on the device.
    await context.setOffline(true);
    await reportPosition(context, page, { lat: 23.1116, lon: 114.4152 });
    await expect.poll(() => recordsWaiting(page)).toBeGreaterThanOrEqual(1);

    // Twelve hours and five minutes go by, for the phone and for the server (whose session ends too).
    await pauseClock(page);
    server.clock.advance(12 * HOUR + 5 * 60_000);
    await page.clock.fastForward(12 * HOUR + 5 * 60_000);
    await page.clock.resume();
    const lock = page.getByTestId('lock-screen');
    await lock.waitFor();
    // Offline, the password cannot be checked: the PIN opens the officer's own records.
    expect(await lock.getAttribute('data-lock')).not.toBe('resign');
    await unlock(page);
    await page.getByText('巡逻中').waitFor();
    expect(await page.getByTestId('lock-screen').count()).toBe(0);

    // Back in signal: the password, not the PIN.
    await context.setOffline(false);
    await expect.poll(() => lock.getAttribute('data-lock'), { timeout: 15_000 }).toBe('resign');
    expect(await lock.textContent()).toContain('距上次用密码登录已超过 12 小时');
    expect(await lock.locator('input[name="pin"]').count()).toBe(0);
    expect(await lock.locator('input[name="badge"]').inputValue()).toBe('J003');
    expect(await lock.getByRole('button', { name: /用 PIN 解锁/ }).count()).toBe(0);
    // Behind the password form the patrol runs as behind the lock: fixes are kept, SOS is there.
    await page.getByTestId('sos-button').waitFor();
    const queued = await outboxCount(page);
    // Five seconds apart by the phone's clock, each 33 m on: a walk the filter keeps whole.
    await pauseClock(page);
    for (let i = 1; i <= 3; i++) {
      await page.clock.runFor(5000);
      await deliverFix(context, page, { lat: 23.1116 + i * 3e-4, lon: 114.4152 });
    }
    await page.clock.resume();
    await expect.poll(() => outboxCount(page), { timeout: 10_000 }).toBeGreaterThanOrEqual(queued + 3);

    // Signal lost again before the officer typed the password: the PIN opens, the password waits.
    await context.setOffline(true);
    await lock.locator('input[name="pin"]').waitFor({ timeout: 15_000 });
    expect(await lock.textContent()).toContain('联网后需输入密码');
    expect(await lock.getByRole('button', { name: '忘记 PIN？用密码登录' }).count()).toBe(0);
    await unlock(page);
    await page.getByText('巡逻中').waitFor();
    await context.setOffline(false);
    await expect.poll(() => lock.getAttribute('data-lock'), { timeout: 15_000 }).toBe('resign');

    // The password: the app is back where it was, the patrol still running, and everything kept arrives.
    await lock.locator('input[name="password"]').fill(PASSWORD);
    await lock.getByRole('button', { name: '登录' }).click();
    await lock.waitFor({ state: 'detached', timeout: 30_000 });
    expect(await page.getByTestId('pin-setup').count()).toBe(0);
    await page.getByText('巡逻中').waitFor();
    await page.getByTestId('tracking-state').filter({ hasText: '轨迹记录中' }).waitFor();
    // Everything the device kept is on the server (the outbox is the device's truth), and the
    // indicator says so: the two fixes before, the three behind the password form, and the report.
    await expect.poll(() => outboxCount(page), { timeout: 30_000 }).toBe(0);
    expect(await storedRecords(server, j003, 'position')).toBeGreaterThanOrEqual(5);
    await expect.poll(() => recordsWaiting(page), { timeout: 10_000 }).toBe(0);
    expect(await page.getByTestId('lock-screen').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('asks for the password as soon as the server refuses the session, though the phone’s clock says it is early', async () => {
    // Another phone, whose clock runs 12 hours behind the server's: the device's own check is not due.
    const phone = await browser.newContext({
      locale: 'zh-CN',
      viewport: { width: 390, height: 844 },
      permissions: ['geolocation'],
      geolocation: { latitude: 23.1115, longitude: 114.4152, accuracy: 5 },
    });
    const other = await phone.newPage();
    const problems = watchProblems(other);
    const j006 = await officerId(server, 'J006');
    await other.goto(server.url);
    await signIn(other, 'J006');
    await other.getByRole('button', { name: '开始巡逻' }).click();
    await other.getByRole('button', { name: '确认开始巡逻' }).click();
    await other.getByText('巡逻中').waitFor();
    // A fresh fix for the report below (see reportPosition), and every sync run over, while the
    // session still holds: a run still pulling, or the patrol's own record of a later fix, would
    // meet the ended session first and take the button away before the tap.
    await phone.setGeolocation({ latitude: 23.1116, longitude: 114.4152, accuracy: 6 });
    await expect.poll(() => syncSettled(other), { timeout: 15_000 }).toBe(true);
    const before = await storedRecords(server, j006, 'position');
    server.clock.advance(12 * HOUR + 60_000);
    // A position report goes to the server, which has ended the session. Tapped at once, without
    // the click's waits for a steady layout, which gave a live event's sync time to get there first.
    await other.getByRole('button', { name: '上报当前位置' }).dispatchEvent('click');
    const lock = other.getByTestId('lock-screen');
    await expect.poll(() => lock.getAttribute('data-lock'), { timeout: 15_000 }).toBe('resign');
    expect(await outboxCount(other)).toBeGreaterThanOrEqual(1);
    await lock.locator('input[name="password"]').fill(PASSWORD);
    await lock.getByRole('button', { name: '登录' }).click();
    await lock.waitFor({ state: 'detached', timeout: 30_000 });
    await expect.poll(() => recordsWaiting(other), { timeout: 15_000 }).toBe(0);
    expect(await storedRecords(server, j006, 'position')).toBeGreaterThan(before);
    expect(problems).toEqual([]);
    await phone.close();
  });
});

describe('a unit that unlocks with a passphrase, in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let admin: BrowserContext;
  let officer: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    server = await startServer('sqlite', { staticDir: 'dist/app' });
    browser = await launchChromium();
    const options = {
      locale: 'zh-CN',
      viewport: { width: 390, height: 844 },
      permissions: ['geolocation'],
      geolocation: { latitude: 23.1115, longitude: 114.4152, accuracy: 5 },
    };
    admin = await browser.newContext(options);
    officer = await browser.newContext(options);
    page = await officer.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('keeps the PIN working after the switch until the next password sign-in, which asks for a passphrase of 12+ characters', async () => {
    const problems = watchProblems(page);
    await page.goto(server.url);
    await signIn(page, 'J004'); // the unit still asks for a PIN
    await page.getByRole('heading', { name: '民警工作台' }).waitFor();

    // The admin switches the unit to passphrases in the lock policy panel.
    const desk = await admin.newPage();
    await desk.goto(server.url);
    await signIn(desk, 'A001');
    await desk.getByRole('button', { name: '人员', exact: true }).click();
    const panel = desk.getByTestId('lock-policy');
    await panel.getByLabel('口令（12 个字符以上）').check();
    await panel.getByRole('button', { name: '保存' }).click();
    await panel.getByText('已保存').waitFor();
    expect(await panel.textContent()).toContain('原 PIN 仍可解锁');
    await desk.close();

    // The officer's device learns the policy; its PIN still opens it, and the lock says so.
    await page.reload();
    const policyHeard = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/lock-policy');
    await unlock(page);
    await page.getByRole('heading', { name: '民警工作台' }).waitFor();
    expect(await (await policyHeard).json()).toMatchObject({ policy: { secret: 'passphrase' } });
    await page.getByTestId('lock-button').click();
    const lock = page.getByTestId('lock-screen');
    const field = lock.locator('input[name="pin"]');
    await field.waitFor();
    expect(await field.getAttribute('inputmode')).toBe('numeric');
    expect(await lock.textContent()).toContain('PIN');
    await unlock(page);

    // The next password sign-in asks for the passphrase before the app opens.
    await page.getByTestId('lock-button').click();
    await lock.getByRole('button', { name: '忘记 PIN？用密码登录' }).click();
    await lock.locator('input[name="password"]').fill(PASSWORD);
    await lock.getByRole('button', { name: '登录' }).click();
    const setup = page.getByTestId('pin-setup');
    await setup.waitFor({ timeout: 30_000 });
    expect(await setup.getByRole('heading').textContent()).toBe('设置解锁口令');
    expect(await setup.textContent()).toContain('本单位已改用口令解锁');
    expect(await setup.textContent()).toContain('至少 12 个字符');
    const [first, again] = [setup.locator('input[name="new-pin"]'), setup.locator('input[name="confirm-pin"]')];
    expect(await first.getAttribute('inputmode')).toBe('text');
    // The old PIN is too short for a passphrase.
    await first.fill(TEST_PIN);
    await again.fill(TEST_PIN);
    await setup.getByRole('button', { name: '保存并进入' }).click();
    await setup.getByRole('alert').filter({ hasText: '口令至少 12 个字符' }).waitFor();
    await first.fill(PASSPHRASE);
    await again.fill(PASSPHRASE);
    await setup.getByRole('button', { name: '保存并进入' }).click();
    await setup.waitFor({ state: 'detached', timeout: 30_000 });
    await page.getByRole('heading', { name: '民警工作台' }).waitFor();

    // Now the lock asks for the passphrase, on a text keyboard; the old PIN is a wrong passphrase.
    await page.getByTestId('lock-button').click();
    await field.waitFor();
    expect(await field.getAttribute('inputmode')).toBe('text');
    expect(await lock.locator('label').first().textContent()).toContain('口令');
    await field.fill(TEST_PIN);
    await lock.locator('button[type="submit"]').click();
    await lock.getByTestId('pin-error').filter({ hasText: '口令错误，还可尝试 4 次' }).waitFor();
    await field.fill('东江夜巡，平安惠城2025');
    await lock.locator('button[type="submit"]').click();
    await lock.getByTestId('pin-error').filter({ hasText: '口令错误，还可尝试 3 次' }).waitFor();

    // Offline and restarted, the passphrase opens the device (and the wrong tries still count).
    await officer.setOffline(true);
    await page.reload();
    expect(await lock.getAttribute('data-lock')).toBe('sealed');
    expect(await field.getAttribute('inputmode')).toBe('text');
    await field.fill('wrong passphrase!');
    await lock.locator('button[type="submit"]').click();
    await lock.getByTestId('pin-error').filter({ hasText: '口令错误，还可尝试 2 次' }).waitFor();
    await unlock(page, PASSPHRASE);
    await page.getByRole('heading', { name: '民警工作台' }).waitFor();
    expect(problems).toEqual([]);
  });

  it('asks a first sign-in on a new device for a passphrase, never a PIN', async () => {
    const fresh = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
    const other = await fresh.newPage();
    const problems = watchProblems(other);
    await other.goto(server.url);
    await other.getByLabel('警号').fill('J005');
    await other.getByLabel('密码').fill(PASSWORD);
    await other.getByRole('button', { name: '登录' }).click();
    const setup = other.getByTestId('pin-setup');
    await setup.waitFor({ timeout: 30_000 });
    expect(await setup.getByRole('heading').textContent()).toBe('设置解锁口令');
    // Nothing to switch from on this device.
    expect(await setup.textContent()).not.toContain('本单位已改用口令解锁');
    await setup.locator('input[name="new-pin"]').fill(PASSPHRASE);
    await setup.locator('input[name="confirm-pin"]').fill(PASSPHRASE);
    await setup.getByRole('button', { name: '保存并进入' }).click();
    await other.getByRole('heading', { name: '民警工作台' }).waitFor({ timeout: 30_000 });
    await other.reload();
    const field = other.getByTestId('lock-screen').locator('input[name="pin"]');
    expect(await field.getAttribute('inputmode')).toBe('text');
    await unlock(other, PASSPHRASE);
    expect(problems).toEqual([]);
    await fresh.close();
  });
});
