import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { newId } from '../../../src/domain/ids.js';
import { signingBytes } from '../../../src/domain/record-crypto.js';
import type { AuditTrackResponse } from '../../../src/domain/protocol/track-audit.js';
import type { PushResponse } from '../../../src/domain/protocol/sync.js';
import type { SignedRecord } from '../../../src/domain/records.js';
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
    expect(body.points[0]).toMatchObject({ lat: 23.11, lon: 114.41, accuracy: 8 });
    expect(body.verification.ok).toBe(true);
    expect(body.verification.devices[0]).toMatchObject({ records: 21, gaps: [], brokenLinks: [], badSignatures: [], hashMismatches: [] });
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

  it('shows an edited record as a hash mismatch, a re-hashed one as a bad signature and broken link, a deleted one as a gap', async () => {
    const db = server.database.db;
    const edited = { ...records[4]!, body: { ...(records[4] as Extract<SignedRecord, { kind: 'position' }>).body, lat: 23.2 } };
    await db
      .updateTable('records')
      .set({ record: JSON.stringify(edited) })
      .where('id', '=', edited.id)
      .execute();
    await db.deleteFrom('records').where('id', '=', records[12]!.id).execute();
    const forged = { ...records[15]!, sig: records[16]!.sig };
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
      badSignatures: [8, 16],
      brokenLinks: [9],
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
