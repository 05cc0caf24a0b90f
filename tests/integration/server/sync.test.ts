import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/domain/ids.js';
import type { PullResponse, PushResponse } from '../../../src/domain/protocol/sync.js';
import type { SignedRecord } from '../../../src/domain/records.js';
import { insertRecords, recordRow } from '../../../src/server/sync/ingest.js';
import { positionBody, TestDevice } from '../device.js';
import { Client, DATABASES, startServer, type TestServer } from '../harness.js';

describe.each(DATABASES)('sync protocol on %s', (kind) => {
  let server: TestServer;
  let j001: Client;
  let j002: Client;
  let ids: Record<string, string>;
  let device: TestDevice;
  const shiftId = newId();

  beforeAll(async () => {
    server = await startServer(kind);
    const users = await server.database.db.selectFrom('users').select(['id', 'badge']).execute();
    ids = Object.fromEntries(users.map((u) => [u.badge, u.id]));
    j001 = new Client(server.url);
    j002 = new Client(server.url);
    await j001.login('J001');
    await j002.login('J002');
    device = await TestDevice.create(ids.J001!);
    expect((await device.register(j001)).status).toBe(201);
  });
  afterAll(() => server.close());

  const push = async (client: Client, records: unknown[]) => {
    const response = await client.request('POST', '/api/sync/push', { records });
    expect(response.status).toBe(200);
    return ((await response.json()) as PushResponse).results;
  };
  const count = async () =>
    Number(
      (
        await server.database.db
          .selectFrom('records')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  describe('device registration', () => {
    it('accepts the same registration again as a harmless retry', async () => {
      const again = await device.register(j001);
      expect(again.status).toBe(200);
    });

    it('refuses to swap the key of a registered device id, or give it to another officer', async () => {
      const impostor = await TestDevice.create(ids.J001!);
      const body = { ...(await impostor.registration()), deviceId: device.deviceId };
      expect((await j001.request('POST', '/api/devices', body)).status).toBe(409);
      expect((await j002.request('POST', '/api/devices', await device.registration())).status).toBe(409);
    });

    it('rejects a key that is not a P-256 point, and callers without a session', async () => {
      const bad = { deviceId: newId(), publicKeyJwk: { kty: 'EC', crv: 'P-256', x: 'A'.repeat(43), y: 'B'.repeat(43) } };
      const response = await j001.request('POST', '/api/devices', bad);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { message: string }).message).toMatch(/P-256/);
      expect((await new Client(server.url).request('POST', '/api/devices', await device.registration())).status).toBe(401);
    });
  });

  describe('push', () => {
    it('accepts good records, stores them verbatim and advances the chain head', async () => {
      const start = await device.next('shift.start', {
        shiftId,
        squadId: newId(),
        members: [ids.J001!],
        equipment: [{ item: 'radio', serial: 'R-7' }],
        zoneIds: [],
      });
      const fix = await device.next('position', positionBody(shiftId, 0));
      expect(await push(j001, [start, fix])).toEqual([
        { id: start.id, status: 'accepted' },
        { id: fix.id, status: 'accepted' },
      ]);
      const stored = await server.database.db.selectFrom('records').select(['record', 'received_at']).where('id', '=', fix.id).executeTakeFirstOrThrow();
      expect(JSON.parse(stored.record)).toEqual(fix);
      expect(stored.received_at).toBe(server.clock.now().toISOString());
      const head = await server.database.db.selectFrom('devices').select(['head_seq', 'head_hash']).where('id', '=', device.deviceId).executeTakeFirstOrThrow();
      expect(head).toEqual({ head_seq: 2, head_hash: fix.hash });
    });

    it('answers a re-sent record with duplicate and never stores it twice', async () => {
      const fix = await device.next('position', positionBody(shiftId, 1));
      await push(j001, [fix]);
      const before = await count();
      expect(await push(j001, [fix, fix])).toEqual([
        { id: fix.id, status: 'duplicate' },
        { id: fix.id, status: 'duplicate' },
      ]);
      expect(await count()).toBe(before);
    });

    it('gives each bad record its own reason and still stores the good ones of the batch', async () => {
      const other = await TestDevice.create(ids.J002!);
      await other.register(j002);
      const unknown = await TestDevice.create(ids.J001!);
      const good = await device.next('position', positionBody(shiftId, 2));
      const tampered = { ...(await device.next('position', positionBody(shiftId, 3))), body: { ...positionBody(shiftId, 3), lat: 23.5 } };
      const foreign = await TestDevice.create(ids.J001!);
      const badSig = { ...(await device.next('position', positionBody(shiftId, 4))) };
      badSig.sig = (await foreign.seal({ ...badSig, hash: undefined, sig: undefined } as never)).sig;
      const wrongOfficer = await other.next('position', positionBody(shiftId, 5));
      const notYours = await (async () => {
        const r = await other.next('position', positionBody(shiftId, 6));
        return other.seal({ ...r, officerId: ids.J001!, hash: undefined, sig: undefined } as never);
      })();
      const unregistered = await unknown.next('position', positionBody(shiftId, 7));
      const future = await device.next('position', positionBody(shiftId, 8), new Date(server.clock.now().getTime() + 25 * 3600_000));
      const nearFuture = await device.next('position', positionBody(shiftId, 9), new Date(server.clock.now().getTime() + 23 * 3600_000));
      const before = await count();
      const results = await push(j001, [good, tampered, badSig, wrongOfficer, notYours, unregistered, future, nearFuture]);
      expect(results.map((r) => r.reason ?? r.status)).toEqual([
        'accepted',
        'hash-mismatch',
        'bad-signature',
        'wrong-officer',
        'device-not-yours',
        'unknown-device',
        'future-timestamp',
        'accepted',
      ]);
      expect(await count()).toBe(before + 2);
    });

    it('rejects alone a record whose text is not valid Unicode (a lone surrogate) instead of failing the batch', async () => {
      const end = await device.next('shift.end', { shiftId, equipmentReturned: [], note: 'ok' });
      const broken = { ...end, body: { ...end.body, note: '\ud800' } };
      const good = await device.next('position', positionBody(shiftId, 13));
      expect((await push(j001, [broken, good])).map((r) => r.reason ?? r.status)).toEqual(['hash-mismatch', 'accepted']);
    });

    it('rejects a second record with a used id, or a used (device, seq), keeping the first', async () => {
      const first = await device.next('position', positionBody(shiftId, 10));
      await push(j001, [first]);
      const sameId = await device.seal({ ...first, body: positionBody(shiftId, 11), hash: undefined, sig: undefined } as never);
      const sameSeq = await device.seal({ ...first, id: newId(), hash: undefined, sig: undefined } as never);
      const results = await push(j001, [sameId, sameSeq]);
      expect(results.map((r) => r.reason)).toEqual(['id-conflict', 'seq-conflict']);
      // The same conflict inside one batch is caught too.
      const a = await device.next('position', positionBody(shiftId, 12));
      const b = await device.seal({ ...a, id: newId(), hash: undefined, sig: undefined } as never);
      expect((await push(j001, [a, b])).map((r) => r.reason ?? r.status)).toEqual(['accepted', 'seq-conflict']);
    });

    it('names the path of every schema violation', async () => {
      const valid = await device.next('position', positionBody(shiftId, 13));
      const cases: Array<[unknown, RegExp]> = [
        [{ ...valid, body: { ...valid.body, lat: 'north' } }, /^schema: body\.lat: /],
        [{ ...valid, body: { ...valid.body, lat: null } }, /^schema: body\.lat: /],
        [{ ...valid, body: { ...valid.body, lat: 91 } }, /^schema: body\.lat: must be ≤ 90/],
        [{ ...valid, body: { ...valid.body, lon: -180.5 } }, /^schema: body\.lon: /],
        [{ ...valid, seq: 1.5 }, /^schema: seq: /],
        [{ ...valid, kind: 'teleport' }, /^schema: kind/],
        [{ ...valid, at: '2026-11-29 08:00' }, /^schema: at: /],
        [{ ...valid, extra: 1 }, /^schema: /],
        ['not a record', /^schema: /],
        [null, /^schema: /],
      ];
      const results = await push(
        j001,
        cases.map(([record]) => record),
      );
      results.forEach((result, i) => {
        expect(result.status).toBe('rejected');
        expect(result.reason, JSON.stringify(cases[i]![0]).slice(0, 80)).toMatch(cases[i]![1]);
      });
    });

    it('takes a full batch of 1000 and refuses 1001 records or 2 MiB with 413', async () => {
      const batch: SignedRecord[] = [];
      for (let i = 0; i < 1000; i++) batch.push(await device.next('position', positionBody(shiftId, 100 + i)));
      const results = await push(j001, batch);
      expect(results.filter((r) => r.status === 'accepted')).toHaveLength(1000);
      const tooMany = await j001.request('POST', '/api/sync/push', { records: [...batch, batch[0]] });
      expect(tooMany.status).toBe(413);
      expect(((await tooMany.json()) as { message: string }).message).toMatch(/1000/);
      const tooBig = await j001.request('POST', '/api/sync/push', { records: [{ pad: 'x'.repeat(2 * 1024 * 1024) }] });
      expect(tooBig.status).toBe(413);
    });

    it('answers a resent full batch with 1000 duplicates, and a batch whose one stored record is its last with 999 accepted', async () => {
      const batch: SignedRecord[] = [];
      for (let i = 0; i < 1000; i++) batch.push(await device.next('position', positionBody(shiftId, 2000 + i)));
      expect((await push(j001, batch.slice(0, 1))).map((r) => r.status)).toEqual(['accepted']);
      // The stored one last: everything before it is new (on PostgreSQL the bulk COPY meets the clash at its very end).
      const lastClashes = [...batch.slice(1), batch[0]!];
      const mixed = await push(j001, lastClashes);
      expect(mixed.filter((r) => r.status === 'accepted')).toHaveLength(999);
      expect(mixed[999]).toMatchObject({ id: batch[0]!.id, status: 'duplicate' });
      // All stored: the clash is at the first row, with the rest still to send.
      const resent = await push(j001, batch);
      expect(resent.every((r) => r.status === 'duplicate')).toBe(true);
      // Each record once, and its position once.
      const ids = batch.map((r) => r.id);
      const db = server.database.db;
      const records = await db.selectFrom('records').select('id').where('id', 'in', ids).execute();
      const positions = await db.selectFrom('positions').select('record_id').where('record_id', 'in', ids).execute();
      expect(records).toHaveLength(1000);
      expect(positions).toHaveLength(1000);
    });

    it('lets the database itself store a record only under a device of the record’s officer, and keep a device that has records', async () => {
      const db = server.database.db;
      const store = (record: SignedRecord, officerId = record.officerId) =>
        db.transaction().execute((trx) => insertRecords(trx, [recordRow({ ...record, officerId }, JSON.stringify(record), new Date().toISOString())]));
      const unregistered = await TestDevice.create(ids.J001!);
      const before = await count();
      await expect(store(await unregistered.next('position', positionBody(shiftId, 3000)))).rejects.toThrow();
      await expect(db.deleteFrom('devices').where('id', '=', device.deviceId).execute()).rejects.toThrow();
      if (kind === 'postgres') {
        // PostgreSQL's check (one per statement) also pairs them: J001's device under J002's name
        // is refused, stored or changed afterwards. SQLite's foreign keys check each on its own.
        await expect(store(await device.next('position', positionBody(shiftId, 3001)), ids.J002!)).rejects.toThrow(/officer/);
        const stored = await db.selectFrom('records').select('id').where('device_id', '=', device.deviceId).executeTakeFirstOrThrow();
        await expect(db.updateTable('records').set({ officer_id: ids.J002! }).where('id', '=', stored.id).execute()).rejects.toThrow(/officer/);
      }
      expect(await count()).toBe(before);
      expect(await store(await device.next('position', positionBody(shiftId, 3002)))).toHaveProperty('size', 1);
    });

    it('answers non-JSON with 400 or 415, a wrong shape with 400, and no session with 401', async () => {
      expect((await j001.request('POST', '/api/sync/push', '{"records": [')).status).toBe(400);
      expect((await j001.request('POST', '/api/sync/push', '<records/>', { 'content-type': 'application/xml' })).status).toBe(415);
      expect((await j001.request('POST', '/api/sync/push', 'records', { 'content-type': 'text/plain' })).status).toBe(400);
      expect((await j001.request('POST', '/api/sync/push', { records: 'all of them' })).status).toBe(400);
      expect((await j001.request('POST', '/api/sync/push', [])).status).toBe(400);
      expect((await new Client(server.url).request('POST', '/api/sync/push', { records: [] })).status).toBe(401);
    });
  });

  describe('pull', () => {
    const pullAll = async (client: Client) => {
      const changes: PullResponse['changes'] = [];
      let cursor = '0';
      for (;;) {
        const response = await client.request('GET', `/api/sync/pull?cursor=${cursor}`);
        expect(response.status).toBe(200);
        const page = (await response.json()) as PullResponse;
        changes.push(...page.changes);
        cursor = page.cursor;
        if (!page.more) return { changes, cursor };
      }
    };

    it("gives an officer their squad's zones, checkpoints and roster, and nothing of the other squad's", async () => {
      const { changes, cursor } = await pullAll(j001);
      const squadA = (await server.database.db.selectFrom('users').select('squad_id').where('badge', '=', 'J001').executeTakeFirstOrThrow()).squad_id;
      const zones = changes.filter((c) => c.entity === 'zone');
      expect(zones.length).toBeGreaterThan(0);
      expect(zones.every((z) => z.data?.squadId === squadA)).toBe(true);
      const members = changes.filter((c) => c.entity === 'squad-member').map((c) => c.data?.badge);
      expect(members.sort()).toEqual(['J001', 'J002', 'J003', 'L001']);
      expect(changes.some((c) => c.entity === 'checkpoint')).toBe(true);
      const again = await j001.request('GET', `/api/sync/pull?cursor=${cursor}`);
      expect(((await again.json()) as PullResponse).changes).toEqual([]);
    });

    it('gives a supervisor the whole unit', async () => {
      const s001 = new Client(server.url);
      await s001.login('S001');
      const { changes } = await pullAll(s001);
      expect(changes.filter((c) => c.entity === 'squad-member')).toHaveLength(10);
      expect(new Set(changes.filter((c) => c.entity === 'zone').map((z) => z.data?.squadId)).size).toBe(2);
    });

    it('rejects a cursor that is not a number', async () => {
      expect((await j001.request('GET', '/api/sync/pull?cursor=yesterday')).status).toBe(400);
      expect((await new Client(server.url).request('GET', '/api/sync/pull')).status).toBe(401);
    });
  });
});
