import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/domain/ids.js';
import type { PushResponse } from '../../../src/domain/protocol/sync.js';
import { MANUAL_CHECKIN_REASONS } from '../../../src/domain/records.js';
import { positionBody, TestDevice } from '../device.js';
import { Client, DATABASES, startServer, type TestServer } from '../harness.js';

// One table of bad inputs, sent to the server on every database: each must get a 4xx with a
// reason (never a 500), the same answer on SQLite and PostgreSQL, and change nothing.

type Who = 'anyone' | 'J001' | 'L001' | 'A001';
interface BadRequest {
  name: string;
  who: Who;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
  status: number;
}

const NUL = '\u0000';
const BAD_REQUESTS: BadRequest[] = [
  // NUL characters, which PostgreSQL text cannot hold.
  { name: 'NUL in a badge', who: 'anyone', method: 'POST', path: '/api/auth/login', body: { badge: `J0${NUL}01`, password: 'x' }, status: 400 },
  { name: 'NUL in a password', who: 'anyone', method: 'POST', path: '/api/auth/login', body: { badge: 'J001', password: `a${NUL}b` }, status: 400 },
  {
    name: 'NUL in a device label',
    who: 'J001',
    method: 'POST',
    path: '/api/devices',
    body: { deviceId: newId(), publicKeyJwk: { kty: 'EC', crv: 'P-256', x: 'A'.repeat(43), y: 'B'.repeat(43) }, label: `phone${NUL}` },
    status: 400,
  },
  { name: 'NUL in a query id', who: 'L001', method: 'GET', path: '/api/compliance?officerId=%00', status: 400 },
  { name: 'NUL in an audit query id', who: 'L001', method: 'GET', path: '/api/audit/track?officerId=a%00b', status: 400 },
  { name: 'NUL in a path id', who: 'A001', method: 'DELETE', path: '/api/admin/checkpoints/cp%00x', status: 400 },
  { name: 'NUL in a checkpoint name', who: 'A001', method: 'POST', path: '/api/admin/plans', body: { name: { 'zh-CN': `a${NUL}`, en: 'a' } }, status: 400 },
  // Pull cursors beyond the 32-bit versions either database stores.
  { name: 'a cursor of 2^31', who: 'J001', method: 'GET', path: '/api/sync/pull?cursor=2147483648', status: 400 },
  { name: 'a cursor of 10^11', who: 'J001', method: 'GET', path: '/api/sync/pull?cursor=99999999999', status: 400 },
  { name: 'a negative cursor', who: 'J001', method: 'GET', path: '/api/sync/pull?cursor=-1', status: 400 },
  // Times that are not real instants.
  { name: 'month 13 in compliance', who: 'L001', method: 'GET', path: '/api/compliance?from=2026-13-45T99:99:99.999Z', status: 400 },
  { name: 'month 13 in check-ins', who: 'L001', method: 'GET', path: '/api/checkins?to=2026-13-45T99:99:99.999Z', status: 400 },
  {
    name: 'a window from year 0 to 9999-99-99',
    who: 'L001',
    method: 'GET',
    path: '/api/compliance?from=0000-01-01T00:00:00.000Z&to=9999-99-99T00:00:00.000Z',
    status: 400,
  },
  { name: '30 February in the audit track', who: 'L001', method: 'GET', path: '/api/audit/track?officerId=x&from=2026-02-30T00:00:00.000Z', status: 400 },
  // Resolving an unreturned firearm: a note is required, and must be text.
  {
    name: 'NUL in a loss resolution note',
    who: 'L001',
    method: 'POST',
    path: '/api/shifts/equipment-losses/resolve',
    body: { officerId: 'x', shiftId: newId(), item: 'firearm', note: `ok${NUL}` },
    status: 400,
  },
  {
    name: 'a loss resolution without a note',
    who: 'L001',
    method: 'POST',
    path: '/api/shifts/equipment-losses/resolve',
    body: { officerId: 'x', shiftId: newId(), item: 'firearm' },
    status: 400,
  },
  {
    name: 'a loss resolution with a number for a note',
    who: 'L001',
    method: 'POST',
    path: '/api/shifts/equipment-losses/resolve',
    body: { officerId: 'x', shiftId: newId(), item: 'firearm', note: 7 },
    status: 400,
  },
];

describe.each(DATABASES)('bad input on %s', (kind) => {
  let server: TestServer;
  const clients = new Map<Who, Client>();
  let officerId = '';
  let device: TestDevice;

  beforeAll(async () => {
    server = await startServer(kind);
    for (const who of ['anyone', 'J001', 'L001', 'A001'] as const) {
      const client = new Client(server.url);
      if (who !== 'anyone') expect((await client.login(who)).status).toBe(200);
      clients.set(who, client);
    }
    officerId = (await server.database.db.selectFrom('users').select('id').where('badge', '=', 'J001').executeTakeFirstOrThrow()).id;
    device = await TestDevice.create(officerId);
    expect((await device.register(clients.get('J001')!)).status).toBe(201);
  });
  afterAll(() => server.close());

  it.each(BAD_REQUESTS)('answers $name with $status and a reason', async ({ who, method, path, body, status }) => {
    const response = await clients.get(who)!.request(method, path, body);
    expect(response.status).toBe(status);
    const answer = (await response.json()) as { error: string; message: string };
    expect(answer.error).toBe('bad-request');
    expect(answer.message.length).toBeGreaterThan(5);
  });

  it('rejects records dated on days that do not exist or before 2020, each alone with a reason, and keeps the rest', async () => {
    const shiftId = newId();
    const good = await device.next('position', positionBody(shiftId, 0));
    const bad = await Promise.all(
      ['2000-02-30T00:00:00.000Z', '1970-01-01T00:00:00.000Z', '0000-01-01T00:00:00.000Z', '2026-13-45T99:99:99.999Z'].map(async (at) => {
        const sealed = await device.seal({ ...good, id: newId(), seq: 99, prev: good.hash, at });
        return sealed;
      }),
    );
    const note = {
      shiftId,
      checkpointId: newId(),
      method: 'manual' as const,
      enteredAt: good.at,
      dwellS: 0,
      evidence: [],
      reason: MANUAL_CHECKIN_REASONS[0],
      note: `gate${NUL}`,
    };
    const withNul = await device.seal({ ...good, id: newId(), seq: 100, prev: good.hash, kind: 'checkin', body: note });
    const response = await clients.get('J001')!.request('POST', '/api/sync/push', { records: [good, ...bad, withNul] });
    expect(response.status).toBe(200);
    const { results } = (await response.json()) as PushResponse;
    expect(results.map((r) => r.status)).toEqual(['accepted', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected']);
    for (const r of results.slice(1, 5)) expect(r.reason).toMatch(/^schema: at: must be a real instant/);
    expect(results[5]?.reason).toBe('schema: text must not contain the NUL character (U+0000)');
  });

  it('still serves after every one of them', async () => {
    expect((await clients.get('anyone')!.request('GET', '/api/health')).status).toBe(200);
  });
});
