import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { newId } from '../../../src/domain/ids.js';
import { signingBytes } from '../../../src/domain/record-crypto.js';
import type { AuditResponse } from '../../../src/domain/protocol/accounts.js';
import type { AuditTrackResponse } from '../../../src/domain/protocol/track-audit.js';
import type { PushResponse } from '../../../src/domain/protocol/sync.js';
import type { SignedRecord } from '../../../src/domain/records.js';
import { auditVerdict } from '../../../src/domain/route-replay.js';
import { analyseRoute, shiftVerdict } from '../../../src/domain/route-analysis.js';
import { loadTrack, shiftTo, TRACE_FILES } from '../../../src/simulator/traces.js';
import { positionBody, TestDevice } from '../device.js';
import { Client, DATABASES, startServer, type TestServer } from '../harness.js';

describe.each(DATABASES)('route audit on %s', (kind) => {
  let server: TestServer;
  let clients: Record<string, Client>;
  let ids: Record<string, string>;
  let records: SignedRecord[];

  beforeAll(async () => {
    server = await startServer(kind);
    ids = Object.fromEntries((await server.database.db.selectFrom('users').select(['id', 'badge']).execute()).map((u) => [u.badge, u.id]));
    clients = {};
    for (const badge of ['J001', 'J002', 'L001', 'L002', 'S001']) {
      clients[badge] = new Client(server.url);
      await clients[badge].login(badge);
    }
    const device = await TestDevice.create(ids.J001!);
    await device.register(clients.J001!);
    const shiftId = newId();
    const base = server.clock.now().getTime() - 3600_000;
    records = [await device.next('tracking', { shiftId, state: 'on', reason: 'shift-start' }, new Date(base))];
    for (let i = 0; i < 20; i++) records.push(await device.next('position', positionBody(shiftId, i, new Date(base + i * 5000)), new Date(base + i * 5000)));
    // Arrival order must not matter: send the second half first.
    for (const half of [records.slice(11), records.slice(0, 11)]) {
      const response = await clients.J001!.request('POST', '/api/sync/push', { records: half });
      expect(((await response.json()) as PushResponse).results.every((r) => r.status === 'accepted')).toBe(true);
    }
  });
  afterAll(() => server.close());

  const encodedCursor = (next: string) => encodeURIComponent(next);
  const track = async (viewer: string, officer = 'J001', query = '') => {
    const response = await clients[viewer]!.request('GET', `/api/audit/track?officerId=${ids[officer]}${query}`);
    return { status: response.status, body: (await response.json()) as AuditTrackResponse };
  };

  it('gives a supervisor the positions in device order with a clean verification', async () => {
    const { status, body } = await track('S001');
    expect(status).toBe(200);
    expect(body.points.map((p) => p.seq)).toEqual(records.filter((r) => r.kind === 'position').map((r) => r.seq));
    expect(body.points[0]).toMatchObject({ lat: 23.11, lon: 114.41, accuracy: 8, speed: 1.2, heading: 90, altitude: null });
    expect(body.verification.ok).toBe(true);
    expect(body.verification.devices[0]).toEqual({
      deviceId: records[0]!.deviceId,
      records: 21,
      gaps: [],
      brokenLinks: [],
      badSignatures: [],
      hashMismatches: [],
      acknowledged: { seq: 21, hash: records[20]!.hash },
      storedSeq: 21,
      truncated: false,
      last: { seq: 21, hash: records[20]!.hash },
    });
  });

  it('names the shifts started and ended in the window: on foot or by vehicle, in which zones, and the equipment out and back', async () => {
    const device = await TestDevice.create(ids.J002!);
    await device.register(clients.J002!);
    const squad = await server.database.db.selectFrom('users').select('squad_id').where('id', '=', ids.J002!).executeTakeFirstOrThrow();
    const zone = await server.database.db.selectFrom('zones').select('id').where('squad_id', '=', squad.squad_id!).executeTakeFirstOrThrow();
    const shiftId = newId();
    const at = new Date(server.clock.now().getTime() - 600_000);
    const equipment = [{ item: 'pistol', serial: 'QZ-0117', rounds: 12 }, { item: 'radio' }];
    const start = await device.next(
      'shift.start',
      { shiftId, squadId: squad.squad_id!, members: [ids.J002!], vehicle: '粤L·12345', equipment, zoneIds: [zone.id] },
      at,
    );
    const fix = await device.next('position', positionBody(shiftId, 0, new Date(at.getTime() + 5000)), new Date(at.getTime() + 5000));
    const end = await device.next(
      'shift.end',
      { shiftId, equipmentReturned: [equipment[0]!], missing: [{ item: 'radio', reason: '掉入河中' }] },
      new Date(at.getTime() + 10_000),
    );
    expect((await clients.J002!.request('POST', '/api/sync/push', { records: [start, fix, end] })).status).toBe(200);
    const { body } = await track('S001', 'J002');
    const pistol = { item: 'pistol', serial: 'QZ-0117', rounds: 12 };
    const radio = { item: 'radio', serial: null, rounds: null };
    expect(body.shiftStarts).toEqual([{ shiftId, at: start.at, vehicle: '粤L·12345', zoneIds: [zone.id], equipment: [pistol, radio] }]);
    expect(body.shiftEnds).toEqual([{ shiftId, at: end.at, returned: [pistol], missing: [{ ...radio, reason: '掉入河中' }] }]);
    expect(body.verification.devices[0]!.last).toEqual({ seq: end.seq, hash: end.hash });
  });

  it('limits the window by record time', async () => {
    const from = records[5]!.at;
    const to = records[9]!.at;
    const { body } = await track('S001', 'J001', `&from=${from}&to=${to}`);
    expect(body.points.map((p) => p.seq)).toEqual([6, 7, 8, 9, 10]);
    expect(body.verification.ok).toBe(true);
  });

  it('lets the officer and their own leader see the track, and no one else', async () => {
    expect((await track('J001')).status).toBe(200);
    expect((await track('L001')).status).toBe(200);
    expect((await track('J002')).status).toBe(403);
    expect((await track('L002')).status).toBe(403);
    expect((await new Client(server.url).request('GET', `/api/audit/track?officerId=${ids.J001}`)).status).toBe(401);
  });

  it('logs each route audit view in the unit’s audit log: who looked at whose route, over which window', async () => {
    const window = { from: '2026-11-29T06:00:00.000Z', to: '2026-11-29T08:00:00.000Z' };
    expect((await track('S001', 'J001', `&from=${window.from}&to=${window.to}`)).status).toBe(200);
    expect((await track('L002', 'J001', `&from=${window.from}&to=${window.to}`)).status).toBe(403);
    const admin = new Client(server.url);
    await admin.login('A001');
    const { events } = (await (await admin.request('GET', '/api/admin/audit?kind=audit-view')).json()) as AuditResponse;
    const views = events.filter((e) => e.detail?.includes(window.from));
    expect(views.map((e) => ({ badge: e.badge, name: e.name, outcome: e.outcome, detail: JSON.parse(e.detail ?? 'null') as unknown }))).toEqual([
      { badge: 'S001', name: '周立新', outcome: 'ok', detail: { officerId: ids.J001, what: 'track', ...window } },
    ]);
  });

  it('rejects a malformed window, and one of more than 31 days', async () => {
    expect((await track('S001', 'J001', '&from=yesterday')).status).toBe(400);
    expect((await track('S001', 'J001', `&from=${records[9]!.at}&to=${records[5]!.at}`)).status).toBe(400);
    expect((await clients.S001!.request('GET', '/api/audit/track')).status).toBe(400);
    const long = await track('S001', 'J001', '&from=2026-10-01T00:00:00.000Z&to=2026-11-29T00:00:00.000Z');
    expect(long.status).toBe(400);
    expect((long.body as unknown as { message: string }).message).toBe('the window may span at most 31 days');
  });

  it('reads the last 24 hours when no window is given, and says which window it read', async () => {
    const { body } = await track('S001');
    expect(body.to).toBe(server.clock.now().toISOString());
    expect(Date.parse(body.to) - Date.parse(body.from)).toBe(24 * 3600_000);
    expect(body.next).toBeNull();
  });

  it('pages a long track in device-time order, each record once, each page verified and linked to the one before', async () => {
    const seen: number[] = [];
    let after = '';
    for (let pages = 1; ; pages++) {
      const { status, body } = await track('S001', 'J001', `&limit=6${after ? `&after=${encodedCursor(after)}` : ''}`);
      expect(status).toBe(200);
      seen.push(...body.points.map((p) => p.seq));
      // Each page's chain starts from the stored record before it: no gap at a page boundary.
      expect(body.verification.ok, `page ${pages}`).toBe(true);
      if (!body.next) break;
      after = body.next;
      expect(pages).toBeLessThan(10);
    }
    expect(seen).toEqual(records.filter((r) => r.kind === 'position').map((r) => r.seq));
    expect((await track('S001', 'J001', '&limit=0')).status).toBe(400);
    expect((await track('S001', 'J001', '&after=somewhere')).status).toBe(400);
  });

  it('shows an edited record as a hash mismatch, a re-hashed one as a bad signature and broken link, a deleted one as a gap, a replaced last signature as a bad signature', async () => {
    const db = server.database.db;
    const edited = { ...records[4]!, body: { ...(records[4] as Extract<SignedRecord, { kind: 'position' }>).body, lat: 23.2 } };
    await db
      .updateTable('records')
      .set({ record: JSON.stringify(edited) })
      .where('id', '=', edited.id)
      .execute();
    await db.deleteFrom('records').where('id', '=', records[12]!.id).execute();
    // The chain's last record: nothing after it vouches for its content, so its own signature must.
    const forged = { ...records[20]!, sig: records[19]!.sig };
    await db
      .updateTable('records')
      .set({ record: JSON.stringify(forged) })
      .where('id', '=', forged.id)
      .execute();
    // An editor who also recomputes the hash still cannot sign, and the next record's prev no longer matches.
    const rehashed = { ...records[7]!, at: records[6]!.at };
    rehashed.hash = createHash('sha256').update(signingBytes(rehashed)).digest('hex');
    await db
      .updateTable('records')
      .set({ record: JSON.stringify(rehashed) })
      .where('id', '=', rehashed.id)
      .execute();
    const { body } = await track('S001');
    expect(body.verification.ok).toBe(false);
    expect(body.verification.devices[0]).toMatchObject({
      gaps: [{ from: 13, to: 13 }],
      hashMismatches: [5],
      badSignatures: [8, 21],
      brokenLinks: [9],
      // A signature is not part of the hash: the record acknowledged is still the one stored.
      acknowledged: { seq: 21, hash: records[20]!.hash },
      storedSeq: 21,
      truncated: false,
    });
  });

  it('shows a record altered into something that is no record at all as a hash mismatch, and still answers', async () => {
    const db = server.database.db;
    await db.updateTable('records').set({ record: '{"truncated": ' }).where('id', '=', records[2]!.id).execute();
    await db
      .updateTable('records')
      .set({ record: JSON.stringify({ ...records[3]!, kind: 'teleport' }) })
      .where('id', '=', records[3]!.id)
      .execute();
    const { status, body } = await track('S001');
    expect(status).toBe(200);
    expect(body.verification.devices[0]?.hashMismatches).toEqual(expect.arrayContaining([3, 4]));
    expect(body.verification.devices[0]?.brokenLinks).not.toContain(4);
    expect(body.points.map((p) => p.seq)).not.toContain(3);
    expect(body.points.map((p) => p.seq)).not.toContain(4);
  });
});

describe.each(DATABASES)('a large route-audit page on %s', (kind) => {
  let server: TestServer;
  let supervisor: Client;
  let officerId: string;
  const byDevice: SignedRecord[][] = [];

  beforeAll(async () => {
    server = await startServer(kind);
    officerId = (await server.database.db.selectFrom('users').select('id').where('badge', '=', 'J001').executeTakeFirstOrThrow()).id;
    const officer = new Client(server.url);
    await officer.login('J001');
    supervisor = new Client(server.url);
    await supervisor.login('S001');
    // Two devices of one officer, one after the other (a phone swapped mid-shift), 2,501 records.
    let at = server.clock.now().getTime() - 3 * 3600_000;
    const shiftId = newId();
    for (const count of [1200, 1300]) {
      const device = await TestDevice.create(officerId);
      await device.register(officer);
      const records: SignedRecord[] = [];
      if (byDevice.length === 0) records.push(await device.next('tracking', { shiftId, state: 'on', reason: 'shift-start' }, new Date(at)));
      for (let i = 0; i < count; i++, at += 2000) records.push(await device.next('position', positionBody(shiftId, i, new Date(at)), new Date(at)));
      for (let i = 0; i < records.length; i += 1000) {
        const response = await officer.request('POST', '/api/sync/push', { records: records.slice(i, i + 1000) });
        expect(((await response.json()) as PushResponse).results.every((r) => r.status === 'accepted')).toBe(true);
      }
      byDevice.push(records);
    }
  });
  afterAll(() => server.close());

  it('is written out as it is read, and holds every point once, in device order, with every chain verified across its whole length', async () => {
    const [first, second] = byDevice as [SignedRecord[], SignedRecord[]];
    const db = server.database.db;
    // A deletion and an edit well inside the page, where an answer read in parts is most likely to lose its place.
    await db.deleteFrom('records').where('id', '=', first[500]!.id).execute();
    const edited = second[999] as Extract<SignedRecord, { kind: 'position' }>;
    await db
      .updateTable('records')
      .set({ record: JSON.stringify({ ...edited, body: { ...edited.body, lat: 23.5 } }) })
      .where('id', '=', edited.id)
      .execute();

    const response = await supervisor.request('GET', `/api/audit/track?officerId=${officerId}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    // Streamed: sent in chunks as it is made, not measured first as a buffered answer would be.
    expect(response.headers.get('content-length')).toBeNull();
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    const body = (await response.json()) as AuditTrackResponse;

    const expected = [...first.filter((r) => r.id !== first[500]!.id), ...second].filter((r) => r.kind === 'position');
    expect(body.points.map((p) => p.id)).toEqual(expected.map((r) => r.id));
    expect(body.points[0]).toMatchObject({ deviceId: first[1]!.deviceId, seq: 2, lat: 23.11, lon: 114.41, accuracy: 8, fixAt: first[1]!.at });
    expect(body.tracking).toEqual([expect.objectContaining({ id: first[0]!.id, state: 'on', reason: 'shift-start' })]);
    expect(body.next).toBeNull();
    expect(body.verification.ok).toBe(false);
    const report = (deviceId: string) => body.verification.devices.find((d) => d.deviceId === deviceId);
    expect(report(first[0]!.deviceId)).toEqual({
      deviceId: first[0]!.deviceId,
      records: 1200,
      gaps: [{ from: 501, to: 501 }],
      brokenLinks: [],
      badSignatures: [],
      hashMismatches: [],
      acknowledged: { seq: 1201, hash: first[1200]!.hash },
      storedSeq: 1201,
      truncated: false,
      last: { seq: 1201, hash: first[1200]!.hash },
    });
    expect(report(second[0]!.deviceId)).toEqual({
      deviceId: second[0]!.deviceId,
      records: 1300,
      gaps: [],
      brokenLinks: [],
      badSignatures: [],
      hashMismatches: [1000],
      acknowledged: { seq: 1300, hash: second[1299]!.hash },
      storedSeq: 1300,
      truncated: false,
      last: { seq: 1300, hash: second[1299]!.hash },
    });
    expect(body.verification.devices.map((d) => d.deviceId)).toEqual([first[0]!.deviceId, second[0]!.deviceId].sort());
  });
});

describe.each(DATABASES)('tampered histories on %s', (kind) => {
  let server: TestServer;
  let officer: Client;
  let supervisor: Client;
  let officerId: string;
  /** The officer's second phone: registered, so its key is one the server knows, but not the chain's. */
  let secondPhone: TestDevice;
  let historyStart: number;
  let histories = 0;

  // One real walk (Osaka, 44 minutes) moved to Huizhou, a fix every 5 s, as the app records it:
  // altitude from the fix, no speed or heading (the file has none).
  const walk = shiftTo(loadTrack(TRACE_FILES.osakaWalk)).filter((p) => p.time !== null);
  const HISTORY_MS = 3600_000;

  beforeAll(async () => {
    server = await startServer(kind);
    officerId = (await server.database.db.selectFrom('users').select('id').where('badge', '=', 'J001').executeTakeFirstOrThrow()).id;
    officer = new Client(server.url);
    await officer.login('J001');
    supervisor = new Client(server.url);
    await supervisor.login('S001');
    secondPhone = await TestDevice.create(officerId);
    expect((await secondPhone.register(officer)).status).toBe(201);
    historyStart = server.clock.now().getTime() - 20 * HISTORY_MS;
  });
  afterAll(() => server.close());

  /** The walk on a device of its own, in an hour of its own, pushed and accepted whole; its window as a query. */
  /** A fix as the history's device records it: the walk's, unless a test makes the device lie (a spoofed or frozen receiver). */
  type Fix = { lat: number; lon: number; accuracy: number };
  const history = async (receiver: (fix: Fix, index: number) => Fix = (fix) => fix) => {
    const start = historyStart + histories++ * HISTORY_MS;
    const device = await TestDevice.create(officerId);
    expect((await device.register(officer)).status).toBe(201);
    const shiftId = newId();
    const records: SignedRecord[] = [await device.next('tracking', { shiftId, state: 'on', reason: 'shift-start' }, new Date(start))];
    const first = walk[0]!.time!;
    let lastKept = Number.NEGATIVE_INFINITY;
    let kept = 0;
    for (const p of walk) {
      const at = start + 1000 + (p.time! - first);
      if (at - lastKept < 5000) continue;
      lastKept = at;
      const fixAt = new Date(at);
      // An accuracy that varies fix to fix, as a phone's does.
      const fix = receiver({ lat: p.lat, lon: p.lon, accuracy: 4 + ((kept * 37) % 21) / 10 }, kept++);
      records.push(await device.next('position', { shiftId, ...fix, altitude: p.ele, fixAt: fixAt.toISOString() }, fixAt));
    }
    for (let i = 0; i < records.length; i += 500) {
      const response = await officer.request('POST', '/api/sync/push', { records: records.slice(i, i + 500) });
      expect(((await response.json()) as PushResponse).results.filter((r) => r.status !== 'accepted')).toEqual([]);
    }
    const window = `&from=${new Date(start).toISOString()}&to=${new Date(start + HISTORY_MS - 1).toISOString()}`;
    return { device, records, window, last: records.length };
  };

  const audit = async (window: string) => {
    const response = await supervisor.request('GET', `/api/audit/track?officerId=${officerId}${window}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as AuditTrackResponse;
    expect(body.verification.devices).toHaveLength(1);
    return { body, device: body.verification.devices[0]!, ...auditVerdict(body) };
  };

  /** What an untouched chain of `records` reports: the expected fields are spelled out in each test from this. */
  const clean = (records: readonly SignedRecord[]) => {
    const last = records[records.length - 1]!;
    return {
      deviceId: last.deviceId,
      records: records.length,
      gaps: [],
      brokenLinks: [],
      badSignatures: [],
      hashMismatches: [],
      acknowledged: { seq: last.seq, hash: last.hash },
      storedSeq: last.seq,
      truncated: false,
      // The newest record in the window as stored: what a printed report quotes.
      last: { seq: last.seq, hash: last.hash },
    };
  };

  const rehashed = <R extends SignedRecord>(record: R): R => ({ ...record, hash: createHash('sha256').update(signingBytes(record)).digest('hex') });
  /** Writes a record over its stored row, as someone with the database would: text and hash column alike. */
  const overwrite = (record: SignedRecord) =>
    server.database.db
      .updateTable('records')
      .set({ record: JSON.stringify(record), hash: record.hash })
      .where('id', '=', record.id)
      .execute();
  const moved = (record: SignedRecord): Extract<SignedRecord, { kind: 'position' }> => {
    if (record.kind !== 'position') throw new Error(`seq ${record.seq} is a ${record.kind}`);
    return { ...record, body: { ...record.body, lat: record.body.lat + 0.001 } };
  };

  it('calls an untouched real walk intact, with every fix as the device recorded it', async () => {
    const { records, window } = await history();
    const { body, device, verdict, evidence } = await audit(window);
    expect(body.verification.ok).toBe(true);
    expect(device).toEqual(clean(records));
    expect({ verdict, evidence }).toEqual({ verdict: 'intact', evidence: [] });
    const positions = records.filter((r) => r.kind === 'position');
    expect(body.points.map((p) => [p.seq, p.lat, p.lon, p.fixAt])).toEqual(positions.map((r) => [r.seq, r.body.lat, r.body.lon, r.body.fixAt]));
    expect(body.points.map((p) => p.altitude)).toEqual(positions.map((r) => r.body.altitude));
    expect(body.points.every((p) => p.speed === null && p.heading === null)).toBe(true);
  });

  it('shows a record deleted from the middle as a gap', async () => {
    const { records, window } = await history();
    const k = 100;
    await server.database.db
      .deleteFrom('records')
      .where('id', '=', records[k - 1]!.id)
      .execute();
    const { body, device, verdict, evidence } = await audit(window);
    expect(body.verification.ok).toBe(false);
    expect(device).toEqual({ ...clean(records), records: records.length - 1, gaps: [{ from: k, to: k }] });
    expect({ verdict, evidence }).toEqual({ verdict: 'altered', evidence: [`missing:${device.deviceId}:${k}-${k}`] });
  });

  it('shows a record edited with its hash recomputed by its signature and the next record’s link, and nothing else', async () => {
    const { records, window } = await history();
    const k = 200;
    await overwrite(rehashed(moved(records[k - 1]!)));
    const { device, verdict, evidence } = await audit(window);
    expect(device).toEqual({ ...clean(records), badSignatures: [k], brokenLinks: [k + 1] });
    expect({ verdict, evidence }).toEqual({
      verdict: 'altered',
      evidence: [`broken-link:${device.deviceId}:${k + 1}`, `bad-signature:${device.deviceId}:${k}`],
    });
  });

  it('shows two rows whose seqs were swapped as broken links, though each record’s own text and signature are untouched', async () => {
    const { records, window } = await history();
    const k = 300;
    const [a, b] = [records[k - 1]!, records[k]!];
    const db = server.database.db;
    // Through a free seq: (device_id, seq) is unique.
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('records').set({ seq: -1 }).where('id', '=', a.id).execute();
      await trx.updateTable('records').set({ seq: k }).where('id', '=', b.id).execute();
      await trx
        .updateTable('records')
        .set({ seq: k + 1 })
        .where('id', '=', a.id)
        .execute();
    });
    const { body, device, verdict, evidence } = await audit(window);
    // Seq k now holds a record linking to k's hash, k + 1 one linking to k - 1's, and k + 2 follows the wrong record.
    expect(device).toEqual({ ...clean(records), brokenLinks: [k, k + 1, k + 2] });
    expect({ verdict, evidence }).toEqual({ verdict: 'altered', evidence: [k, k + 1, k + 2].map((seq) => `broken-link:${device.deviceId}:${seq}`) });
    // The points say which record each is, by its own signed seq, in the order the rows now give.
    expect(body.points.slice(k - 2, k).map((p) => p.id)).toEqual([b.id, a.id]);
    expect(body.points.slice(k - 2, k).map((p) => p.seq)).toEqual([k + 1, k]);
  });

  it('shows a tail rewritten and re-signed by another registered device as bad signatures, and the acknowledged head as not the one stored', async () => {
    const { records, window, last } = await history();
    const from = last - 3;
    let prev = records[from - 2]!.hash;
    for (const original of records.slice(from - 1)) {
      const { hash: _hash, sig: _sig, ...unsigned } = { ...moved(original), prev };
      // Hashed and linked as the device would: only the key is wrong.
      const forged = await secondPhone.seal(unsigned);
      await overwrite(forged);
      prev = forged.hash;
    }
    const { device, verdict, evidence } = await audit(window);
    const forgedSeqs = [from, from + 1, from + 2, last];
    expect(device).toEqual({ ...clean(records), badSignatures: forgedSeqs, truncated: true, last: { seq: last, hash: prev } });
    expect({ verdict, evidence }).toEqual({
      verdict: 'altered',
      evidence: [...forgedSeqs.map((seq) => `bad-signature:${device.deviceId}:${seq}`), `truncated:${device.deviceId}:${last}-${last}`],
    });
  });

  /** The screen's analysis of what the audit returned, on foot, and the shift's verdict with it. */
  const plausibility = (body: AuditTrackResponse) => {
    const analysis = analyseRoute({ points: body.points, tracking: body.tracking, zones: null, onFoot: true, native: [] });
    return { analysis, verdict: shiftVerdict(auditVerdict(body).verdict, analysis.flags) };
  };

  it('finds nothing implausible on the untouched real walk', async () => {
    const { window } = await history();
    const { analysis, verdict } = plausibility((await audit(window)).body);
    expect(analysis.flags).toEqual([]);
    expect(verdict).toBe('intact');
  });

  it('calls a signed route with a teleport suspicious, naming the jump, though every signature holds', async () => {
    const k = 150;
    const { records, window } = await history((fix, i) => (i === k ? { ...fix, lat: fix.lat + 0.02 } : fix));
    const { body, device } = await audit(window);
    expect(device).toEqual(clean(records));
    const { analysis, verdict } = plausibility(body);
    expect(analysis.flags.map((f) => f.kind)).toEqual(['impossible-speed']);
    // The jump there and the jump back, each between the teleported fix and its neighbour.
    const jumped = records.filter((r) => r.kind === 'position')[k]!.id;
    expect(analysis.flags[0]!.evidence.map((e) => e.pointIds.includes(jumped))).toEqual([true, true]);
    expect(verdict).toBe('suspicious');
  });

  it('calls a route whose receiver froze suspicious: the same coordinates to the end, minutes on, while the clock ran', async () => {
    // Frozen to the end: thawing would jump to where the officer really was, a second flag.
    let held: Fix | null = null;
    const { window } = await history((fix, i) => (i >= 300 ? (held ??= fix) : fix));
    const { analysis, verdict } = plausibility((await audit(window)).body);
    expect(analysis.flags.map((f) => f.kind)).toEqual(['frozen']);
    expect(analysis.flags[0]!.evidence.map((e) => e.reason)).toEqual(['position']);
    expect(verdict).toBe('suspicious');
  });

  it('shows a truncated chain by the head the server acknowledged, in any window and on every page', async () => {
    const { records, window, last } = await history();
    const kept = last - 3;
    await server.database.db.deleteFrom('records').where('device_id', '=', records[0]!.deviceId).where('seq', '>', kept).execute();
    const { device, verdict, evidence } = await audit(window);
    const truncated = { ...clean(records), records: kept, storedSeq: kept, truncated: true, last: { seq: kept, hash: records[kept - 1]!.hash } };
    expect(device).toEqual(truncated);
    expect({ verdict, evidence }).toEqual({ verdict: 'altered', evidence: [`truncated:${device.deviceId}:${kept}-${last}`] });

    // A window over the first half only, and each page of it, still sees the whole chain's tail.
    const half = `&from=${records[0]!.at}&to=${records[199]!.at}`;
    expect((await audit(half)).device).toEqual({ ...truncated, records: 200, last: { seq: 200, hash: records[199]!.hash } });
    let after = '';
    for (let pages = 1; ; pages++) {
      const { body, device: paged } = await audit(`${half}&limit=60${after ? `&after=${encodeURIComponent(after)}` : ''}`);
      expect(paged, `page ${pages}`).toMatchObject({ acknowledged: truncated.acknowledged, storedSeq: kept, truncated: true, gaps: [], brokenLinks: [] });
      if (!body.next) break;
      after = body.next;
      expect(pages).toBeLessThan(5);
    }
  });
});
