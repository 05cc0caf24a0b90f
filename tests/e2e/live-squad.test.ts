import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haversineM } from '../../src/domain/geo.js';
import { startServer, type TestServer } from '../integration/harness.js';
import { loadTrack, shiftTo, TRACE_FILES } from '../../src/simulator/traces.js';
import { deliverFix, installPatrolClock, outboxCount, patrolPending, pauseClock, recordsWaiting, signIn, watchProblems } from './app.js';
import { launchChromium } from './chromium.js';

// Two phones: an officer walks a real trace (Osaka, SOURCES.md §1, moved into Huicheng) and the
// squad leader watches them move on the live squad without reloading; then the officer holds SOS,
// the leader's phone alarms until acknowledged, and the officer sees who answered.
const STEP = 5;
const STEPS = 16;

interface AlarmCounts {
  xfVibrations: number;
  xfTones: number;
}

describe('the leader’s live squad and an officer’s SOS', () => {
  let server: TestServer;
  let browser: Browser;
  let officerContext: BrowserContext;
  let leaderContext: BrowserContext;
  let officer: Page;
  let leader: Page;
  let officerProblems: string[] = [];
  let leaderProblems: string[] = [];
  let officerId = '';
  const trace = shiftTo(loadTrack(TRACE_FILES.osakaWalk)).filter((_, i) => i % STEP === 0);
  const walk = trace.slice(0, STEPS);
  /** Where the officer goes on to while the SOS lasts. */
  const onward = trace.slice(STEPS, STEPS + 4);

  beforeAll(async () => {
    server = await startServer('sqlite', { staticDir: 'dist/app' });
    officerId = (await server.database.db.selectFrom('users').select('id').where('badge', '=', 'J001').executeTakeFirstOrThrow()).id;
    browser = await launchChromium({ webgl: true }); // the squad map needs WebGL
    const phone = { locale: 'zh-CN', viewport: { width: 390, height: 844 } };
    officerContext = await browser.newContext({
      ...phone,
      permissions: ['geolocation'],
      geolocation: { latitude: walk[0]!.lat, longitude: walk[0]!.lon, accuracy: 5 },
    });
    leaderContext = await browser.newContext(phone);
    officer = await officerContext.newPage();
    leader = await leaderContext.newPage();
    officerProblems = watchProblems(officer);
    leaderProblems = watchProblems(leader);
    // Counts the fixes reaching the officer's page (deliverFix waits on it). The test moves its clock
    // on a second a fix, ahead of real time, so it starts half a minute behind the server's, which
    // it never passes (the leader's phone shows the fixes' ages: seconds, never stale).
    await installPatrolClock(officer, { behindMs: 30_000 });
    // The leader's clock flows with real time, until the test moves it on to show what does not happen.
    await leader.clock.install();
    // Counts what the leader's phone does to be noticed: the real vibrate and oscillator, wrapped.
    await leader.addInitScript(() => {
      const counts = window as unknown as AlarmCounts;
      counts.xfVibrations = 0;
      counts.xfTones = 0;
      const vibrate = navigator.vibrate?.bind(navigator);
      navigator.vibrate = ((pattern: VibratePattern) => {
        if (pattern !== 0) counts.xfVibrations++;
        return vibrate ? vibrate(pattern) : false;
      }) as Navigator['vibrate'];
      const start = OscillatorNode.prototype.start;
      OscillatorNode.prototype.start = function (when?: number) {
        counts.xfTones++;
        start.call(this, when);
      };
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const row = () => leader.locator('[data-testid="live-squad"] li[data-badge="J001"]');
  /** The device order of J001's newest fix on the server (its live state), once their phone has sent everything. */
  const newestOnServer = async () => {
    await expect.poll(() => outboxCount(officer), { timeout: 15_000 }).toBe(0);
    const live = await server.database.db.selectFrom('officer_live').select('pos_seq').where('officer_id', '=', officerId).executeTakeFirst();
    return live?.pos_seq ?? 0;
  };
  /** A step of the officer's walk: the fix, `ms` more on the phone's clock, and the leader's phone showing what reached the server. */
  const walkTo = async (point: { lat: number; lon: number }, ms: number) => {
    await deliverFix(officerContext, officer, point);
    await expect.poll(() => patrolPending(officer)).toBe(0); // kept (and in the outbox) or dropped by sampling
    await officer.clock.runFor(ms);
    const newest = await newestOnServer();
    await expect.poll(async () => (await shownAt()).seq, { timeout: 10_000 }).toBe(newest);
  };
  const shownAt = async () => {
    const [lat, lon, seq] = await Promise.all([row().getAttribute('data-lat'), row().getAttribute('data-lon'), row().getAttribute('data-seq')]);
    return { lat: Number(lat), lon: Number(lon), seq: Number(seq) };
  };

  it(
    'shows the officer walking on the leader’s map as they go, then alarms on SOS until acknowledged, and tells the officer who answered',
    { timeout: 180_000 },
    async () => {
      await officer.goto(server.url);
      await signIn(officer, 'J001');
      await officer.waitForFunction(() => navigator.serviceWorker.controller !== null);
      await officer.getByRole('button', { name: '开始巡逻' }).click();
      await officer.getByRole('button', { name: '确认开始巡逻' }).click();
      await officer.getByTestId('tracking-state').filter({ hasText: '轨迹记录中' }).waitFor();
      await expect.poll(() => recordsWaiting(officer), { timeout: 15_000 }).toBe(0);

      await leader.goto(server.url);
      const streaming = leader.waitForResponse((r) => r.url().includes('/api/live') && r.status() === 200);
      await signIn(leader, 'L001');
      await streaming;
      const squad = leader.getByTestId('live-squad');
      await squad.locator('[data-testid="map"][data-ready="yes"]').waitFor({ timeout: 30_000 });
      await row().waitFor({ timeout: 15_000 });
      await expect(row().textContent()).resolves.toContain('陈志强（J001）');
      // A mark on the page: a reload would wipe it.
      await leader.evaluate(() => ((window as unknown as { xfSamePage: boolean }).xfSamePage = true));

      const seen: Array<{ lat: number; lon: number; seq: number }> = [];
      // A fix a second at least on the officer's clock (the filter keeps none closer).
      for (const point of walk) {
        await walkTo(point, 1000);
        const at = await shownAt();
        if (at.seq) seen.push(at);
      }
      // The last fixes reach the leader within seconds of being taken.
      const end = walk.at(-1)!;
      await expect.poll(async () => haversineM(await shownAt(), end), { timeout: 10_000 }).toBeLessThan(20);
      const last = await shownAt();
      seen.push(last);
      // It moved along the walk, never backwards in device order, and the page never reloaded.
      expect(haversineM(seen[0]!, last)).toBeGreaterThan(30);
      expect(new Set(seen.map((s) => s.seq)).size).toBeGreaterThan(3);
      expect(seen.map((s) => s.seq)).toEqual([...seen.map((s) => s.seq)].sort((a, b) => a - b));
      expect(await leader.evaluate(() => (window as unknown as { xfSamePage?: boolean }).xfSamePage)).toBe(true);
      // The map's tag for the officer stands where the list says, with the fix's age written.
      const tag = squad.locator('.map-label-officer[data-badge="J001"]');
      expect(Number(await tag.getAttribute('data-lat'))).toBeCloseTo(last.lat, 5);
      expect(Number(await tag.getAttribute('data-lon'))).toBeCloseTo(last.lon, 5);
      expect(await row().getByTestId('squad-fix-age').textContent()).toMatch(/^\d+ 秒前定位/);
      expect(await row().getAttribute('data-stale')).toBe('no');

      // SOS: let go too early and nothing is sent; hold 2 s and it goes (on the officer's clock, stopped
      // but for the test's moves, so a slow machine cannot stretch a hold).
      await pauseClock(officer);
      const sos = officer.getByTestId('sos-button');
      const box = (await sos.boundingBox())!;
      await officer.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await officer.mouse.down();
      await officer.getByTestId('sos-countdown').filter({ hasText: '秒后发出求助，松开取消' }).waitFor();
      await officer.clock.runFor(800);
      await officer.mouse.up();
      await officer.clock.runFor(1600);
      expect(await officer.getByTestId('sos-active').count()).toBe(0);
      await officer.mouse.down();
      await officer.getByTestId('sos-countdown').waitFor();
      await officer.clock.runFor(2300);
      await officer.mouse.up();
      await officer.getByTestId('sos-active').waitFor();
      await officer.clock.resume();

      const banner = leader.getByTestId('sos-banner');
      await banner.waitFor({ timeout: 10_000 });
      await expect(banner.textContent()).resolves.toContain('陈志强（J001）紧急求助！');
      await expect.poll(() => row().getAttribute('data-sos')).toBe('raised');
      const alarm = () =>
        leader.evaluate(() => ({ vibrations: (window as unknown as AlarmCounts).xfVibrations, tones: (window as unknown as AlarmCounts).xfTones }));
      await expect.poll(async () => (await alarm()).vibrations, { timeout: 5_000 }).toBeGreaterThan(1); // it keeps buzzing
      expect((await alarm()).tones).toBeGreaterThan(0);
      // While it lasts the officer's fixes keep coming (each sent first), and the banner stays
      // (it is not a notice that times out).
      for (const point of onward) await walkTo(point, 1500);
      await expect.poll(async () => haversineM(await shownAt(), onward.at(-1)!), { timeout: 10_000 }).toBeLessThan(20);
      await leader.clock.runFor(10_000);
      expect(await banner.count()).toBe(1);

      await banner.getByRole('button', { name: '确认收到' }).click();
      await banner.waitFor({ state: 'detached' });
      await expect.poll(() => row().getAttribute('data-sos')).toBe('acked');
      await expect(row().getByTestId('squad-sos').textContent()).resolves.toMatch(/^王建军 已于 \d\d:\d\d 确认收到$/);
      const buzzes = (await alarm()).vibrations;
      await leader.clock.runFor(10_000);
      expect((await alarm()).vibrations).toBe(buzzes); // silent once acknowledged

      await officer.getByTestId('sos-acked').waitFor({ timeout: 10_000 });
      await expect(officer.getByTestId('sos-acked').textContent()).resolves.toMatch(/^王建军 已确认收到求助（\d\d:\d\d）$/);
      expect([...officerProblems, ...leaderProblems]).toEqual([]);
    },
  );
});
