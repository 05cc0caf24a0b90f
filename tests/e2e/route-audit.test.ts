import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haversineM } from '../../src/domain/geo.js';
import { newId } from '../../src/domain/ids.js';
import type { PushResponse } from '../../src/domain/protocol/sync.js';
import type { SignedRecord } from '../../src/domain/records.js';
import { positionBody, TestDevice } from '../integration/device.js';
import { Client, startServer, type TestServer } from '../integration/harness.js';
import { loadTrack, parseGpx, shiftTo, TRACE_FILES } from '../../src/simulator/traces.js';
import { signIn, unlock, watchProblems } from './app.js';
import { launchChromium } from './chromium.js';

// A shift made from a real walk with a real gap (SOURCES.md: the Osaka walk's 110 s pause),
// pushed as an officer's phone would, then audited by the unit's supervisor on a phone.
const FIXES = 2400;
/** A demo checkpoint (seed.ts) the officer checks in at by hand, far from the walk. */
const BANK = '0190a1f0-0000-7000-8000-300000000003';

describe('the supervisor’s route audit', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];
  let stored: Array<{ lat: number; lon: number; fixAt: string }> = [];
  /** The name of the zone the shift was registered for. */
  let zoneName = '';
  /** The shift's last record (its shift.end): the newest in the audited window. */
  let newest: { deviceId: string; seq: number; hash: string };
  /** The officers of the two shifts: J001's walk, and J002's short shift altered in the database. */
  let officerIds: { J001: string; J002: string };
  let alteredShiftId = '';

  beforeAll(async () => {
    server = await startServer('sqlite', { staticDir: 'dist/app' });
    const user = (await server.database.db.selectFrom('users').select(['id', 'squad_id']).where('badge', '=', 'J001').executeTakeFirstOrThrow())!;
    const client = new Client(server.url);
    await client.login('J001');
    const device = await TestDevice.create(user.id);
    await device.register(client);
    // The phone was registered before the shift it is about to send, as an officer's phone is at
    // the start of the day: registered just now, a shift of two hours ago would be backdated
    // (backdating.ts), and the arrival it proves could not be verified.
    await server.database.db
      .updateTable('devices')
      .set({ registered_at: new Date(Date.now() - 6 * 3600_000).toISOString() })
      .where('id', '=', device.deviceId)
      .execute();
    // The walk ends an hour ago, one fix every 5 s at its own pace (every 5th point).
    const walk = shiftTo(loadTrack(TRACE_FILES.osakaPause))
      .slice(0, FIXES)
      .filter((_, i) => i % 5 === 0);
    const offset = Date.now() - 3600_000 - walk.at(-1)!.time!;
    const at = (t: number) => new Date(t + offset);
    const shiftId = newId();
    // A task the leader sends to a place on the walk; the officer's phone sees them arrive there.
    const leader = new Client(server.url);
    await leader.login('L001');
    const place = walk[60]!;
    const sent = await leader.request('POST', '/api/tasks', {
      kind: 'goto',
      title: '江北夜市巡查',
      location: { kind: 'circle', center: [place.lon, place.lat], radiusM: 40 },
      assignee: { to: 'officer', officerId: user.id },
    });
    const taskId = ((await sent.json()) as { task: { id: string } }).task.id;
    const records: SignedRecord[] = [];
    // The squad's first zone, the one the shift is registered for.
    const zone = await server.database.db
      .selectFrom('zones')
      .select(['id', 'name_zh'])
      .where('squad_id', '=', user.squad_id!)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    zoneName = zone.name_zh;
    records.push(
      await device.next(
        'shift.start',
        { shiftId, squadId: user.squad_id!, members: [user.id], equipment: [{ item: 'radio' }, { item: 'body-camera' }], zoneIds: [zone.id] },
        at(walk[0]!.time! - 1000),
      ),
    );
    records.push(await device.next('tracking', { shiftId, state: 'on', reason: 'shift-start' }, at(walk[0]!.time! - 1000)));
    for (const [i, p] of walk.entries()) {
      const prev = walk[i - 1];
      if (prev && p.time! - prev.time! > 60_000) {
        records.push(await device.next('tracking', { shiftId, state: 'paused', reason: 'no-fix' }, at(prev.time! + 60_000)));
        records.push(await device.next('tracking', { shiftId, state: 'on', reason: 'fix-resumed' }, at(p.time!)));
      }
      // As a phone reports it: an accuracy that varies fix to fix, the file's elevation, a speed;
      // a fixed accuracy and no sensors at all would rightly be flagged (route-analysis.ts).
      const fix = {
        accuracy: 4 + ((i * 37) % 21) / 10,
        altitude: p.ele ?? null,
        speed: prev ? Math.round((haversineM(prev, p) / ((p.time! - prev.time!) / 1000)) * 10) / 10 : null,
        heading: null,
      };
      records.push(await device.next('position', { shiftId, lat: p.lat, lon: p.lon, ...fix, fixAt: at(p.time!).toISOString() }, at(p.time!)));
      if (i === 62) {
        const evidence = records
          .filter((r) => r.kind === 'position')
          .slice(-3)
          .map((r) => r.id);
        records.push(await device.next('task.update', { taskId, state: 'on-scene', revision: 0, method: 'geofence', evidence }, at(p.time!)));
      }
      if (i === 80) {
        const when = at(p.time!);
        records.push(
          await device.next(
            'incident.report',
            {
              incidentId: newId(),
              category: 'burglary',
              occurredAt: new Date(when.getTime() - 60_000).toISOString(),
              location: { source: 'fix', lat: p.lat, lon: p.lon, accuracy: 6 },
              description: '商铺卷帘门被撬',
              people: [],
              injured: 0,
              dead: 0,
              photos: [],
              shiftId,
            },
            when,
          ),
        );
      }
      if (i === 40) {
        const when = at(p.time!);
        records.push(
          await device.next(
            'checkin',
            { shiftId, checkpointId: BANK, method: 'manual', enteredAt: when.toISOString(), dwellS: 0, evidence: [], reason: 'indoors' },
            when,
          ),
        );
      }
    }
    records.push(
      await device.next(
        'shift.end',
        { shiftId, equipmentReturned: [{ item: 'body-camera' }], missing: [{ item: 'radio', reason: '追赶时遗失' }] },
        at(walk.at(-1)!.time! + 1000),
      ),
    );
    for (let i = 0; i < records.length; i += 500) {
      const pushed = (await (await client.request('POST', '/api/sync/push', { records: records.slice(i, i + 500) })).json()) as PushResponse;
      expect(
        pushed.results.every((r) => r.status === 'accepted'),
        JSON.stringify(pushed.results.find((r) => r.status !== 'accepted')),
      ).toBe(true);
    }
    // While the app was paused, a paired native tracker kept reporting: three unsigned fixes.
    const paired = (await (await client.request('POST', '/api/trackers', { label: 'OwnTracks' })).json()) as { token: string };
    const gapAt = walk.findIndex((p, i) => i > 0 && p.time! - walk[i - 1]!.time! > 60_000);
    for (let k = 1; k <= 3; k++) {
      const p = walk[gapAt - 1]!;
      const tst = Math.floor((p.time! + offset + k * 20_000) / 1000);
      const response = await fetch(`${server.url}/api/native/owntracks`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`J001:${paired.token}`).toString('base64')}`, 'content-type': 'application/json' },
        body: JSON.stringify({ _type: 'location', lat: p.lat + k * 1e-4, lon: p.lon, acc: 10, tst }),
      });
      expect(response.status).toBe(200);
    }
    stored = records.flatMap((r) => (r.kind === 'position' ? [{ lat: r.body.lat, lon: r.body.lon, fixAt: r.body.fixAt }] : []));

    // J002's short shift, three hours ago, with one fix moved in the database afterwards.
    const other = (await server.database.db.selectFrom('users').select(['id', 'squad_id']).where('badge', '=', 'J002').executeTakeFirstOrThrow())!;
    officerIds = { J001: user.id, J002: other.id };
    const otherClient = new Client(server.url);
    await otherClient.login('J002');
    const otherDevice = await TestDevice.create(other.id);
    await otherDevice.register(otherClient);
    alteredShiftId = newId();
    const otherStart = Date.now() - 3 * 3600_000;
    const short: SignedRecord[] = [
      await otherDevice.next(
        'shift.start',
        { shiftId: alteredShiftId, squadId: other.squad_id!, members: [other.id], equipment: [], zoneIds: [] },
        new Date(otherStart),
      ),
      await otherDevice.next('tracking', { shiftId: alteredShiftId, state: 'on', reason: 'shift-start' }, new Date(otherStart + 500)),
    ];
    for (let i = 0; i < 20; i++)
      short.push(
        await otherDevice.next('position', positionBody(alteredShiftId, i, new Date(otherStart + 1000 + i * 5000)), new Date(otherStart + 1000 + i * 5000)),
      );
    short.push(await otherDevice.next('shift.end', { shiftId: alteredShiftId, equipmentReturned: [] }, new Date(otherStart + 200_000)));
    expect((await otherClient.request('POST', '/api/sync/push', { records: short })).status).toBe(200);
    const moved = short[8]!;
    if (moved.kind !== 'position') throw new Error('not a position');
    await server.database.db
      .updateTable('records')
      .set({ record: JSON.stringify({ ...moved, body: { ...moved.body, lat: moved.body.lat + 0.001 } }) })
      .where('id', '=', moved.id)
      .execute();
    newest = records.at(-1)!;

    browser = await launchChromium({ webgl: true });
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, acceptDownloads: true });
    page = await context.newPage();
    problems = watchProblems(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it(
    'replays the shift with its gap and check-in, calls it intact with a gap explained, and exports exactly the stored fixes as GPX, GeoJSON and CSV, and a printable report',
    { timeout: 120_000 },
    async () => {
      await page.goto(server.url);
      await signIn(page, 'S001');
      const audit = page.getByTestId('route-audit');
      await audit.getByLabel('民警').selectOption(officerIds.J001);
      await audit.locator('li[data-shift] button').first().click();
      const verdict = audit.getByTestId('audit-verdict');
      await verdict.waitFor({ timeout: 30_000 });
      expect(await verdict.getAttribute('data-verdict')).toBe('gaps-explained');
      // The server's verdict on the track it just verified, then the same from the screen's own analysis.
      await audit.locator('[data-testid="audit-verdict"][data-by="screen"][data-verdict="gaps-explained"]').waitFor({ timeout: 30_000 });
      // The route analysis (in the worker): nothing implausible, only the native tracker's fixes said as unsigned.
      const flags = audit.getByTestId('audit-flags');
      expect(await flags.locator('[data-flag]').evaluateAll((els) => els.map((e) => e.getAttribute('data-flag')))).toEqual(['native']);
      const facts = audit.getByTestId('audit-facts');
      expect(Number(await facts.getAttribute('data-moving-s')) + Number(await facts.getAttribute('data-standing-s'))).toBeGreaterThan(30 * 60);
      expect(Number(await audit.getByTestId('audit-summary').getAttribute('data-fixes'))).toBe(stored.length);
      // The native tracker's fixes are counted apart from the signed route, and never in its GPX.
      expect(await audit.getByTestId('audit-summary').textContent()).toContain('原生应用定位 3 个（未签名，另列）');
      await audit.locator('[data-testid="map"][data-ready="yes"]').waitFor({ timeout: 30_000 });

      // The marks: the pause with its reason, the check-in with the server's verdict on it.
      const pause = audit.locator('li[data-mark="pause"]');
      expect(await pause.textContent()).toContain('中断：长时间没有可用定位');
      const checkin = audit.locator('li[data-mark="checkin"]');
      expect(await checkin.getAttribute('data-verdict')).toBe('unsupported');
      // The task the officer reached on the way, and how the arrival is known.
      const task = audit.locator('li[data-mark="task"]');
      expect(await task.getAttribute('data-method')).toBe('geofence');
      expect(await task.textContent()).toMatch(/任务「江北夜市巡查」· 已到场 · 定位到场 · 轨迹已核验/);
      // How much of the zone it was registered for the shift passed (the coverage cells).
      await expect.poll(() => audit.getByTestId('audit-coverage').textContent()).toMatch(new RegExp(`^${zoneName} \\d+%$`));
      // The equipment out and back: the radio lost on the way, with the officer's reason.
      const equipment = audit.getByTestId('audit-equipment');
      expect(await equipment.textContent()).toContain('领出 2 件，归还 1 件，未归还 1 件对讲机：追赶时遗失');
      // The incident the officer reported on the way, and where it stands.
      expect(await audit.locator('li[data-mark="incident"]').textContent()).toContain('警情：入室盗窃 · 已上报');
      // Tapping the pause takes the replay there: it says tracking was paused.
      await pause.getByRole('button').click();
      await expect.poll(() => audit.getByTestId('audit-at').textContent()).toContain('轨迹中断');
      // Scrubbing to the end stands on the last stored fix.
      const slider = audit.getByRole('slider');
      await slider.fill(String(await slider.getAttribute('max')));
      await expect.poll(() => audit.getByTestId('audit-at').getAttribute('data-at')).toBe(stored.at(-1)!.fixAt);

      const [download] = await Promise.all([page.waitForEvent('download'), audit.getByRole('button', { name: '导出 GPX' }).click()]);
      const gpx = await readFile((await download.path())!, 'utf8');
      const [points] = parseGpx(gpx);
      expect(points!.map((p) => [p.lat, p.lon, p.time])).toEqual(stored.map((p) => [p.lat, p.lon, Date.parse(p.fixAt)]));
      expect(gpx.match(/<trkseg>/g)).toHaveLength(2);
      // GeoJSON: a line per stretch between pauses, together exactly the stored fixes and their times.
      const [geoDownload] = await Promise.all([page.waitForEvent('download'), audit.getByRole('button', { name: '导出 GeoJSON' }).click()]);
      const geo = JSON.parse(await readFile((await geoDownload.path())!, 'utf8')) as {
        features: Array<{ geometry: { type: string; coordinates: number[][] }; properties: { coordTimes: string[] } }>;
      };
      expect(geo.features.map((f) => f.geometry.type)).toEqual(['LineString', 'LineString']);
      expect(geo.features.flatMap((f) => f.geometry.coordinates)).toEqual(stored.map((p) => [p.lon, p.lat]));
      expect(geo.features.flatMap((f) => f.properties.coordTimes)).toEqual(stored.map((p) => p.fixAt));
      // CSV: a row per signed fix, then the native tracker's, marked as such.
      const [csvDownload] = await Promise.all([page.waitForEvent('download'), audit.getByRole('button', { name: '导出 CSV' }).click()]);
      const rows = (await readFile((await csvDownload.path())!, 'utf8'))
        .trimEnd()
        .split('\r\n')
        .map((line) => line.split(','));
      expect(rows.filter((r) => r[0] === 'signed').map((r) => r[5])).toEqual(stored.map((p) => p.fixAt));
      expect(rows.filter((r) => r[0]!.startsWith('native:'))).toHaveLength(3);

      // The printed report: the map as it stood, the verdict, and each device's newest record with the hash the database holds.
      // Headless Chromium's print() returns at once and fires afterprint, which ends the print
      // mode before the page could be looked at: the dialog is held open instead, as a user
      // reading the preview would, by counting the calls and not returning to the page's
      // afterprint.
      await page.evaluate(() => {
        const w = window as unknown as { xfPrints: number };
        w.xfPrints = 0;
        window.print = () => void w.xfPrints++;
      });
      await audit.getByRole('button', { name: '打印报告' }).click();
      await page.waitForFunction(() => (window as unknown as { xfPrints: number }).xfPrints === 1);
      expect(await page.evaluate(() => document.documentElement.dataset.print)).toBe('audit');
      const report = page.getByTestId('print-report');
      expect(await report.isVisible()).toBe(false); // on screen it is never shown
      await page.emulateMedia({ media: 'print' });
      await report.waitFor();
      expect(await report.textContent()).toContain('巡逻轨迹审计报告');
      expect(await report.locator('[data-verdict]').getAttribute('data-verdict')).toBe('gaps-explained');
      expect(await report.getByTestId('print-map').getAttribute('src')).toMatch(/^data:image\/png;base64,.{1000}/);
      const heads = await report.locator('tr[data-device]').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      const held = await server.database.db
        .selectFrom('records')
        .select('hash')
        .where('device_id', '=', newest.deviceId)
        .where('seq', '=', newest.seq)
        .executeTakeFirstOrThrow();
      expect(held.hash).toBe(newest.hash);
      expect(heads).toEqual([[newest.deviceId, expect.any(String), String(newest.seq), newest.hash]]);
      await page.emulateMedia({ media: 'screen' });
      await page.evaluate(() => delete document.documentElement.dataset.print);

      // The officer sees that their supervisor looked at this route, and when.
      const officer = await (await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } })).newPage();
      const officerProblems = watchProblems(officer);
      await officer.goto(server.url);
      await signIn(officer, 'J001');
      const views = officer.getByTestId('route-views');
      await views.locator('summary').click();
      const look = views.locator('li[data-viewer="S001"]', { hasText: '的轨迹' }).first();
      await look.waitFor();
      expect(await look.textContent()).toMatch(/周立新（S001） · 督导.*查看了 .* 的轨迹/);
      // Its native tracker's fixes were looked at too, and that is on record apart.
      await views.locator('li[data-viewer="S001"]', { hasText: '的原生应用定位' }).first().waitFor();
      // And sees their own shift as it was audited: the same verdict.
      const mine = officer.getByTestId('my-route-audit');
      await mine.locator('summary').click();
      await mine.locator('li[data-shift] button').first().click();
      const myVerdict = mine.getByTestId('audit-verdict');
      await myVerdict.waitFor({ timeout: 30_000 });
      expect(await myVerdict.getAttribute('data-verdict')).toBe('gaps-explained');
      expect([...problems, ...officerProblems]).toEqual([]);
    },
  );

  it('lists the shifts with their verdicts and filters them by verdict, squad and officer', { timeout: 60_000 }, async () => {
    await page.goto(server.url);
    await unlock(page); // a new page load: the data key left memory (issue 16)
    const audit = page.getByTestId('route-audit');
    const shifts = audit.getByTestId('audit-shifts');
    const listed = () =>
      shifts.locator('li[data-shift]').evaluateAll((lis) => lis.map((li) => [li.getAttribute('data-shift'), li.getAttribute('data-verdict')]));
    await expect.poll(listed).toHaveLength(2);
    expect(new Set((await listed()).map(([, verdict]) => verdict))).toEqual(new Set(['gaps-explained', 'altered']));
    // J002's shift, altered in the database, is the only one the server calls altered.
    await audit.getByLabel('结论').selectOption('altered');
    await expect.poll(listed).toEqual([[alteredShiftId, 'altered']]);
    expect(await shifts.locator('.audit-chip').textContent()).toBe('缺失或被改');
    await audit.getByLabel('结论').selectOption('gaps-explained');
    await expect.poll(async () => (await listed()).map(([, verdict]) => verdict)).toEqual(['gaps-explained']);
    // Squad B holds neither officer's shift.
    const squadB = await server.database.db.selectFrom('users').select('squad_id').where('badge', '=', 'J004').executeTakeFirstOrThrow();
    await audit.getByLabel('结论').selectOption('');
    await audit.getByLabel('班组').selectOption(squadB.squad_id!);
    await expect.poll(listed).toEqual([]);
    await audit.getByText('没有符合条件的班次。').waitFor();
    await audit.getByLabel('班组').selectOption('');
    await audit.getByLabel('民警').selectOption(officerIds.J002);
    await expect.poll(listed).toEqual([[alteredShiftId, 'altered']]);
    // Opened, the shift shows the very verdict the list gave it.
    await shifts.locator('li[data-shift] button').click();
    const verdict = audit.getByTestId('audit-verdict');
    await verdict.waitFor({ timeout: 30_000 });
    expect(await verdict.getAttribute('data-verdict')).toBe('altered');
    await audit.getByTestId('audit-evidence').waitFor();
    expect(problems).toEqual([]);
  });

  it('audits a time range of an officer instead of a shift: the same route, verdict and exports', { timeout: 60_000 }, async () => {
    await page.goto(server.url);
    await unlock(page);
    const audit = page.getByTestId('route-audit');
    const range = audit.getByTestId('audit-range');
    await range.locator('summary').click();
    // Without an officer there is nothing to range over.
    await range.getByText('请先在上方选择一名民警。').waitFor();
    expect(await range.getByRole('button', { name: '查看这段轨迹' }).isDisabled()).toBe(true);
    await audit.getByLabel('民警').selectOption(officerIds.J001);
    const local = (iso: string) =>
      page.evaluate((at) => {
        const d = new Date(at);
        return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
      }, iso);
    const from = new Date(Date.parse(stored[0]!.fixAt) - 120_000).toISOString();
    const to = new Date(Date.parse(stored.at(-1)!.fixAt) + 120_000).toISOString();
    // The wrong way round is refused before anything is asked.
    await range.getByLabel('从').fill(await local(to));
    await range.getByLabel('到').fill(await local(from));
    await range.getByText('结束须晚于开始，且不超过 31 天。').waitFor();
    await range.getByLabel('从').fill(await local(from));
    await range.getByLabel('到').fill(await local(to));
    await range.getByRole('button', { name: '查看这段轨迹' }).click();
    expect(await audit.getByTestId('audit-subject').getAttribute('data-range')).toBe('yes');
    const verdict = audit.getByTestId('audit-verdict');
    await verdict.waitFor({ timeout: 30_000 });
    expect(await verdict.getAttribute('data-verdict')).toBe('gaps-explained');
    expect(Number(await audit.getByTestId('audit-summary').getAttribute('data-fixes'))).toBe(stored.length);
    await audit.locator('[data-testid="audit-verdict"][data-by="screen"]').waitFor({ timeout: 30_000 });
    expect(
      await audit
        .getByTestId('audit-flags')
        .locator('[data-flag]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-flag'))),
    ).toEqual(['native']);
    expect(await audit.getByTestId('audit-completion').textContent()).toBe('按班次统计（时间段不计）');
    expect(await audit.locator('li[data-mark="checkin"]').count()).toBe(1);
    const [download] = await Promise.all([page.waitForEvent('download'), audit.getByRole('button', { name: '导出 GPX' }).click()]);
    const [points] = parseGpx(await readFile((await download.path())!, 'utf8'));
    expect(points!.map((p) => p.time)).toEqual(stored.map((p) => Date.parse(p.fixAt)));
    expect(problems).toEqual([]);
  });
});
